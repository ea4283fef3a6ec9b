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

void KubeUsageBuilder::SetNodeProviderId(const std::string& node, const std::string& provider_id) {
  Asset& a = nodes_[node];
  a.name = node;
  if (!provider_id.empty()) a.provider_id = provider_id;
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
}

std::vector<TimeWindow> KubeUsageBuilder::HourRuns() const {
  std::set<Timestamp> hours;
  for (const auto& entry : container_hours_) hours.insert(entry.first.first);
  for (const auto& entry : node_hours_) hours.insert(std::get<0>(entry.first));
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
  return batch;
}

}  // namespace tally
