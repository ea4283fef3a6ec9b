#include "allocate/line_matcher.h"

#include "common/strings.h"
#include "tally/network.h"

namespace tally {
namespace {

bool MatchesAsset(const AllocationCostLine& line, const Asset& asset) {
  const std::string& id = line.resource_id;
  if (id.empty()) return false;
  if (id == asset.name || id == asset.provider_id) return true;
  // Kubernetes provider ids are "aws:///us-east-1a/i-0abc" or "gce://project/zone/name"; the
  // bill names the instance alone.
  const std::string& p = asset.provider_id;
  return p.size() > id.size() && p.ends_with(id) && p[p.size() - id.size() - 1] == '/';
}

}  // namespace

LineMatcher::LineMatcher(const Config& config, const std::vector<Asset>& assets)
    : config_(config), assets_(assets) {
  for (uint32_t a = 0; a < assets.size(); ++a) {
    const Asset& asset = assets[a];
    by_id_.emplace(asset.name, a);
    if (!asset.provider_id.empty()) {
      by_id_.emplace(asset.provider_id, a);
      const size_t slash = asset.provider_id.rfind('/');
      if (slash != std::string::npos) by_id_.emplace(asset.provider_id.substr(slash + 1), a);
    }
  }
  // Network classes with flows: their asset, and whether a rate card prices them.
  const std::string prefix = NetworkAssetName("");
  network_price_.assign(assets.size(), std::nullopt);
  for (uint32_t a = 0; a < assets.size(); ++a) {
    if (!assets[a].name.starts_with(prefix)) continue;
    const std::string flow_class = assets[a].name.substr(prefix.size());
    network_asset_.emplace(flow_class, a);
    if (auto price = config.network.prices.find(flow_class); price != config.network.prices.end()) {
      network_price_[a] = price->second;
    }
  }
}

LineMatch LineMatcher::Match(const AllocationCostLine& line) const {
  for (const NetworkBillRule& rule : config_.network.bill) {
    if (line.usage_type.empty() || !WildcardMatch(rule.usage_type, line.usage_type)) continue;
    auto it = network_asset_.find(rule.flow_class);
    // A class a rate card prices keeps its bill lines out: they would count twice.
    if (it != network_asset_.end() && !network_price_[it->second]) return {it->second, true};
    break;
  }
  auto it = by_id_.find(line.resource_id);
  if (it != by_id_.end() && MatchesAsset(line, assets_[it->second])) return {it->second, false};
  return {};
}

}  // namespace tally
