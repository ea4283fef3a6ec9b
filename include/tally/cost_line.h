// CostLine: one FOCUS cost-and-usage row as ingestion hands it to a store. Text values are views
// into the reader's buffer, valid only during the CostSink::Add call that receives them.
//
// Plain struct. Thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tally/decimal.h"
#include "tally/focus_schema.h"
#include "tally/time.h"

namespace tally {

struct CostLine {
  // String and JSON columns by DimIndex(); an empty view is null. JSON columns hold canonical
  // JSON (keys sorted, no spaces) or, when the input was not valid JSON, the text as it was.
  std::array<std::string_view, kFocusDimCount> dims{};
  // Decimal columns by DecimalIndex(); nullopt is null.
  std::array<std::optional<Decimal>, kFocusDecimalCount> decimals{};
  // Date/Time columns by TimeIndex(); nullopt is null.
  std::array<std::optional<Timestamp>, kFocusTimeCount> times{};
  // This row's values of the file's extra (non-FOCUS) columns, packed as
  // src/model/extra_columns.h describes; empty when it has none.
  std::string_view extras;
  int64_t line = 0;  // 1-based line of the row in its file

  std::string_view dim(FocusColumn c) const { return dims[DimIndex(c)]; }
  const std::optional<Decimal>& decimal(FocusColumn c) const { return decimals[DecimalIndex(c)]; }
  const std::optional<Timestamp>& time(FocusColumn c) const { return times[TimeIndex(c)]; }
};

// The unit a newer export of the same bill replaces: one provider's billing account for one
// billing period. A file that names no account stands for its own account ("file:<name>").
struct BillingPartition {
  std::string provider;
  std::string account;
  std::optional<Timestamp> period_start;  // nullopt when the rows carry no date at all

  friend bool operator==(const BillingPartition&, const BillingPartition&) = default;
  // "AWS/123456789012/2024-05" or ".../undated".
  std::string ToString() const;
};

// Sets *out to the partition of `line`: its period is BillingPeriodStart, else the UTC month of
// ChargePeriodStart; `file_name` stands in for a missing BillingAccountId. Reuses *out's
// strings, so a caller on a hot path allocates nothing.
void PartitionOf(const CostLine& line, std::string_view file_name, BillingPartition* out);

}  // namespace tally
