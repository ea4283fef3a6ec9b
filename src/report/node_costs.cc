#include "report/node_costs.h"

namespace tally {

NodeCosts NodeCosts::Sum(const ShowbackTable& hour) {
  NodeCosts out;
  for (const ShowbackRow& r : hour.rows) {
    const std::string &asset = r.keys[kNodeAsset], &resource = r.keys[kNodeResource],
                      &kind = r.keys[kNodeKind];
    out.by_owner[{r.keys[kNodeOwner], resource, kind}] += r.cost;
    if (asset.empty() || kind == "unallocated") continue;
    out.total[asset] += r.cost;
    if (kind == "direct" || kind == "idle") out.resource[{asset, resource}] += r.cost;
    if (kind == "idle") out.idle[asset] += r.cost;
  }
  return out;
}

std::optional<Decimal> NodeCosts::UnitPrice(const AssetRecord& asset,
                                            const std::string& resource) const {
  auto capacity = asset.capacity.find(resource);
  auto cost = this->resource.find({asset.asset.name, resource});
  if (capacity == asset.capacity.end() || capacity->second.is_zero() ||
      cost == this->resource.end()) {
    return std::nullopt;
  }
  auto price = cost->second.Divide(capacity->second);
  if (!price.ok()) return std::nullopt;
  return *price;
}

}  // namespace tally
