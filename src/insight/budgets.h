// Budgets (`tally budgets`, GET /api/v1/budgets; docs/budgets.md): each budget of tally.yaml
// for the calendar month or quarter that holds its "as of" day (the last day with cost data,
// or the day asked for): the actual spend to date, exact; the forecast of the period's total
// (actual plus report/forecast_model's forecast of the remaining days, with its 80% interval);
// the thresholds crossed; and the burn-down, day by day.
//
// An owner budget counts the allocated cost of its owner path and of every path below it
// ("ml" holds "ml/training"); budgets on owners below it are listed as its children, with a
// warning when their amounts add up to more than it. A budget on bill dimensions reads the
// bill directly (no allocation needed); when the filtered bill has several currencies, the
// costliest one is used, with a warning.
//
// Stateless; reads the store on the caller's thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "report/record_table.h"
#include "tally/decimal.h"
#include "tally/store.h"

namespace tally {

struct BurnDay {
  std::string date;
  std::optional<Decimal> actual;    // cumulative spend by the day's end, up to the as-of day
  std::optional<double> forecast;   // cumulative forecast, after the as-of day
  Decimal ideal;                    // the amount spread evenly over the period, cumulative
};

struct BudgetStatus {
  BudgetConfig config;
  std::string period;           // "2026-12", "2026-Q4"
  std::string start, end;       // the period's first day and the day after its last
  std::string as_of;            // "" when the budget has no cost data yet
  std::string currency;         // the bill's; "" for owner budgets (allocation has none)
  Decimal actual;
  double forecast = 0, lower = 0, upper = 0;  // the period's projected total
  double actual_percent = 0, forecast_percent = 0;
  std::vector<int64_t> crossed_actual, crossed_forecast;  // thresholds reached
  std::vector<std::string> children;  // budgets on owner paths below this one
  std::vector<BurnDay> burn_down;
};

struct BudgetReport {
  std::vector<BudgetStatus> budgets;  // in tally.yaml's order
  std::vector<std::string> warnings;
};

// `as_of` (a day) caps every budget's as-of day. Errors: kInvalidArgument for a bad `where`
// filter; the store's.
Result<BudgetReport> BuildBudgets(Store* store, const std::vector<BudgetConfig>& budgets,
                                  std::optional<Timestamp> as_of = std::nullopt);

// {"rows":[{"name", "owner" | "where", "period", "start", "end", "as_of", "currency", "amount",
// "actual", "actual_percent", "forecast", "lower", "upper", "forecast_percent",
// "crossed":{"actual":[...], "forecast":[...]}, "children":[...], "burn_down":[{date, actual,
// forecast, ideal}]}], "warnings":[...]}. Money as decimal strings (forecasts to cents).
nlohmann::ordered_json BudgetJson(const BudgetReport& report);
// One row per budget: name, scope, period, amount, actual, actual %, forecast, forecast %,
// crossed.
RecordTable BudgetRecordTable(const BudgetReport& report);

}  // namespace tally
