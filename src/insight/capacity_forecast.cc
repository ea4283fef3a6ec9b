#include "insight/capacity_forecast.h"

#include <cmath>
#include <map>

#include "insight/calendar_days.h"
#include "report/cost_series.h"
#include "report/usage_report.h"

namespace tally {
namespace {

using days::DateOf;

// Amount-hours per day (unix day number), in whole units.
Result<std::map<int64_t, double>> Daily(Store* store, const std::string& resource, bool capacity) {
  UsageQuery q;
  TALLY_ASSIGN_OR_RETURN(UsageGroupKey day, UsageGroupKey::Parse("day"));
  q.group_by = {day};
  q.resource = resource;
  TALLY_ASSIGN_OR_RETURN(UsageTable table,
                         capacity ? QueryCapacity(*store, q) : QueryUsage(*store, q));
  std::map<int64_t, double> out;
  for (const UsageRow& row : table.rows) {
    TALLY_ASSIGN_OR_RETURN(Timestamp t, ParseTimestamp(row.keys[0] + "T00:00:00Z"));
    out[t.unix_seconds() / days::kSeconds] += ToDouble(WholeUnits(row.request, row.keys[2]));
  }
  return out;
}

std::string Hours(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", v);
  return std::string(text) == "-0.00" ? "0.00" : text;
}

}  // namespace

Result<CapacityForecast> BuildCapacityForecast(Store* store, const std::string& resource, int days) {
  if (days < 1 || days > 366) {
    return InvalidArgument("days: " + std::to_string(days) + " is not between 1 and 366");
  }
  TALLY_ASSIGN_OR_RETURN(auto demand, Daily(store, resource, false));
  TALLY_ASSIGN_OR_RETURN(auto capacity, Daily(store, resource, true));
  CapacityForecast out;
  out.resource = resource;
  if (demand.empty() && capacity.empty()) return out;
  const int64_t first = std::min(demand.empty() ? INT64_MAX : demand.begin()->first,
                                 capacity.empty() ? INT64_MAX : capacity.begin()->first);
  const int64_t last = std::max(demand.empty() ? INT64_MIN : demand.rbegin()->first,
                                capacity.empty() ? INT64_MIN : capacity.rbegin()->first);
  out.first_day = DateOf(first);
  out.last_day = DateOf(last);
  for (int64_t d = first; d <= last; ++d) {
    out.history_demand.push_back(demand.contains(d) ? demand[d] : 0.0);
    out.history_capacity.push_back(capacity.contains(d) ? capacity[d] : 0.0);
  }
  if (!capacity.empty()) out.capacity = capacity.rbegin()->second;
  out.demand = ForecastDaily(out.history_demand, days);
  for (int i = 0; i < days; ++i) {
    const std::string date = DateOf(last + 1 + i);
    out.dates.push_back(date);
    if (!out.first_over && out.demand.forecast[static_cast<size_t>(i)] > out.capacity) {
      out.first_over = date;
    }
    if (!out.first_upper_over && out.demand.upper[static_cast<size_t>(i)] > out.capacity) {
      out.first_upper_over = date;
    }
  }
  return out;
}

nlohmann::ordered_json CapacityForecastJson(const CapacityForecast& f) {
  using Json = nlohmann::ordered_json;
  auto share = [](const std::optional<double>& v) {
    return v ? Json(std::round(*v * 10000) / 10000) : Json();
  };
  Json history = Json::array(), rows = Json::array();
  if (!f.first_day.empty()) {
    Timestamp start = *ParseTimestamp(f.first_day + "T00:00:00Z");
    for (size_t i = 0; i < f.history_demand.size(); ++i) {
      history.push_back({{"date", DateOf(start.unix_seconds() / days::kSeconds + static_cast<int64_t>(i))},
                         {"demand", Hours(f.history_demand[i])},
                         {"capacity", Hours(f.history_capacity[i])}});
    }
  }
  for (size_t i = 0; i < f.dates.size(); ++i) {
    rows.push_back({{"date", f.dates[i]},
                    {"demand", Hours(f.demand.forecast[i])},
                    {"lower", Hours(f.demand.lower[i])},
                    {"upper", Hours(f.demand.upper[i])},
                    {"capacity", Hours(f.capacity)},
                    {"headroom", Hours(f.capacity - f.demand.forecast[i])}});
  }
  return {{"resource", f.resource},
          {"capacity", Hours(f.capacity)},
          {"method", f.demand.method},
          {"backtest_mape", share(f.demand.backtest_mape)},
          {"naive_mape", share(f.demand.naive_mape)},
          {"coverage", share(f.demand.coverage)},
          {"first_over", f.first_over ? Json(*f.first_over) : Json()},
          {"first_upper_over", f.first_upper_over ? Json(*f.first_upper_over) : Json()},
          {"history", std::move(history)},
          {"rows", std::move(rows)}};
}

RecordTable CapacityForecastRecordTable(const CapacityForecast& f) {
  RecordTable t;
  t.columns = {"date", "demand", "lower", "upper", "capacity", "headroom"};
  t.numeric = {false, true, true, true, true, true};
  t.decimal = t.numeric;
  t.money = {false, false, false, false, false, false};
  for (size_t i = 0; i < f.dates.size(); ++i) {
    t.rows.push_back({f.dates[i], Hours(f.demand.forecast[i]), Hours(f.demand.lower[i]),
                      Hours(f.demand.upper[i]), Hours(f.capacity),
                      Hours(f.capacity - f.demand.forecast[i])});
  }
  return t;
}

}  // namespace tally
