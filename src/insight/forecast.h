// The cost forecast (`tally forecast`, GET /api/v1/forecast): daily cost straight from the bill,
// in total or per group of a cost dimension, or per owner (or other allocation key) from the
// allocation (cost_series.h), forecast for the days after the last day that has
// cost data, from all the days before it (forecast_model.h). Each series is one group in one
// BillingCurrency: a forecast never adds two currencies. With the forecast come the backtest's
// MAPE beside the seasonal-naive one, the 80% interval's measured coverage, and month-end and
// quarter-end projections (the period's actual cost so far plus the forecast of its rest).
//
// Reads the store through LoadCostSeries. Thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "insight/forecast_model.h"
#include "report/record_table.h"
#include "tally/cost_query.h"
#include "tally/store.h"

namespace tally {

struct ForecastQuery {
  std::vector<std::string> by;     // cost_series.h keys; none: the total
  std::vector<std::string> where;  // cost_series.h filters
  FocusColumn metric = FocusColumn::kEffectiveCost;
  int days = 30;     // the horizon, 1..366
  size_t top = 20;   // the costliest groups are forecast; the rest as one (other) series
};

// A period's actual cost to date plus the forecast of its remaining days.
struct Projection {
  std::string period;  // "2026-12" or "2026-Q4"
  double actual = 0;
  double forecast = 0;  // the days after the last day of data, to the period's end
  double lower = 0, upper = 0;
  bool covered = true;  // false when the horizon ends before the period does
};

struct ForecastSeries {
  std::vector<std::optional<std::string>> keys;  // one per `by` key ("(other)" first for the rest)
  std::string currency;
  double history_total = 0;
  SeriesForecast forecast;
  Projection month_end, quarter_end;
};

struct ForecastReport {
  std::vector<std::string> columns;  // the `by` labels
  std::string metric;
  std::string first_day, last_day;   // of the history, "YYYY-MM-DD"
  std::vector<std::string> dates;    // the forecast days
  std::vector<ForecastSeries> series;
  // Over all series, each weighted by its history's cost (coverage: over the series the
  // backtest did not forecast exactly); nullopt without a backtest.
  std::optional<double> backtest_mape, naive_mape, coverage;
};

// Errors: kInvalidArgument for days out of range, the store's.
Result<ForecastReport> BuildForecast(Store* store, const ForecastQuery& query);

// {"rows":[{"date":..., <by labels>..., "currency", "forecast", "lower", "upper"}],
//  "backtest_mape", "naive_mape", "coverage", "first_day", "last_day",
//  "series":[{<by labels>..., "currency", "method", "backtest_mape", "naive_mape", "coverage",
//             "backtest_days", "month_end":{...}, "quarter_end":{...}}]}
// Money as decimal strings rounded to cents (a forecast is not exact money); shares as numbers.
nlohmann::ordered_json ForecastJson(const ForecastReport& report);
// One row per series and day: date, the by columns, currency, forecast, lower, upper.
RecordTable ForecastRecordTable(const ForecastReport& report);
// The lines a person reads under the table: the backtest and the projections per series.
std::vector<std::string> ForecastSummary(const ForecastReport& report);

}  // namespace tally
