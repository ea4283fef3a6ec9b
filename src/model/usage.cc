#include "tally/usage.h"

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

}  // namespace tally
