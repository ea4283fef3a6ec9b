// KubeUsageBuilder: gathers what is known about a Kubernetes cluster over some hours (container
// requests and usage, pods' nodes, owners and labels, nodes' capacity and identity) and turns
// it into one UsageBatch. Every kube source uses it: the Prometheus pull, raw scrapes and
// remote_write, so they name consumers, assets and labels the same way.
//
// Consumers are "namespace/pod/container", but the pods of a Spark application (label
// spark-app-selector) are one consumer named by the application id; assets are node names. Memory arrives in
// byte-hours and leaves in GiB-hours.
//
// Persistent volumes (docs/storage.md) are assets named by the PersistentVolume, with capacity
// "storage" in GiB-hours; a pod that mounts a volume's claim for a part of an hour requests that
// part × the volume's GiB-hours, as the pod's own consumer "namespace/pod", so a volume two pods
// mount all hour splits in two and one nobody mounts is idle (orphaned). A pod's IP (kube_pod_info
// pod_ip) is an address of its pod consumer in the hours the pod has facts, for network
// attribution.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "tally/usage.h"

namespace tally {

// kGpuSlice: MIG instances, counted in the device's 7 compute slices (unit "mig-slice/7").
enum class KubeResource { kCpu, kMemory, kGpu, kGpuSlice };
// kLegacyRequest: a request from kube-state-metrics v1 names (kube_pod_container_resource_
// requests_cpu_cores, ...). Scrapes often carry both generations; the v1 figure counts only
// for an hour where the v2 one is missing, so nothing is counted twice.
enum class KubeField { kRequest, kUsage, kLegacyRequest };

// The resource ksm's `resource` label names ("cpu", "memory", "nvidia_com_gpu", MIG profiles
// such as "nvidia_com_mig_3g_20gb"), and what one of it counts in that resource's unit (a
// 3g MIG instance is 3 slices); nullopt for what tally does not allocate (pods, storage, ...).
struct KubeResourceOf {
  KubeResource resource;
  int64_t scale = 1;
};
std::optional<KubeResourceOf> KubeResourceFromLabel(std::string_view resource);

class KubeUsageBuilder {
 public:
  // Adds amount-hours (cores, bytes or GPUs × hours) to one container's hour.
  void AddContainer(Timestamp hour, const std::string& ns, const std::string& pod,
                    const std::string& container, KubeResource resource, KubeField field,
                    Decimal amount_hours);
  // Adds amount-hours of a node's capacity (legacy: from v1 metric names, as above).
  void AddNodeCapacity(Timestamp hour, const std::string& node, KubeResource resource,
                       Decimal amount_hours, bool legacy = false);
  // Pod facts. An empty value never overwrites a known one.
  void SetPodNode(const std::string& ns, const std::string& pod, const std::string& node);
  void SetPodController(const std::string& ns, const std::string& pod, const std::string& kind,
                        const std::string& name);
  // Labels as kube-state-metrics writes them ("label_app" -> "app").
  void AddPodLabel(const std::string& ns, const std::string& pod, std::string_view ksm_name,
                   const std::string& value);
  void SetPodIp(const std::string& ns, const std::string& pod, const std::string& ip);
  void SetNodeProviderId(const std::string& node, const std::string& provider_id);
  // A node's address (kube_node_info internal_ip): held by the node as a consumer of its own
  // name in the hours it has capacity, for traffic the node itself sends.
  void SetNodeAddress(const std::string& node, const std::string& ip);
  // A node label as kube-state-metrics writes it; the instance type and zone are read from
  // their well-known labels.
  void AddNodeLabel(const std::string& node, std::string_view ksm_name, const std::string& value);

  // Persistent volumes: capacity (byte-hours), identity, the claim bound to each, the claims'
  // labels, and the hours a pod mounts a claim.
  void AddVolumeCapacity(Timestamp hour, const std::string& volume, Decimal byte_hours);
  void SetVolumeInfo(const std::string& volume, const std::string& provider_id,
                     const std::string& storage_class);
  void SetClaimVolume(const std::string& ns, const std::string& claim, const std::string& volume);
  void AddClaimLabel(const std::string& ns, const std::string& claim, std::string_view ksm_name,
                     const std::string& value);
  void AddPodMount(Timestamp hour, const std::string& ns, const std::string& pod,
                   const std::string& claim, Decimal hours);
  // Bytes in use on a claim's volume (kubelet_volume_stats_used_bytes), in byte-hours: split
  // over the pods that mount the claim in the hour by their hours mounted.
  void AddClaimUsage(Timestamp hour, const std::string& ns, const std::string& claim,
                     Decimal byte_hours);

  // The batch for `hours`. Errors: kInvalidArgument when a quantity is out of range.
  Result<UsageBatch> Build(const std::string& source, TimeWindow hours) const;

  // The hours that have any fact, as maximal runs of consecutive hours.
  std::vector<TimeWindow> HourRuns() const;
  // Forgets the hours before `t` (a live stream keeps only recent hours).
  void DropHoursBefore(Timestamp t);

  size_t containers() const;
  size_t pods() const { return pods_.size(); }
  size_t nodes() const { return nodes_.size(); }

 private:
  using ContainerKey = std::tuple<std::string, std::string, std::string>;  // ns, pod, container
  using PodKey = std::pair<std::string, std::string>;
  struct Amounts {
    Decimal values[4][3];  // [resource][field]
    bool seen[4][3] = {};
  };
  struct Capacity {
    Decimal values[2];  // current, legacy
    bool seen[2] = {};
  };
  struct Pod {
    std::string node;
    std::string controller;
    std::string ip;
    Labels labels;
  };
  struct Volume {
    std::string provider_id;
    std::string storage_class;
  };
  // The consumer of a pod as a whole (its mounts, its address), added to `batch`.
  uint32_t AddPodConsumer(const PodKey& pod, UsageBatch* batch) const;
  Result<Decimal> VolumeGiBHours(Timestamp hour, const std::string& volume) const;
  Status BuildVolumes(TimeWindow hours, UsageBatch* batch) const;
  void BuildAddresses(TimeWindow hours, UsageBatch* batch) const;
  std::map<std::pair<Timestamp, ContainerKey>, Amounts> container_hours_;
  std::map<std::tuple<Timestamp, std::string, KubeResource>, Capacity> node_hours_;
  std::map<PodKey, Pod> pods_;
  std::map<std::string, Asset> nodes_;
  std::map<std::string, std::string> node_addresses_;
  std::map<std::pair<Timestamp, std::string>, Decimal> volume_hours_;  // byte-hours
  std::map<std::string, Volume> volumes_;
  std::map<PodKey, std::string> claim_volume_;  // (namespace, claim) -> volume
  std::map<PodKey, Labels> claim_labels_;
  std::map<std::tuple<Timestamp, std::string, std::string>, Decimal> claim_used_;  // byte-hours
  // (hour, namespace, pod, claim) -> hours mounted
  std::map<std::tuple<Timestamp, std::string, std::string, std::string>, Decimal> mount_hours_;
};

}  // namespace tally
