// KubeUsageBuilder: gathers what is known about a Kubernetes cluster over some hours (container
// requests and usage, pods' nodes, owners and labels, nodes' capacity and identity) and turns
// it into one UsageBatch. Every kube source uses it: the Prometheus pull, raw scrapes and
// remote_write, so they name consumers, assets and labels the same way.
//
// Consumers are "namespace/pod/container", but the pods of a Spark application (label
// spark-app-selector) are one consumer named by the application id; assets are node names. Memory arrives in
// byte-hours and leaves in GiB-hours.
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
  void SetNodeProviderId(const std::string& node, const std::string& provider_id);
  // A node label as kube-state-metrics writes it; the instance type and zone are read from
  // their well-known labels.
  void AddNodeLabel(const std::string& node, std::string_view ksm_name, const std::string& value);

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
    Labels labels;
  };
  std::map<std::pair<Timestamp, ContainerKey>, Amounts> container_hours_;
  std::map<std::tuple<Timestamp, std::string, KubeResource>, Capacity> node_hours_;
  std::map<PodKey, Pod> pods_;
  std::map<std::string, Asset> nodes_;
};

}  // namespace tally
