#include "insight/budgets.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "insight/calendar_days.h"
#include "report/cost_series.h"
#include "insight/forecast_model.h"

namespace tally {
namespace {

using days::Cents;
using days::DateOf;
using days::Percent;

// The budget's daily spend: the owner subtree's allocated cost, or the filtered bill's in its
// costliest currency.
struct DailySpend {
  int64_t first_day = 0;
  std::vector<Decimal> values;
  std::string currency;
};

Result<DailySpend> LoadSpend(Store* store, const BudgetConfig& budget,
                             std::vector<std::string>* warnings) {
  CostSeriesQuery q;
  if (!budget.owner.empty()) {
    q.by = {"owner"};
  } else {
    q.where = budget.where;
  }
  TALLY_ASSIGN_OR_RETURN(CostSeriesSet set, LoadCostSeries(store, q));
  DailySpend spend;
  spend.first_day = set.first / days::kSeconds;
  spend.values.assign(static_cast<size_t>(set.periods), Decimal());
  if (!budget.owner.empty()) {
    for (const CostSeries& s : set.series) {
      if (!s.keys[0] || !IsOwnerWithin(*s.keys[0], budget.owner)) continue;
      for (size_t d = 0; d < s.values.size(); ++d) spend.values[d] += s.values[d];
    }
    return spend;
  }
  if (set.series.empty()) return spend;
  spend.values = set.series[0].values;  // costliest first
  spend.currency = set.series[0].currency;
  if (set.series.size() > 1) {
    warnings->push_back("budget " + budget.name + ": the bill has " +
                        std::to_string(set.series.size()) + " currencies; only " +
                        spend.currency + " counts");
  }
  return spend;
}

BudgetStatus Evaluate(const BudgetConfig& budget, const DailySpend& spend,
                      std::optional<int64_t> cap_day) {
  BudgetStatus out;
  out.config = budget;
  out.currency = spend.currency;
  // The last day with cost data (of any group of the bill or the allocation), within the cap.
  std::optional<int64_t> last;
  if (!spend.values.empty()) {
    const int64_t data_last = spend.first_day + static_cast<int64_t>(spend.values.size()) - 1;
    if (!cap_day || *cap_day >= data_last) {
      last = data_last;
    } else if (*cap_day >= spend.first_day) {
      last = *cap_day;
    }
  }
  if (!last && !cap_day) return out;  // no cost yet and no day asked for: no period to show
  const int64_t as_of = last ? *last : *cap_day;
  const bool monthly = budget.period == BudgetConfig::Period::kMonth;
  const int64_t start = monthly ? days::MonthStart(as_of) : days::QuarterStart(as_of);
  const int64_t end = days::MonthStart(start, monthly ? 1 : 3);
  out.period = monthly ? days::MonthName(start) : days::QuarterName(start);
  out.start = DateOf(start);
  out.end = DateOf(end);
  if (!last) return out;  // nothing spent, nothing to forecast
  out.as_of = DateOf(as_of);
  // History: every day before and including as_of; the forecast covers the rest of the period.
  std::vector<double> history;
  for (int64_t day = spend.first_day; day <= as_of; ++day) {
    const auto i = static_cast<size_t>(day - spend.first_day);
    const Decimal v = i < spend.values.size() ? spend.values[i] : Decimal();
    history.push_back(ToDouble(v));
  }
  const int remaining = static_cast<int>(end - as_of - 1);
  SeriesForecast f;
  if (remaining > 0) f = ForecastDaily(history, remaining);
  const Decimal per_day = *budget.amount.Divide(Decimal::FromUnits(end - start));
  Decimal cumulative;
  double projected = 0, low = 0, high = 0;
  for (int64_t day = start; day < end; ++day) {
    BurnDay b;
    b.date = DateOf(day);
    b.ideal = day + 1 == end ? budget.amount : *per_day.Multiply(Decimal::FromUnits(day - start + 1));
    if (day <= as_of) {
      const int64_t i = day - spend.first_day;
      if (i >= 0 && i < static_cast<int64_t>(spend.values.size())) {
        cumulative += spend.values[static_cast<size_t>(i)];
      }
      b.actual = cumulative;
    } else {
      const auto i = static_cast<size_t>(day - as_of - 1);
      projected += f.forecast[i];
      low += f.lower[i];
      high += f.upper[i];
      b.forecast = ToDouble(cumulative) + projected;
    }
    out.burn_down.push_back(std::move(b));
  }
  out.actual = cumulative;
  out.forecast = ToDouble(cumulative) + projected;
  out.lower = ToDouble(cumulative) + low;
  out.upper = ToDouble(cumulative) + high;
  const double amount = ToDouble(budget.amount);
  out.actual_percent = ToDouble(cumulative) / amount * 100;
  out.forecast_percent = out.forecast / amount * 100;
  for (int64_t t : budget.actual_thresholds) {
    // Exact: actual × 100 >= amount × t.
    if (*cumulative.Multiply(Decimal::FromUnits(100)) >= *budget.amount.Multiply(Decimal::FromUnits(t))) {
      out.crossed_actual.push_back(t);
    }
  }
  for (int64_t t : budget.forecast_thresholds) {
    if (out.forecast_percent >= static_cast<double>(t)) out.crossed_forecast.push_back(t);
  }
  return out;
}


std::string Scope(const BudgetConfig& b) {
  if (!b.owner.empty()) return "owner=" + b.owner;
  std::string out;
  for (const std::string& w : b.where) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string Thresholds(const std::vector<int64_t>& ts) {
  std::string out;
  for (int64_t t : ts) out += (out.empty() ? "" : ",") + std::to_string(t);
  return out;
}

}  // namespace

Result<BudgetReport> BuildBudgets(Store* store, const std::vector<BudgetConfig>& budgets,
                                  std::optional<Timestamp> as_of) {
  BudgetReport report;
  std::optional<int64_t> cap;
  if (as_of) cap = as_of->unix_seconds() / days::kSeconds;
  for (const BudgetConfig& budget : budgets) {
    TALLY_ASSIGN_OR_RETURN(DailySpend spend, LoadSpend(store, budget, &report.warnings));
    report.budgets.push_back(Evaluate(budget, spend, cap));
  }
  // The roll-up: owner budgets below an owner budget are its children.
  for (BudgetStatus& parent : report.budgets) {
    if (parent.config.owner.empty()) continue;
    Decimal children_amount;
    for (const BudgetStatus& child : report.budgets) {
      const std::string& owner = child.config.owner;
      if (owner.empty() || owner == parent.config.owner || !IsOwnerWithin(owner, parent.config.owner) ||
          child.config.period != parent.config.period) {
        continue;
      }
      parent.children.push_back(child.config.name);
      children_amount += child.config.amount;
    }
    if (children_amount > parent.config.amount) {
      report.warnings.push_back("budget " + parent.config.name + ": its children's budgets (" +
                                children_amount.ToString() + ") exceed its amount (" +
                                parent.config.amount.ToString() + ")");
    }
  }
  return report;
}

nlohmann::ordered_json BudgetJson(const BudgetReport& report) {
  using Json = nlohmann::ordered_json;
  Json rows = Json::array();
  for (const BudgetStatus& b : report.budgets) {
    Json row = {{"name", b.config.name}};
    if (!b.config.owner.empty()) {
      row["owner"] = b.config.owner;
    } else {
      row["where"] = b.config.where;
    }
    row["period"] = b.period;
    row["start"] = b.start;
    row["end"] = b.end;
    row["as_of"] = b.as_of.empty() ? Json() : Json(b.as_of);
    row["currency"] = b.currency;
    row["amount"] = b.config.amount.ToString();
    row["actual"] = b.actual.ToString();
    row["actual_percent"] = std::round(b.actual_percent * 100) / 100;
    row["forecast"] = Cents(b.forecast);
    row["lower"] = Cents(b.lower);
    row["upper"] = Cents(b.upper);
    row["forecast_percent"] = std::round(b.forecast_percent * 100) / 100;
    row["thresholds"] = {{"actual", b.config.actual_thresholds},
                         {"forecast", b.config.forecast_thresholds}};
    row["crossed"] = {{"actual", b.crossed_actual}, {"forecast", b.crossed_forecast}};
    row["children"] = b.children;
    Json burn = Json::array();
    for (const BurnDay& d : b.burn_down) {
      burn.push_back({{"date", d.date},
                      {"actual", d.actual ? Json(d.actual->ToString()) : Json()},
                      {"forecast", d.forecast ? Json(Cents(*d.forecast)) : Json()},
                      {"ideal", d.ideal.Round(2).ToString()}});
    }
    row["burn_down"] = std::move(burn);
    rows.push_back(std::move(row));
  }
  return {{"rows", std::move(rows)}, {"warnings", report.warnings}};
}

RecordTable BudgetRecordTable(const BudgetReport& report) {
  RecordTable t;
  t.columns = {"budget", "scope", "period", "as_of", "amount", "actual", "actual_pct", "forecast",
               "forecast_pct", "crossed_actual", "crossed_forecast"};
  t.numeric = {false, false, false, false, true, true, true, true, true, false, false};
  t.decimal = {false, false, false, false, true, true, false, true, false, false, false};
  t.money = {false, false, false, false, true, true, false, true, false, false, false};
  for (const BudgetStatus& b : report.budgets) {
    t.rows.push_back({b.config.name, Scope(b.config), b.period,
                      b.as_of.empty() ? std::nullopt : std::optional<std::string>(b.as_of),
                      b.config.amount.ToString(), b.actual.ToString(), Percent(b.actual_percent),
                      Cents(b.forecast), Percent(b.forecast_percent), Thresholds(b.crossed_actual),
                      Thresholds(b.crossed_forecast)});
  }
  return t;
}

}  // namespace tally
