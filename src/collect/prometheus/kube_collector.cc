#include "collect/prometheus/kube_collector.h"

#include <atomic>
#include <cmath>
#include <thread>

namespace tally {
namespace {

const std::string kContainerFilter = R"({container!="", container!="POD", pod!=""})";

std::string Get(const Labels& labels, const char* name) {
  auto it = labels.find(name);
  return it == labels.end() ? "" : it->second;
}

// Σ over the hour of a gauge, divided by the sample count of a series present all hour.
std::string GaugeHours(const std::string& by, const std::string& selector) {
  return "sum by (" + by + ") (sum_over_time(" + selector + "[1h])) / scalar(max(count_over_time(" +
         selector + "[1h])))";
}

void ApplyRequest(const Labels& m, Timestamp hour, Decimal v, KubeUsageBuilder* out,
                  KubeField field, std::optional<KubeResourceOf> resource) {
  if (!resource) return;
  if (resource->scale != 1) {
    auto scaled = v.Multiply(Decimal::FromUnits(resource->scale));
    if (!scaled.ok()) return;
    v = *scaled;
  }
  const std::string ns = Get(m, "namespace"), pod = Get(m, "pod");
  out->AddContainer(hour, ns, pod, Get(m, "container"), resource->resource, field, v);
  out->SetPodNode(ns, pod, Get(m, "node"));
}

void ApplyLabels(const Labels& m, KubeUsageBuilder* out, bool node) {
  for (const auto& [k, value] : m) {
    if (!k.starts_with("label_")) continue;
    if (node) {
      out->AddNodeLabel(Get(m, "node"), k, value);
    } else {
      out->AddPodLabel(Get(m, "namespace"), Get(m, "pod"), k, value);
    }
  }
}

// Persistent volumes (docs/storage.md): capacity, which claim each is bound to, the hours pods
// mount claims, and the claims' labels.
void AddVolumeQueries(std::vector<KubeQuery>* q) {
  q->push_back({"volume capacity",
                GaugeHours("persistentvolume", "kube_persistentvolume_capacity_bytes"),
                [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                  out->AddVolumeCapacity(h, Get(m, "persistentvolume"), v);
                }});
  q->push_back({"volume mounts",
                GaugeHours("namespace, pod, persistentvolumeclaim",
                           "kube_pod_spec_volumes_persistentvolumeclaims_info"),
                [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                  out->AddPodMount(h, Get(m, "namespace"), Get(m, "pod"),
                                   Get(m, "persistentvolumeclaim"), v);
                }});
  q->push_back({"volume usage",
                GaugeHours("namespace, persistentvolumeclaim", "kubelet_volume_stats_used_bytes"),
                [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                  out->AddClaimUsage(h, Get(m, "namespace"), Get(m, "persistentvolumeclaim"), v);
                }});
  q->push_back({"volumes",
                "max by (persistentvolume, storageclass, ebs_volume_id, csi_volume_handle) "
                "(max_over_time(kube_persistentvolume_info[1h]))",
                [](const Labels& m, Timestamp, Decimal, KubeUsageBuilder* out) {
                  const std::string ebs = Get(m, "ebs_volume_id");
                  out->SetVolumeInfo(Get(m, "persistentvolume"),
                                     ebs.empty() ? Get(m, "csi_volume_handle") : ebs,
                                     Get(m, "storageclass"));
                }});
  q->push_back({"volume claims",
                "max by (namespace, persistentvolumeclaim, volumename) "
                "(max_over_time(kube_persistentvolumeclaim_info[1h]))",
                [](const Labels& m, Timestamp, Decimal, KubeUsageBuilder* out) {
                  out->SetClaimVolume(Get(m, "namespace"), Get(m, "persistentvolumeclaim"),
                                      Get(m, "volumename"));
                }});
  q->push_back({"volume claim labels", "max_over_time(kube_persistentvolumeclaim_labels[1h])",
                [](const Labels& m, Timestamp, Decimal, KubeUsageBuilder* out) {
                  for (const auto& [k, value] : m) {
                    if (k.starts_with("label_")) {
                      out->AddClaimLabel(Get(m, "namespace"), Get(m, "persistentvolumeclaim"), k,
                                         value);
                    }
                  }
                }});
}

std::vector<KubeQuery> MakeQueries() {
  std::vector<KubeQuery> q;
  q.push_back({"cpu usage",
               "sum by (namespace, pod, container) (increase(container_cpu_usage_seconds_total" +
                   kContainerFilter + "[1h])) / 3600",
               [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                 out->AddContainer(h, Get(m, "namespace"), Get(m, "pod"), Get(m, "container"),
                                   KubeResource::kCpu, KubeField::kUsage, v);
               }});
  q.push_back({"memory usage",
               GaugeHours("namespace, pod, container",
                          "container_memory_working_set_bytes" + kContainerFilter),
               [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                 out->AddContainer(h, Get(m, "namespace"), Get(m, "pod"), Get(m, "container"),
                                   KubeResource::kMemory, KubeField::kUsage, v);
               }});
  // dcgm-exporter in Kubernetes mode labels each GPU with the pod using it; utilization is a
  // percentage per GPU, so Σ util / 100 over a container's GPUs is its GPUs in use.
  q.push_back(
      {"gpu usage",
       GaugeHours("namespace, pod, container", R"(DCGM_FI_DEV_GPU_UTIL{pod!=""})") + " / 100",
       [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
         out->AddContainer(h, Get(m, "namespace"), Get(m, "pod"), Get(m, "container"),
                           KubeResource::kGpu, KubeField::kUsage, v);
       }});
  q.push_back(
      {"requests",
       GaugeHours("namespace, pod, container, node, resource",
                  R"(kube_pod_container_resource_requests{resource=~"cpu|memory|nvidia_com_gpu|nvidia_com_mig_.*"})"),
       [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
         ApplyRequest(m, h, v, out, KubeField::kRequest, KubeResourceFromLabel(Get(m, "resource")));
       }});
  q.push_back({"cpu requests (ksm v1)",
               GaugeHours("namespace, pod, container, node",
                          "kube_pod_container_resource_requests_cpu_cores"),
               [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                 ApplyRequest(m, h, v, out, KubeField::kLegacyRequest, KubeResourceOf{KubeResource::kCpu});
               }});
  q.push_back({"memory requests (ksm v1)",
               GaugeHours("namespace, pod, container, node",
                          "kube_pod_container_resource_requests_memory_bytes"),
               [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                 ApplyRequest(m, h, v, out, KubeField::kLegacyRequest,
                              KubeResourceOf{KubeResource::kMemory});
               }});
  q.push_back({"pods",
               "max by (namespace, pod, node, created_by_kind, created_by_name, pod_ip) "
               "(max_over_time(kube_pod_info[1h]))",
               [](const Labels& m, Timestamp, Decimal, KubeUsageBuilder* out) {
                 const std::string ns = Get(m, "namespace"), pod = Get(m, "pod");
                 out->SetPodNode(ns, pod, Get(m, "node"));
                 out->SetPodIp(ns, pod, Get(m, "pod_ip"));
                 out->SetPodController(ns, pod, Get(m, "created_by_kind"),
                                       Get(m, "created_by_name"));
               }});
  q.push_back({"pod labels", "max_over_time(kube_pod_labels[1h])",
               [](const Labels& m, Timestamp, Decimal, KubeUsageBuilder* out) {
                 ApplyLabels(m, out, false);
               }});
  q.push_back({"node capacity",
               GaugeHours("node, resource",
                          R"(kube_node_status_capacity{resource=~"cpu|memory|nvidia_com_gpu|nvidia_com_mig_.*"})"),
               [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                 if (auto r = KubeResourceFromLabel(Get(m, "resource"))) {
                   auto scaled = v.Multiply(Decimal::FromUnits(r->scale));
                   if (scaled.ok()) out->AddNodeCapacity(h, Get(m, "node"), r->resource, *scaled);
                 }
               }});
  q.push_back({"node cpu capacity (ksm v1)",
               GaugeHours("node", "kube_node_status_capacity_cpu_cores"),
               [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                 out->AddNodeCapacity(h, Get(m, "node"), KubeResource::kCpu, v, true);
               }});
  q.push_back({"node memory capacity (ksm v1)",
               GaugeHours("node", "kube_node_status_capacity_memory_bytes"),
               [](const Labels& m, Timestamp h, Decimal v, KubeUsageBuilder* out) {
                 out->AddNodeCapacity(h, Get(m, "node"), KubeResource::kMemory, v, true);
               }});
  q.push_back({"nodes",
               "max by (node, provider_id, internal_ip) (max_over_time(kube_node_info[1h]))",
               [](const Labels& m, Timestamp, Decimal, KubeUsageBuilder* out) {
                 out->SetNodeProviderId(Get(m, "node"), Get(m, "provider_id"));
                 out->SetNodeAddress(Get(m, "node"), Get(m, "internal_ip"));
               }});
  q.push_back({"node labels", "max_over_time(kube_node_labels[1h])",
               [](const Labels& m, Timestamp, Decimal, KubeUsageBuilder* out) {
                 ApplyLabels(m, out, true);
               }});
  AddVolumeQueries(&q);
  return q;
}

}  // namespace

const std::vector<KubeQuery>& KubeQueries() {
  static const std::vector<KubeQuery> queries = MakeQueries();
  return queries;
}

QueryStats KubePrometheusCollector::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

Result<UsageBatch> KubePrometheusCollector::Collect(const std::string& source, TimeWindow chunk) {
  const std::vector<KubeQuery>& queries = KubeQueries();
  // A query not run (another failed first) stays nullopt.
  std::vector<std::optional<Result<std::vector<MatrixSeries>>>> results(queries.size());
  // Evaluate at the last millisecond of each hour: the 1h range then covers [H, H + 1h).
  const double first = static_cast<double>(chunk.start.unix_seconds()) + 3600 - 0.001;
  const double last = static_cast<double>(chunk.end.unix_seconds()) - 0.001;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    PrometheusApi api(options_.api);
    for (size_t i = next++; i < queries.size() && !failed; i = next++) {
      results[i] = api.QueryRange(queries[i].promql, first, last, 3600);
      if (!results[i]->ok()) failed = true;
    }
    std::lock_guard lock(mu_);
    stats_.queries += api.stats().queries;
    stats_.retries += api.stats().retries;
    stats_.bytes += api.stats().bytes;
  };
  std::vector<std::thread> threads;
  const int n = std::max(1, std::min<int>(options_.concurrency, static_cast<int>(queries.size())));
  for (int i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();

  for (size_t i = 0; i < queries.size(); ++i) {
    if (results[i] && !results[i]->ok()) return results[i]->status().WithContext(queries[i].name);
  }
  KubeUsageBuilder builder;
  int64_t skipped = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    for (const MatrixSeries& series : **results[i]) {
      for (const auto& [t, text] : series.values) {
        auto value = Decimal::Parse(text);
        if (!value.ok()) {  // NaN or ±Inf: no amount to count
          ++skipped;
          continue;
        }
        const Timestamp hour = Timestamp::FromUnixSeconds(std::llround(t + 0.001) - 3600);
        if (!chunk.Contains(hour)) continue;
        queries[i].apply(series.metric, hour, *value, &builder);
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    stats_.points_skipped += skipped;
  }
  return builder.Build(source, chunk);
}

}  // namespace tally
