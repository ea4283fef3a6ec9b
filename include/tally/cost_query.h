// CostQuery and CostTable: the question "sum this metric over the stored cost lines, grouped by
// these columns" and its answer. Both store backends answer it with identical numbers.
//
// Value types. Thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/focus_schema.h"
#include "tally/result.h"
#include "tally/time.h"

namespace tally {

// One group-by key: a FOCUS dimension or Date/Time column, `Tags.<key>`, or a non-FOCUS column
// kept from the input (`x_...` or a provider's own name).
struct GroupKey {
  enum class Kind { kColumn, kTag, kExtra };
  Kind kind = Kind::kColumn;
  FocusColumn column = FocusColumn::kProviderName;  // for kColumn
  std::string name;                                 // tag key or extra column name
  std::string label;                                // header text: "ServiceName", "Tags.team"

  // Parses "ServiceName" (any case), "Tags.team", "x_Foo". Errors: kInvalidArgument for a
  // Decimal column (a metric, not a dimension) or an empty name.
  static Result<GroupKey> Parse(std::string_view text);
};

struct CostQuery {
  std::vector<GroupKey> group_by;
  FocusColumn metric = FocusColumn::kEffectiveCost;  // one of kCostMetrics
  std::optional<Timestamp> from;                     // ChargePeriodStart >= from
  std::optional<Timestamp> to;                       // ChargePeriodStart < to
};

struct CostRow {
  std::vector<std::optional<std::string>> keys;  // one per group-by key; nullopt is null
  Decimal value;
  int64_t lines = 0;  // cost lines summed into this row
};

struct CostTable {
  std::vector<std::string> columns;  // group-by labels
  std::string metric;                // e.g. "EffectiveCost"
  std::vector<CostRow> rows;         // sorted by keys, nulls first
  Decimal total;
  int64_t lines = 0;
  // The distinct BillingCurrency values of the lines summed ("" for lines that name none).
  // More than one, without BillingCurrency among the keys, means sums mix currencies.
  std::vector<std::string> currencies;
  // Group keys no ingested file has (a mistyped column name reads as null everywhere).
  std::vector<std::string> unknown_columns;
};

// Parses a metric name, ignoring case. Errors: kInvalidArgument listing the four metrics.
Result<FocusColumn> ParseCostMetric(std::string_view text);

}  // namespace tally
