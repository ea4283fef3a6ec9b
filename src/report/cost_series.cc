#include "report/cost_series.h"

#include <algorithm>
#include <map>

#include "report/cost_report.h"
#include "report/showback.h"

namespace tally {
namespace {

using Keys = std::vector<std::optional<std::string>>;
// A line is spread over at most this many periods (a year of hours, more than a year of days).
constexpr int64_t kMaxSpread = 24 * 366;
// Memory bounds: the (group, period) amounts gathered, and the dense series' cells.
constexpr int64_t kMaxAmounts = 4'000'000;
constexpr int64_t kMaxCells = 10'000'000;

Status TooLarge(int64_t cells, int64_t limit, const char* what) {
  return InvalidArgument("too large a series query: " + std::to_string(cells) + " " + what +
                         " (at most " + std::to_string(limit) +
                         "); narrow it with where filters, a shorter window or a day step");
}

// Per group (keys, then currency), its cost per period start.
using Groups = std::map<std::pair<Keys, std::string>, std::map<int64_t, Decimal>>;

Result<Groups> BillGroups(Store* store, const CostSeriesQuery& q, CostSeriesSet* out) {
  CostQuery cq;
  for (const std::string& name : q.by) {
    TALLY_ASSIGN_OR_RETURN(GroupKey key, GroupKey::Parse(name));
    out->columns.push_back(key.label);
    cq.group_by.push_back(std::move(key));
  }
  TALLY_ASSIGN_OR_RETURN(GroupKey end, GroupKey::Parse("ChargePeriodEnd"));
  cq.group_by.push_back(end);
  TALLY_ASSIGN_OR_RETURN(GroupKey currency, GroupKey::Parse("BillingCurrency"));
  cq.group_by.push_back(currency);
  for (const std::string& text : q.where) {
    TALLY_ASSIGN_OR_RETURN(CostFilter filter, CostFilter::Parse(text));
    cq.where.push_back(std::move(filter));
  }
  cq.metric = q.metric;
  cq.step = q.step;
  cq.from = q.from;
  cq.to = q.to;
  TALLY_ASSIGN_OR_RETURN(CostTable table, QueryCostTable(store, cq));
  out->metric = table.metric;
  Groups groups;
  const int64_t step = q.step == CostStep::kHour ? 3600 : 86400;
  int64_t amounts = 0;
  for (const CostRow& row : table.rows) {
    if (!row.keys[0]) continue;  // a line without a charge period has no place in time
    TALLY_ASSIGN_OR_RETURN(Timestamp period, ParseTimestamp(*row.keys[0]));
    const std::optional<std::string>& end_text = row.keys[row.keys.size() - 2];
    int64_t periods = 1;
    if (end_text) {
      TALLY_ASSIGN_OR_RETURN(Timestamp end, ParseTimestamp(*end_text));
      periods = std::clamp<int64_t>((end.unix_seconds() - period.unix_seconds() + step - 1) / step,
                                    1, kMaxSpread);
    }
    if ((amounts += periods) > kMaxAmounts) return TooLarge(amounts, kMaxAmounts, "amounts");
    Keys keys(row.keys.begin() + 1, row.keys.end() - 2);
    auto& into = groups[{std::move(keys), row.keys.back().value_or("")}];
    // A line over several periods (a month's support fee) is spread evenly over them, its
    // remainder in the last, so that the series shows daily cost and still sums to the bill.
    const Decimal part = periods == 1 ? row.value : *row.value.Divide(Decimal::FromUnits(periods));
    for (int64_t i = 0; i < periods - 1; ++i) into[period.unix_seconds() + i * step] += part;
    into[period.unix_seconds() + (periods - 1) * step] +=
        row.value - *part.Multiply(Decimal::FromUnits(periods - 1));
  }
  return groups;
}

Result<Groups> AllocationGroups(Store* store, const CostSeriesQuery& q, CostSeriesSet* out) {
  ShowbackQuery sq;
  for (const std::string& name : q.by) {
    TALLY_ASSIGN_OR_RETURN(ShowbackKey key, ShowbackKey::Parse(name));
    out->columns.push_back(key.Name());
    sq.group_by.push_back(std::move(key));
  }
  sq.group_by.push_back(ShowbackKey::Of(q.step == CostStep::kHour ? AllocationColumn::kHour
                                                                  : AllocationColumn::kDay));
  for (const std::string& text : q.where) {
    TALLY_ASSIGN_OR_RETURN(ShowbackFilter filter, ShowbackFilter::Parse(text));
    sq.where.push_back(std::move(filter));
  }
  sq.from = q.from;
  sq.to = q.to;
  TALLY_ASSIGN_OR_RETURN(ShowbackTable table, QueryShowback(*store, sq));
  out->metric = "allocated cost";
  Groups groups;
  for (const ShowbackRow& row : table.rows) {
    const std::string& period_text = row.keys.back();
    TALLY_ASSIGN_OR_RETURN(Timestamp period,
                           ParseTimestamp(period_text.size() == 10 ? period_text + "T00:00:00Z"
                                                                   : period_text));
    Keys keys(row.keys.begin(), row.keys.end() - 1);
    groups[{std::move(keys), ""}][period.unix_seconds()] += row.cost;
  }
  return groups;
}

}  // namespace

Decimal CostSeries::Total() const {
  Decimal total;
  for (const Decimal& v : values) total += v < Decimal() ? -v : v;
  return total;
}

bool IsAllocationKey(const std::string& name) { return ShowbackKey::Parse(name).ok(); }

Result<CostSeriesSet> LoadCostSeries(Store* store, const CostSeriesQuery& query) {
  if (query.step != CostStep::kDay && query.step != CostStep::kHour) {
    return InvalidArgument("a cost series steps by day or by hour");
  }
  size_t allocation_keys = 0;
  for (const std::string& name : query.by) allocation_keys += IsAllocationKey(name);
  for (const std::string& text : query.where) {
    allocation_keys += IsAllocationKey(text.substr(0, text.find('=')));
  }
  const size_t keys = query.by.size() + query.where.size();
  if (allocation_keys != 0 && allocation_keys != keys) {
    return InvalidArgument(
        "keys of the bill (ServiceName, Tags.team, ...) and of the allocation (owner, "
        "namespace, ...) cannot be mixed in one series");
  }
  for (const std::string& name : query.by) {
    if (name == "hour" || name == "day") {
      return InvalidArgument("\"" + name + "\" is the series' step, not a group key");
    }
  }
  CostSeriesSet out;
  out.from_allocation = allocation_keys > 0;
  out.step_seconds = query.step == CostStep::kHour ? 3600 : 86400;
  TALLY_ASSIGN_OR_RETURN(Groups groups, out.from_allocation ? AllocationGroups(store, query, &out)
                                                            : BillGroups(store, query, &out));
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const auto& [group, periods] : groups) {
    first = std::min(first, periods.begin()->first);
    last = std::max(last, periods.rbegin()->first);
  }
  if (groups.empty()) return out;
  out.first = first - first % out.step_seconds;
  out.periods = (last - out.first) / out.step_seconds + 1;
  const int64_t cells = out.periods * static_cast<int64_t>(groups.size());
  if (cells > kMaxCells) return TooLarge(cells, kMaxCells, "cells (series x periods)");
  for (auto& [group, periods] : groups) {
    CostSeries s{group.first, group.second, std::vector<Decimal>(static_cast<size_t>(out.periods))};
    for (const auto& [start, value] : periods) {
      s.values[static_cast<size_t>((start - out.first) / out.step_seconds)] += value;
    }
    out.series.push_back(std::move(s));
  }
  std::vector<std::pair<Decimal, size_t>> order;
  for (size_t i = 0; i < out.series.size(); ++i) order.emplace_back(out.series[i].Total(), i);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<CostSeries> sorted;
  for (const auto& [total, i] : order) sorted.push_back(std::move(out.series[i]));
  out.series = std::move(sorted);
  return out;
}

double ToDouble(Decimal value) {
  return static_cast<double>(value.raw()) / static_cast<double>(Decimal::kOne);
}

std::vector<double> AsDoubles(const std::vector<Decimal>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (const Decimal& v : values) {
    out.push_back(ToDouble(v));
  }
  return out;
}

std::string SeriesName(const CostSeries& series) {
  std::string name;
  for (const auto& k : series.keys) name += (name.empty() ? "" : ", ") + k.value_or("(null)");
  if (name.empty()) name = "total";
  return series.currency.empty() ? name : name + " " + series.currency;
}

}  // namespace tally
