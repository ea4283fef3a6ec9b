// Showback and reconciliation: what allocation put where. The store sums allocation rows along
// their stored columns (AllocationScan); report/showback.h adds the consumer attributes
// (namespace, labels with the asset's label as fallback), sorts, and reconciles with the bill.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"
#include "tally/time.h"
#include "tally/usage.h"

namespace tally {

// A stored column of allocation rows, and the hour or day a row falls in.
enum class AllocationColumn : uint8_t {
  kSource, kConsumer, kAsset, kResource, kOwner, kService, kKind, kHour, kDay
};
std::string_view AllocationColumnName(AllocationColumn column);

// A showback group-by key: a stored column, or an attribute of the row's consumer.
struct ShowbackKey {
  enum class Kind : uint8_t {
    kColumn,     // `column`
    kNamespace,  // the consumer's namespace
    kLabel,      // the consumer's label `label`, else the asset's
    kResourceClass,  // the resource's class: compute, storage, network, cache, other
    kController,     // the consumer's controller ("ReplicaSet/api-7c9f"), "" when none
  };
  Kind kind = Kind::kColumn;
  AllocationColumn column = AllocationColumn::kOwner;
  std::string label;

  static ShowbackKey Of(AllocationColumn column) { return ShowbackKey{Kind::kColumn, column, {}}; }
  // "owner", "consumer", "asset", "resource", "service", "source", "kind", "hour", "day",
  // "namespace", "controller", "class" or "label.<key>". Errors: kInvalidArgument naming the
  // choices.
  static Result<ShowbackKey> Parse(std::string_view name);
  std::string Name() const;  // as Parse reads it
  bool operator==(const ShowbackKey&) const = default;
};
Result<std::vector<ShowbackKey>> ParseShowbackKeys(const std::vector<std::string>& names);

// A resource's class: cpu, memory, gpu and energy are "compute"; storage "storage"; network
// "network"; cache_memory "cache"; anything else (a row with no resource: unallocated lines, an
// asset's cost with no capacity) "other".
std::string_view ResourceClassOf(std::string_view resource);

// Keeps only the rows whose `key` has one of `values` ("" matches a row without one).
struct ShowbackFilter {
  ShowbackKey key;
  std::vector<std::string> values;
  // Parses "namespace=ads,search" or "label.team=" (rows without the label). Errors:
  // kInvalidArgument for text without '=' or an unknown key.
  static Result<ShowbackFilter> Parse(std::string_view text);
};

struct ShowbackQuery {
  std::vector<ShowbackKey> group_by;
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  std::optional<std::string> resource;  // only rows of this resource ("gpu")
  std::vector<ShowbackFilter> where;    // all must hold
  // Only rows whose owner lies in one of these subtrees (a caller's scope); empty: all rows.
  std::vector<std::string> owner_within = {};
};

struct ShowbackRow {
  std::vector<std::string> keys;  // one per group_by key, in its order
  Decimal cost;
  // Basis amount-hours per resource of the direct rows summed here (for chargeback rates).
  std::map<std::string, Decimal> quantity;
  Decimal estimated;  // the part of `cost` that is estimated (source "estimate"), not billed
};

struct ShowbackTable {
  std::vector<std::string> columns;  // the keys' names
  std::vector<ShowbackRow> rows;     // sorted by time, cost, keys (report/showback.h)
  Decimal total;
  Decimal estimated;  // the part of `total` that is estimated, not billed
  int64_t hours = 0;  // allocated hours in the window
};

// What the store sums: allocation rows of [from, to) (open ends: every allocated hour) per
// distinct value of the stored columns in `group_by`.
struct AllocationScan {
  std::vector<AllocationColumn> group_by;
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  std::optional<std::string> resource;
};

// A billing source's bill over the allocated hours of a window.
struct SourceBill {
  std::string source;
  int64_t hours = 0;  // allocated hours in which it had a bill (a rate card: its assets)
  std::optional<Timestamp> first_hour, last_hour;
  Decimal bill;
};

// Who the allocation rows name: every known consumer and asset, with their labels.
struct AllocationParties {
  std::vector<Consumer> consumers;
  std::vector<Asset> assets;
};

// Per billing source: the bill and where it went.
struct ReconcileRow {
  std::string source;
  int64_t hours = 0;  // allocated hours in which this source had a bill (a rate card: its assets)
  std::optional<Timestamp> first_hour, last_hour;
  Decimal bill;
  Decimal allocated;  // direct + shared
  Decimal idle;
  Decimal unallocated;
  Decimal difference() const { return bill - allocated - idle - unallocated; }
};

}  // namespace tally
