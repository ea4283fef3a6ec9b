// CostQuery, CostCells and CostTable: the question "sum this metric over the stored cost lines,
// grouped by these columns", the store's answer to it (sums per distinct key values and period,
// with the values as ids into a table of texts), and the report report/cost_report.h builds from
// those cells (rows grouped, sorted by cost, the top N kept). Both store backends answer with
// identical numbers.
//
// Value types. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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

  // Whether the key's value can differ between the lines of one series: ChargePeriodStart,
  // ChargePeriodEnd, or a column kept per line. Such keys cannot filter, and group by scanning
  // the lines.
  bool IsLineLevel() const {
    return kind == Kind::kExtra ||
           (kind == Kind::kColumn &&
            (column == FocusColumn::kChargePeriodStart || column == FocusColumn::kChargePeriodEnd));
  }
};

// The time series step of a report: each row is one group in one period of ChargePeriodStart
// (UTC hours, days or calendar months).
enum class CostStep { kNone, kHour, kDay, kMonth };

// Keeps only the lines whose `key` has one of `values` ("" stands for null).
struct CostFilter {
  GroupKey key;
  std::vector<std::string> values;

  // Parses "ServiceName=Compute,Storage" or "Tags.team=" (null). Errors: kInvalidArgument.
  static Result<CostFilter> Parse(std::string_view text);
};

struct CostQuery {
  std::vector<GroupKey> group_by;
  FocusColumn metric = FocusColumn::kEffectiveCost;  // one of kCostMetrics
  std::optional<Timestamp> from;                     // ChargePeriodStart >= from
  std::optional<Timestamp> to;                       // ChargePeriodStart < to
  CostStep step = CostStep::kNone;
  std::vector<CostFilter> where;  // all must hold
  size_t top = 0;                 // report only: the N costliest groups, the rest as (other)
};

// The store's answer to a CostQuery: the metric summed per cell, a cell being one set of key
// values in one period. Cells are not unique: the same values and period may come in several
// cells, whose sums add up. Key values are ids into `texts`; id 0 is null.
struct CostCells {
  static constexpr int64_t kNoPeriod = INT64_MIN;  // no step, or a line with no charge period
  struct Cell {
    int64_t period = kNoPeriod;  // start of the cell's period (unix seconds)
    uint32_t currency = 0;       // BillingCurrency, as an id into texts
    Decimal sum;
    int64_t lines = 0;
  };
  std::vector<std::string> texts{std::string()};  // texts[0] stands for null
  size_t width = 0;                               // key values per cell
  std::vector<uint32_t> keys;                     // cells.size() × width ids, cell by cell
  std::vector<Cell> cells;
  // Group keys no ingested file has (a mistyped column name reads as null everywhere).
  std::vector<std::string> unknown_columns;

  std::span<const uint32_t> KeysOf(size_t cell) const {
    return std::span<const uint32_t>(keys).subspan(cell * width, width);
  }
};

struct CostRow {
  std::vector<std::optional<std::string>> keys;  // one per column; nullopt is null
  Decimal value;
  int64_t lines = 0;  // cost lines summed into this row
  bool other = false;  // the groups past --top, summed (its first key reads "(other)")
};

struct CostTable {
  std::vector<std::string> columns;  // "period" first when stepped, then the group-by labels
  std::string metric;                // e.g. "EffectiveCost"
  // By period, then by the group's cost over all periods, descending; (other) last.
  std::vector<CostRow> rows;
  Decimal total;  // every line's metric; with several currencies, only per_currency means money
  int64_t lines = 0;
  // The distinct BillingCurrency values of the lines summed ("" for lines that name none).
  // More than one, without BillingCurrency among the keys, means sums mix currencies.
  std::vector<std::string> currencies;
  // The total of each currency, in `currencies` order: what renderers print as totals, so that
  // no total adds two currencies.
  std::vector<Decimal> per_currency;
  // Group keys no ingested file has (a mistyped column name reads as null everywhere).
  std::vector<std::string> unknown_columns;
};

// Parses a metric name, ignoring case. Errors: kInvalidArgument listing the four metrics.
Result<FocusColumn> ParseCostMetric(std::string_view text);
// Parses "hour", "day" or "month" (also "1h", "1d"); "" is kNone. Errors: kInvalidArgument.
Result<CostStep> ParseCostStep(std::string_view text);

}  // namespace tally
