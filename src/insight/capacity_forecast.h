// The capacity forecast (`tally forecast --capacity gpu`, GET /api/v1/forecast?capacity=gpu):
// the daily amount-hours a resource is requested (demand: Σ request of the usage facts, in whole
// units, so that 7 MIG slices make one GPU) forecast like cost (report/forecast_model.h), set
// against the capacity of the last day with capacity facts, held flat: the days ahead where the
// forecast, or the upper end of its 80% interval, exceeds it.
//
// Stateless; reads the store on the caller's thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "insight/forecast_model.h"
#include "report/record_table.h"
#include "tally/store.h"

namespace tally {

struct CapacityForecast {
  std::string resource;
  std::string first_day, last_day;   // of the history
  std::vector<std::string> dates;    // the forecast days
  std::vector<double> history_demand, history_capacity;  // per history day
  double capacity = 0;               // per day, held flat over the forecast
  SeriesForecast demand;
  std::optional<std::string> first_over;         // first day the forecast exceeds capacity
  std::optional<std::string> first_upper_over;   // first day the 80% upper end does
};

// Errors: kInvalidArgument for days out of 1..366; the store's.
Result<CapacityForecast> BuildCapacityForecast(Store* store, const std::string& resource, int days);

// {"resource", "capacity", "backtest_mape", "naive_mape", "coverage", "method", "first_over",
//  "first_upper_over", "history":[{date, demand, capacity}], "rows":[{date, demand, lower,
//  upper, capacity, headroom}]}; amounts in the resource's hours, to 2 decimals.
nlohmann::ordered_json CapacityForecastJson(const CapacityForecast& f);
RecordTable CapacityForecastRecordTable(const CapacityForecast& f);

}  // namespace tally
