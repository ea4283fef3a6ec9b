// Cost as time series, one per group: what forecasts, anomaly detection and budgets learn from.
// A group is a set of key values in one BillingCurrency. The keys come from one of two places:
//   - the bill, straight from the stored lines (FOCUS dimensions, Tags.<key>, x_ columns), no
//     allocation needed: "ServiceName", "Tags.team", "SubAccountId";
//   - the allocation, after `tally allocate`: "owner", "namespace", "consumer", "asset",
//     "controller", "label.<key>" (any showback key but hour and day). Allocation rows carry
//     no currency: their series has currency "".
// Keys of the two cannot be mixed in one query. No keys: the bill's total per currency.
// A bill line whose charge period spans several periods (a month's support fee, a daily line
// in an hourly series) is spread evenly over them, so that a series shows cost as it accrues
// and still sums exactly to the lines.
//
// Stateless; reads the store on the caller's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/owner_path.h"
#include "tally/cost_query.h"
#include "tally/decimal.h"
#include "tally/store.h"

namespace tally {

struct CostSeriesQuery {
  std::vector<std::string> by;     // key names, all of the bill or all of the allocation
  std::vector<std::string> where;  // "KEY=v1,v2" filters of the same source as `by`
  CostStep step = CostStep::kDay;  // kDay or kHour
  FocusColumn metric = FocusColumn::kEffectiveCost;  // bill series only
  std::optional<Timestamp> from, to;
};

struct CostSeries {
  std::vector<std::optional<std::string>> keys;  // one per `by` name; nullopt is null
  std::string currency;
  std::vector<Decimal> values;  // one per period of the set, from its `first`
  Decimal Total() const;        // of the absolute values: how much the series moves money
};

struct CostSeriesSet {
  std::vector<std::string> columns;  // the `by` labels
  std::string metric;                // "EffectiveCost", or "allocated cost"
  bool from_allocation = false;
  int64_t step_seconds = 86400;
  int64_t first = 0;  // start of the first period (unix seconds)
  int64_t periods = 0;
  std::vector<CostSeries> series;  // costliest first

  int64_t PeriodStart(int64_t i) const { return first + i * step_seconds; }
};

// Whether `name` is an allocation key (owner, namespace, ...) rather than a bill column.
bool IsAllocationKey(const std::string& name);

// Every group's series over the periods from the first to the last that has cost (within
// from/to), with 0 where a group had none. Memory is bounded: at most 4M (group, period)
// amounts gathered and 10M cells (series × periods). Errors: kInvalidArgument for an unknown
// key, keys of both sources, a step other than day or hour, or a query past those bounds; the
// store's.
Result<CostSeriesSet> LoadCostSeries(Store* store, const CostSeriesQuery& query);

// An amount as a double, for statistics (forecasts, anomaly scores, shares), never for money.
double ToDouble(Decimal value);
// The values as doubles, for the statistics of forecasts and anomaly detection (never money).
std::vector<double> AsDoubles(const std::vector<Decimal>& values);


// The series' label: its keys joined with ", " ("total" without keys), then its currency.
std::string SeriesName(const CostSeries& series);

}  // namespace tally
