#include "tally/usage.h"

#include "tally/network.h"

namespace tally {
namespace {

void FillEmpty(std::string* into, const std::string& from) {
  if (into->empty()) *into = from;
}

void MergeLabels(Labels* into, const Labels& from) {
  for (const auto& [k, v] : from) into->emplace(k, v);
}

}  // namespace

uint32_t UsageBatch::AddConsumer(const Consumer& consumer) {
  auto [it, added] = consumer_index_.emplace(consumer.name, consumers_.size());
  if (added) {
    consumers_.push_back(consumer);
    return it->second;
  }
  Consumer& known = consumers_[it->second];
  FillEmpty(&known.namespace_name, consumer.namespace_name);
  FillEmpty(&known.pod, consumer.pod);
  FillEmpty(&known.container, consumer.container);
  FillEmpty(&known.controller, consumer.controller);
  MergeLabels(&known.labels, consumer.labels);
  return it->second;
}

uint32_t UsageBatch::AddAsset(const Asset& asset) {
  auto [it, added] = asset_index_.emplace(asset.name, assets_.size());
  if (added) {
    assets_.push_back(asset);
    return it->second;
  }
  Asset& known = assets_[it->second];
  FillEmpty(&known.provider_id, asset.provider_id);
  FillEmpty(&known.instance_type, asset.instance_type);
  FillEmpty(&known.zone, asset.zone);
  MergeLabels(&known.labels, asset.labels);
  return it->second;
}

bool AssetRecord::Orphaned() const {
  auto cap = capacity.find("storage");
  return cap != capacity.end() && !cap->second.is_zero() && !held.contains("storage");
}

std::string NetworkAssetName(std::string_view flow_class) {
  return "network/" + std::string(flow_class);
}

int64_t UnitsPerWhole(std::string_view unit) {
  const size_t slash = unit.rfind('/');
  if (slash == std::string_view::npos || slash + 1 >= unit.size()) return 1;
  int64_t n = 0;
  for (char c : unit.substr(slash + 1)) {
    if (c < '0' || c > '9' || n > 1'000'000) return 1;
    n = n * 10 + (c - '0');
  }
  return n >= 1 && n <= 1'000'000 ? n : 1;
}

}  // namespace tally
