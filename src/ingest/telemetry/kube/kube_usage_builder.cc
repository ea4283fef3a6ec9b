#include "ingest/telemetry/kube/kube_usage_builder.h"

#include <set>

namespace tally {
namespace {

constexpr std::string_view kResourceNames[] = {"cpu", "memory", "gpu", "gpu"};
constexpr std::string_view kUnits[] = {"core", "GiB", "gpu", "mig-slice/7"};
const Decimal kBytesPerGiB = Decimal::FromUnits(int64_t{1} << 30);

// kube-state-metrics writes a Kubernetes label "app.kubernetes.io/name" as
// "label_app_kubernetes_io_name"; the original spelling is lost, so tally keeps ksm's.
std::string_view StripLabelPrefix(std::string_view ksm_name) {
  constexpr std::string_view kPrefix = "label_";
  if (ksm_name.starts_with(kPrefix)) ksm_name.remove_prefix(kPrefix.size());
  return ksm_name;
}

Result<Decimal> InUnit(KubeResource resource, Decimal amount) {
  if (resource != KubeResource::kMemory) return amount;
  return amount.Divide(kBytesPerGiB);
}

}  // namespace

std::optional<KubeResourceOf> KubeResourceFromLabel(std::string_view resource) {
  if (resource == "cpu") return KubeResourceOf{KubeResource::kCpu};
  if (resource == "memory") return KubeResourceOf{KubeResource::kMemory};
  if (resource == "nvidia_com_gpu" || resource == "nvidia.com/gpu") {
    return KubeResourceOf{KubeResource::kGpu};
  }
  // "nvidia_com_mig_3g_20gb" (ksm) or "nvidia.com/mig-3g.20gb": 3 of the device's 7 slices.
  for (std::string_view prefix : {"nvidia_com_mig_", "nvidia.com/mig-"}) {
    if (!resource.starts_with(prefix)) continue;
    const std::string_view profile = resource.substr(prefix.size());
    const size_t g = profile.find('g');
    if (g == 0 || g == std::string_view::npos || g > 1) return std::nullopt;
    const int64_t slices = profile[0] - '0';
    if (slices < 1 || slices > 7) return std::nullopt;
    return KubeResourceOf{KubeResource::kGpuSlice, slices};
  }
  return std::nullopt;
}

void KubeUsageBuilder::AddContainer(Timestamp hour, const std::string& ns, const std::string& pod,
                                    const std::string& container, KubeResource resource,
                                    KubeField field, Decimal amount_hours) {
  Amounts& a = container_hours_[{hour, ContainerKey{ns, pod, container}}];
  const auto r = static_cast<size_t>(resource);
  const auto f = static_cast<size_t>(field);
  a.values[r][f] += amount_hours;
  a.seen[r][f] = true;
  pods_.try_emplace(PodKey{ns, pod});
}

void KubeUsageBuilder::AddNodeCapacity(Timestamp hour, const std::string& node,
                                       KubeResource resource, Decimal amount_hours, bool legacy) {
  Capacity& c = node_hours_[{hour, node, resource}];
  c.values[legacy ? 1 : 0] += amount_hours;
  c.seen[legacy ? 1 : 0] = true;
  nodes_.try_emplace(node).first->second.name = node;
}

void KubeUsageBuilder::SetPodNode(const std::string& ns, const std::string& pod,
                                  const std::string& node) {
  if (!node.empty()) pods_[PodKey{ns, pod}].node = node;
}

void KubeUsageBuilder::SetPodController(const std::string& ns, const std::string& pod,
                                        const std::string& kind, const std::string& name) {
  if (name.empty() || name == "<none>") return;
  pods_[PodKey{ns, pod}].controller = kind + "/" + name;
}

void KubeUsageBuilder::AddPodLabel(const std::string& ns, const std::string& pod,
                                   std::string_view ksm_name, const std::string& value) {
  pods_[PodKey{ns, pod}].labels[std::string(StripLabelPrefix(ksm_name))] = value;
}

void KubeUsageBuilder::SetPodIp(const std::string& ns, const std::string& pod,
                                const std::string& ip) {
  if (!ip.empty()) pods_[PodKey{ns, pod}].ip = ip;
}

void KubeUsageBuilder::AddVolumeCapacity(Timestamp hour, const std::string& volume,
                                         Decimal byte_hours) {
  volume_hours_[{hour, volume}] += byte_hours;
  volumes_.try_emplace(volume);
}

void KubeUsageBuilder::SetVolumeInfo(const std::string& volume, const std::string& provider_id,
                                     const std::string& storage_class) {
  Volume& v = volumes_[volume];
  if (!provider_id.empty()) v.provider_id = provider_id;
  if (!storage_class.empty()) v.storage_class = storage_class;
}

void KubeUsageBuilder::SetClaimVolume(const std::string& ns, const std::string& claim,
                                      const std::string& volume) {
  if (!volume.empty() && !claim.empty()) claim_volume_[PodKey{ns, claim}] = volume;
}

void KubeUsageBuilder::AddClaimLabel(const std::string& ns, const std::string& claim,
                                     std::string_view ksm_name, const std::string& value) {
  claim_labels_[PodKey{ns, claim}][std::string(StripLabelPrefix(ksm_name))] = value;
}

void KubeUsageBuilder::AddPodMount(Timestamp hour, const std::string& ns, const std::string& pod,
                                   const std::string& claim, Decimal hours) {
  mount_hours_[{hour, ns, pod, claim}] += hours;
}

void KubeUsageBuilder::AddClaimUsage(Timestamp hour, const std::string& ns,
                                     const std::string& claim, Decimal byte_hours) {
  claim_used_[{hour, ns, claim}] += byte_hours;
}

void KubeUsageBuilder::SetNodeProviderId(const std::string& node, const std::string& provider_id) {
  Asset& a = nodes_[node];
  a.name = node;
  if (!provider_id.empty()) a.provider_id = provider_id;
}

void KubeUsageBuilder::SetNodeAddress(const std::string& node, const std::string& ip) {
  if (!ip.empty()) node_addresses_[node] = ip;
}

void KubeUsageBuilder::AddNodeLabel(const std::string& node, std::string_view ksm_name,
                                    const std::string& value) {
  Asset& a = nodes_[node];
  a.name = node;
  const std::string_view name = StripLabelPrefix(ksm_name);
  a.labels[std::string(name)] = value;
  if (name == "node_kubernetes_io_instance_type" ||
      (name == "beta_kubernetes_io_instance_type" && a.instance_type.empty())) {
    a.instance_type = value;
  }
  if (name == "topology_kubernetes_io_zone" ||
      (name == "failure_domain_beta_kubernetes_io_zone" && a.zone.empty())) {
    a.zone = value;
  }
}

void KubeUsageBuilder::DropHoursBefore(Timestamp t) {
  container_hours_.erase(container_hours_.begin(),
                         container_hours_.lower_bound({t, ContainerKey{}}));
  node_hours_.erase(node_hours_.begin(), node_hours_.lower_bound({t, "", KubeResource::kCpu}));
  volume_hours_.erase(volume_hours_.begin(), volume_hours_.lower_bound({t, ""}));
  mount_hours_.erase(mount_hours_.begin(), mount_hours_.lower_bound({t, "", "", ""}));
  claim_used_.erase(claim_used_.begin(), claim_used_.lower_bound({t, "", ""}));
}

std::vector<TimeWindow> KubeUsageBuilder::HourRuns() const {
  std::set<Timestamp> hours;
  for (const auto& entry : container_hours_) hours.insert(entry.first.first);
  for (const auto& entry : node_hours_) hours.insert(std::get<0>(entry.first));
  for (const auto& entry : volume_hours_) hours.insert(entry.first.first);
  for (const auto& entry : mount_hours_) hours.insert(std::get<0>(entry.first));
  std::vector<TimeWindow> runs;
  for (Timestamp h : hours) {
    const Timestamp next = Timestamp::FromUnixSeconds(h.unix_seconds() + 3600);
    if (!runs.empty() && runs.back().end == h) {
      runs.back().end = next;
    } else {
      runs.push_back(TimeWindow{h, next});
    }
  }
  return runs;
}

size_t KubeUsageBuilder::containers() const {
  std::set<ContainerKey> distinct;
  for (const auto& [key, amounts] : container_hours_) distinct.insert(key.second);
  return distinct.size();
}

Result<UsageBatch> KubeUsageBuilder::Build(const std::string& source, TimeWindow hours) const {
  UsageBatch batch(source, hours);
  for (const auto& [key, amounts] : container_hours_) {
    const auto& [hour, container_key] = key;
    if (!hours.Contains(hour)) continue;
    const auto& [ns, pod_name, container] = container_key;
    Consumer consumer{ns + "/" + pod_name + "/" + container, ns, pod_name, container, "", {}};
    uint32_t asset = kNoAsset;
    if (auto pod = pods_.find(PodKey{ns, pod_name}); pod != pods_.end()) {
      consumer.controller = pod->second.controller;
      consumer.labels = pod->second.labels;
      // A Spark application's driver and executor pods are one consumer, named as its event
      // log names it (spark-app-selector, as kube-state-metrics spells it).
      if (auto app = consumer.labels.find("spark_app_selector");
          app != consumer.labels.end() && !app->second.empty()) {
        consumer = Consumer{app->second, ns, "", "", "", consumer.labels};
      }
      if (!pod->second.node.empty()) {
        auto node = nodes_.find(pod->second.node);
        asset = batch.AddAsset(node != nodes_.end() ? node->second
                                                    : Asset{pod->second.node, "", "", "", {}});
      }
    }
    const uint32_t index = batch.AddConsumer(consumer);
    for (size_t r = 0; r < std::size(kResourceNames); ++r) {
      const bool* seen = amounts.seen[r];
      if (!seen[0] && !seen[1] && !seen[2]) continue;
      const auto resource = static_cast<KubeResource>(r);
      const Decimal raw_request = seen[0] ? amounts.values[r][0] : amounts.values[r][2];
      TALLY_ASSIGN_OR_RETURN(Decimal request, InUnit(resource, raw_request));
      TALLY_ASSIGN_OR_RETURN(Decimal usage, InUnit(resource, amounts.values[r][1]));
      batch.AddUsage(UsageFact{hour, index, asset, std::string(kResourceNames[r]),
                               std::string(kUnits[r]), request, usage});
    }
  }
  for (const auto& [key, amounts] : node_hours_) {
    const auto& [hour, node, resource] = key;
    if (!hours.Contains(hour)) continue;
    const uint32_t asset = batch.AddAsset(nodes_.at(node));
    const Decimal amount = amounts.seen[0] ? amounts.values[0] : amounts.values[1];
    TALLY_ASSIGN_OR_RETURN(Decimal capacity, InUnit(resource, amount));
    const auto r = static_cast<size_t>(resource);
    batch.AddCapacity(CapacityFact{hour, asset, std::string(kResourceNames[r]),
                                   std::string(kUnits[r]), capacity});
  }
  TALLY_RETURN_IF_ERROR(BuildVolumes(hours, &batch));
  BuildAddresses(hours, &batch);
  return batch;
}

uint32_t KubeUsageBuilder::AddPodConsumer(const PodKey& key, UsageBatch* batch) const {
  const auto& [ns, pod_name] = key;
  Consumer consumer{ns + "/" + pod_name, ns, pod_name, "", "", {}};
  if (auto pod = pods_.find(key); pod != pods_.end()) {
    consumer.controller = pod->second.controller;
    consumer.labels = pod->second.labels;
    if (auto app = consumer.labels.find("spark_app_selector");
        app != consumer.labels.end() && !app->second.empty()) {
      consumer = Consumer{app->second, ns, "", "", "", consumer.labels};
    }
  }
  return batch->AddConsumer(consumer);
}

Result<Decimal> KubeUsageBuilder::VolumeGiBHours(Timestamp hour, const std::string& volume) const {
  auto it = volume_hours_.find({hour, volume});
  if (it == volume_hours_.end()) return Decimal();
  return it->second.Divide(kBytesPerGiB);
}

Status KubeUsageBuilder::BuildVolumes(TimeWindow hours, UsageBatch* batch) const {
  // The claim bound to each volume, for its labels: the claim's namespace and labels say whose
  // an unmounted (orphaned) volume is.
  std::map<std::string, const PodKey*> claim_of;
  for (const auto& [claim, volume] : claim_volume_) claim_of[volume] = &claim;
  auto volume_asset = [&](const std::string& name) {
    Asset asset{name, "", "", "", {}};
    if (auto v = volumes_.find(name); v != volumes_.end()) {
      asset.provider_id = v->second.provider_id;
      if (!v->second.storage_class.empty()) asset.labels["storageclass"] = v->second.storage_class;
    }
    if (auto c = claim_of.find(name); c != claim_of.end()) {
      asset.labels["namespace"] = c->second->first;
      asset.labels["persistentvolumeclaim"] = c->second->second;
      if (auto l = claim_labels_.find(*c->second); l != claim_labels_.end()) {
        for (const auto& [k, v] : l->second) asset.labels.emplace(k, v);
      }
    }
    return batch->AddAsset(asset);
  };
  for (const auto& [key, byte_hours] : volume_hours_) {
    const auto& [hour, volume] = key;
    if (!hours.Contains(hour)) continue;
    TALLY_ASSIGN_OR_RETURN(Decimal gib_hours, VolumeGiBHours(hour, volume));
    batch->AddCapacity(CapacityFact{hour, volume_asset(volume), "storage", "GiB", gib_hours});
  }
  // Each claim's hours mounted in an hour, over all its pods: the bytes in use split by them.
  std::map<std::tuple<Timestamp, std::string, std::string>, Decimal> claim_mounted;
  for (const auto& [key, mounted] : mount_hours_) {
    const auto& [hour, ns, pod, claim] = key;
    claim_mounted[{hour, ns, claim}] += mounted;
  }
  for (const auto& [key, mounted] : mount_hours_) {
    const auto& [hour, ns, pod, claim] = key;
    if (!hours.Contains(hour)) continue;
    auto volume = claim_volume_.find(PodKey{ns, claim});
    if (volume == claim_volume_.end()) continue;  // an unbound claim holds no storage
    TALLY_ASSIGN_OR_RETURN(Decimal gib_hours, VolumeGiBHours(hour, volume->second));
    TALLY_ASSIGN_OR_RETURN(Decimal request,
                           gib_hours.Multiply(std::min(mounted, Decimal::FromUnits(1))));
    Decimal usage;
    if (auto used = claim_used_.find({hour, ns, claim}); used != claim_used_.end()) {
      TALLY_ASSIGN_OR_RETURN(Decimal share, mounted.Divide(claim_mounted[{hour, ns, claim}]));
      TALLY_ASSIGN_OR_RETURN(Decimal bytes, used->second.Multiply(share));
      TALLY_ASSIGN_OR_RETURN(usage, bytes.Divide(kBytesPerGiB));
    }
    batch->AddUsage(UsageFact{hour, AddPodConsumer(PodKey{ns, pod}, batch),
                              volume_asset(volume->second), "storage", "GiB", request, usage});
  }
  return Status::Ok();
}

namespace {

std::string RegionOf(const Asset& node) {
  auto r = node.labels.find("topology_kubernetes_io_region");
  return r == node.labels.end() ? "" : r->second;
}

}  // namespace

void KubeUsageBuilder::BuildAddresses(TimeWindow hours, UsageBatch* batch) const {
  std::set<std::pair<Timestamp, std::string>> node_hours;
  for (const auto& [key, amounts] : node_hours_) {
    const auto& [hour, node, resource] = key;
    auto ip = node_addresses_.find(node);
    if (!hours.Contains(hour) || ip == node_addresses_.end()) continue;
    if (!node_hours.insert({hour, node}).second) continue;
    const Asset& asset = nodes_.at(node);
    const uint32_t consumer = batch->AddConsumer(Consumer{node, "", "", "", "", asset.labels});
    batch->AddAddress(AddressFact{hour, ip->second, consumer, asset.zone, RegionOf(asset), true});
  }
  // A pod holds its IP in the hours it has facts.
  std::set<std::pair<Timestamp, PodKey>> seen;
  for (const auto& [key, amounts] : container_hours_) {
    const auto& [hour, container_key] = key;
    const PodKey pod_key{std::get<0>(container_key), std::get<1>(container_key)};
    if (!hours.Contains(hour) || !seen.insert({hour, pod_key}).second) continue;
    auto pod = pods_.find(pod_key);
    if (pod == pods_.end() || pod->second.ip.empty()) continue;
    std::string zone, region;
    if (auto node = nodes_.find(pod->second.node); node != nodes_.end()) {
      zone = node->second.zone;
      region = RegionOf(node->second);
    }
    batch->AddAddress(
        AddressFact{hour, pod->second.ip, AddPodConsumer(pod_key, batch), zone, region, false});
  }
}

}  // namespace tally
