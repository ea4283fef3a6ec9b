// Allocation: every asset's cost split, hour by hour, to the consumers that used it and on to
// their owners, with idle and unallocated cost as lines of their own (../shared/DESIGN.md).
// The invariant, for every window and billing source: direct + shared + idle + unallocated =
// the bill, exactly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/showback.h"
#include "tally/time.h"
#include "tally/usage.h"

namespace tally {

inline constexpr std::string_view kIdleConsumer = "__idle__";
inline constexpr std::string_view kUnallocatedConsumer = "__unallocated__";
inline constexpr std::string_view kUnownedOwner = "__unowned__";
// The source of estimated cost: assets that no bill line names and no rate card prices, costed
// at reference prices (docs/estimates.md). Never billed: reports keep it apart.
inline constexpr std::string_view kEstimateSource = "estimate";

enum class AllocationKind {
  kDirect,       // a consumer's basis × unit price
  kIdle,         // capacity nobody requested or used
  kUnallocated,  // a bill line that matches no asset (support, tax, SaaS, ...)
  kShared,       // moved to an owner by a shared-cost stage
};
std::string_view AllocationKindName(AllocationKind kind);

// One allocated amount. The names are views into the allocation's inputs and policy (the
// allocator's lifetime), so an hour of 150,000 rows copies no strings.
struct AllocationRow {
  Timestamp hour;
  std::string_view source;    // the billing source: ProviderName, or "rate-card"
  std::string_view consumer;  // a consumer name, __idle__ or __unallocated__
  std::string_view asset;     // asset name, or the unmatched line's ResourceId
  std::string_view resource;  // cpu, memory, gpu, ... ("" for a cost that has no resource)
  std::string_view owner;     // owner path
  std::string_view service;   // ServiceName of the bill line
  AllocationKind kind = AllocationKind::kDirect;
  Decimal cost;
  Decimal quantity;  // direct rows: the basis in amount-hours (core-hours, ...); else 0
};

// A bill line as allocation needs it.
struct AllocationCostLine {
  std::string source;  // ProviderName
  std::string account;
  std::string service;
  std::string resource_id;
  std::string usage_type;  // SkuMeter (AWS's UsageType), else SkuId: what network rules match
  Labels tags;
  Timestamp start;  // charge period, [start, end)
  Timestamp end;
  Decimal cost;  // EffectiveCost
  std::string currency;  // BillingCurrency: allocation adds amounts as they are (one per run)
};

// What allocation reads: consumers and assets (with the store's ids, to map usage facts) and
// the bill lines overlapping the window.
struct AllocationInputs {
  std::vector<Consumer> consumers;
  std::vector<int64_t> consumer_ids;
  std::vector<Asset> assets;
  std::vector<int64_t> asset_ids;
  std::vector<AllocationCostLine> lines;
};

// One hour's allocation as stored: its rows and its bill per source.
struct AllocatedHour {
  Timestamp hour;
  std::vector<AllocationRow> rows;
  std::map<std::string, Decimal> bill;
};

// How far allocation has come: what the data sources page shows.
struct AllocationStatus {
  int64_t allocated_hours = 0;
  int64_t dirty_hours = 0;  // allocated hours whose usage or bills changed since
  std::optional<Timestamp> first_hour;
  std::optional<Timestamp> last_hour;  // the start of the newest allocated hour
};

}  // namespace tally
