// One hour of allocation seen per node: each node's cost per resource (direct plus idle), its
// total and idle cost, the cost per owner, resource and kind, and the unit price of a resource
// (its cost over the node's capacity in the hour). /metrics exports these as OpenCost's node_*
// and pv_* series; the sums live here so that every caller prices a node the same way.
//
// Pure functions. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "tally/allocation.h"
#include "tally/usage.h"

namespace tally {

// The showback keys NodeCosts reads, and their positions in a row's keys.
inline const std::vector<ShowbackKey> kNodeCostKeys = {
    ShowbackKey::Of(AllocationColumn::kAsset), ShowbackKey::Of(AllocationColumn::kResource),
    ShowbackKey::Of(AllocationColumn::kKind), ShowbackKey::Of(AllocationColumn::kConsumer),
    ShowbackKey::Of(AllocationColumn::kOwner)};
enum NodeCostKey : size_t { kNodeAsset, kNodeResource, kNodeKind, kNodeConsumer, kNodeOwner };

struct NodeCosts {
  std::map<std::pair<std::string, std::string>, Decimal> resource;  // (asset, resource): direct + idle
  std::map<std::string, Decimal> total;  // per asset, unallocated excluded
  std::map<std::string, Decimal> idle;   // per asset
  std::map<std::tuple<std::string, std::string, std::string>, Decimal> by_owner;  // owner, resource, kind

  // Sums a showback of one hour grouped by kNodeCostKeys.
  static NodeCosts Sum(const ShowbackTable& hour);

  // The cost of one unit (core, GiB, GPU) of `resource` of `asset` in the hour; nullopt when the
  // asset has no such capacity or no cost for it.
  std::optional<Decimal> UnitPrice(const AssetRecord& asset, const std::string& resource) const;
};

}  // namespace tally
