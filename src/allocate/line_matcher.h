// LineMatcher: which asset a bill line is the cost of (docs/allocation.md, step 1), the same for
// the allocator and for the FOCUS export that traces allocated cost back to its origin lines.
//   - A data-transfer line (tally.yaml's network.bill rules match its SkuMeter, else SkuId) is the
//     cost of its flow class's asset "network/<class>", unless network.prices prices the class
//     (its lines would count twice) or the class has no flows.
//   - Any other line is the cost of the asset its ResourceId names: the asset's name, its
//     provider id, or the last part of its provider id ("i-0abc" for "aws:///us-east-1a/i-0abc").
//
// Immutable after construction; keeps references to `config` and `assets`. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "tally/allocation.h"

namespace tally {

struct LineMatch {
  uint32_t asset = kNoAsset;  // an index into the assets, or kNoAsset
  bool network = false;       // a transfer line of a flow class
};

class LineMatcher {
 public:
  LineMatcher(const Config& config, const std::vector<Asset>& assets);

  LineMatch Match(const AllocationCostLine& line) const;
  // The price per GB network.prices sets for a network asset, or nullopt.
  const std::optional<Decimal>& NetworkPrice(uint32_t asset) const { return network_price_[asset]; }

 private:
  const Config& config_;
  const std::vector<Asset>& assets_;
  std::unordered_map<std::string, uint32_t> by_id_;  // name, provider id, its last part
  std::unordered_map<std::string, uint32_t> network_asset_;  // flow class -> asset
  std::vector<std::optional<Decimal>> network_price_;        // per asset
};

}  // namespace tally
