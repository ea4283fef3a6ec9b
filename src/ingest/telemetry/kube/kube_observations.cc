#include "ingest/telemetry/kube/kube_observations.h"

#include <charconv>
#include <cmath>
#include <set>

namespace tally {
namespace {

constexpr int64_t kHourMs = 3'600'000;

std::string_view Get(std::span<const Label> labels, std::string_view name) {
  for (const Label& l : labels) {
    if (l.name == name) return l.value;
  }
  return {};
}

// cAdvisor before Kubernetes 1.16 names them pod_name and container_name.
std::string_view GetEither(std::span<const Label> labels, std::string_view name,
                           std::string_view old_name) {
  std::string_view v = Get(labels, name);
  return v.empty() ? Get(labels, old_name) : v;
}

int64_t FloorHourMs(int64_t t) { return t - (((t % kHourMs) + kHourMs) % kHourMs); }

}  // namespace

std::optional<Decimal> DecimalFromDouble(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return std::nullopt;
  auto parsed = Decimal::Parse(std::string_view(buf, static_cast<size_t>(end - buf)));
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

bool KubeObservations::Uses(std::string_view name) {
  static const std::set<std::string_view, std::less<>> kNames = {
      "kube_pod_info",
      "kube_pod_labels",
      "kube_node_info",
      "kube_node_labels",
      "kube_pod_container_resource_requests",
      "kube_pod_container_resource_requests_cpu_cores",
      "kube_pod_container_resource_requests_memory_bytes",
      "container_cpu_usage_seconds_total",
      "container_memory_working_set_bytes",
      "kube_node_status_capacity",
      "kube_node_status_capacity_cpu_cores",
      "kube_node_status_capacity_memory_bytes",
      "DCGM_FI_DEV_GPU_UTIL",
      "kube_persistentvolume_info",
      "kube_persistentvolume_claim_ref",
      "kube_persistentvolume_capacity_bytes",
      "kube_persistentvolumeclaim_info",
      "kube_persistentvolumeclaim_labels",
      "kube_pod_spec_volumes_persistentvolumeclaims_info",
      "kubelet_volume_stats_used_bytes",
  };
  return kNames.contains(name);
}

bool KubeObservations::Classify(std::string_view name, std::span<const Label> labels, Series* s) {
  const std::string ns(Get(labels, "namespace"));
  const std::string pod(GetEither(labels, "pod", "pod_name"));
  if (name == "kube_pod_info") {
    builder_->SetPodNode(ns, pod, std::string(Get(labels, "node")));
    builder_->SetPodIp(ns, pod, std::string(Get(labels, "pod_ip")));
    builder_->SetPodController(ns, pod, std::string(Get(labels, "created_by_kind")),
                               std::string(Get(labels, "created_by_name")));
    return false;
  }
  if (name == "kube_pod_labels") {
    for (const Label& l : labels) {
      if (l.name.starts_with("label_"))
        builder_->AddPodLabel(ns, pod, l.name, std::string(l.value));
    }
    return false;
  }
  if (name == "kube_persistentvolume_info") {
    // The cloud's id of the disk, which the bill's ResourceId names.
    std::string_view id = Get(labels, "ebs_volume_id");
    if (id.empty()) id = Get(labels, "csi_volume_handle");
    if (id.empty()) id = Get(labels, "gce_persistent_disk_name");
    if (id.empty()) id = Get(labels, "azure_disk_name");
    builder_->SetVolumeInfo(std::string(Get(labels, "persistentvolume")), std::string(id),
                            std::string(Get(labels, "storageclass")));
    return false;
  }
  if (name == "kube_persistentvolume_claim_ref") {
    builder_->SetClaimVolume(std::string(Get(labels, "claim_namespace")),
                             std::string(Get(labels, "name")),
                             std::string(Get(labels, "persistentvolume")));
    return false;
  }
  if (name == "kube_persistentvolumeclaim_info") {
    builder_->SetClaimVolume(ns, std::string(Get(labels, "persistentvolumeclaim")),
                             std::string(Get(labels, "volumename")));
    return false;
  }
  if (name == "kube_persistentvolumeclaim_labels") {
    const std::string claim(Get(labels, "persistentvolumeclaim"));
    for (const Label& l : labels) {
      if (l.name.starts_with("label_")) builder_->AddClaimLabel(ns, claim, l.name, std::string(l.value));
    }
    return false;
  }
  if (name == "kube_persistentvolume_capacity_bytes") {
    s->target = Target::kVolumeCapacity;
    s->volume = std::string(Get(labels, "persistentvolume"));
    return !s->volume.empty();
  }
  if (name == "kubelet_volume_stats_used_bytes") {
    s->target = Target::kClaimUsage;
    s->ns = ns;
    s->volume = std::string(Get(labels, "persistentvolumeclaim"));
    return !s->volume.empty();
  }
  if (name == "kube_pod_spec_volumes_persistentvolumeclaims_info") {
    s->target = Target::kVolumeMount;
    s->ns = ns;
    s->pod = pod;
    s->volume = std::string(Get(labels, "persistentvolumeclaim"));
    return !s->pod.empty() && !s->volume.empty();
  }
  const std::string node(Get(labels, "node"));
  if (name == "kube_node_info") {
    builder_->SetNodeProviderId(node, std::string(Get(labels, "provider_id")));
    builder_->SetNodeAddress(node, std::string(Get(labels, "internal_ip")));
    return false;
  }
  if (name == "kube_node_labels") {
    for (const Label& l : labels) {
      if (l.name.starts_with("label_")) builder_->AddNodeLabel(node, l.name, std::string(l.value));
    }
    return false;
  }
  s->ns = ns;
  s->pod = pod;
  s->container = std::string(GetEither(labels, "container", "container_name"));
  s->node = node;
  auto container_level = [&] {
    return !s->pod.empty() && !s->container.empty() && s->container != "POD";
  };
  if (name == "kube_pod_container_resource_requests") {
    auto r = KubeResourceFromLabel(Get(labels, "resource"));
    if (!r || !container_level()) return false;
    s->target = Target::kRequest;
    s->resource = r->resource;
    s->scale = r->scale;
  } else if (name == "kube_pod_container_resource_requests_cpu_cores" ||
             name == "kube_pod_container_resource_requests_memory_bytes") {
    if (!container_level()) return false;
    s->target = Target::kLegacyRequest;
    s->resource = name.ends_with("cpu_cores") ? KubeResource::kCpu : KubeResource::kMemory;
  } else if (name == "container_cpu_usage_seconds_total") {
    if (!container_level()) return false;
    s->target = Target::kUsageCounter;
    s->resource = KubeResource::kCpu;
  } else if (name == "container_memory_working_set_bytes") {
    if (!container_level()) return false;
    s->target = Target::kUsageGauge;
    s->resource = KubeResource::kMemory;
  } else if (name == "DCGM_FI_DEV_GPU_UTIL") {
    if (!container_level()) return false;
    s->target = Target::kGpuUtilization;  // percent of one GPU
    s->resource = KubeResource::kGpu;
  } else if (name == "kube_node_status_capacity") {
    auto r = KubeResourceFromLabel(Get(labels, "resource"));
    if (!r || node.empty()) return false;
    s->target = Target::kCapacity;
    s->resource = r->resource;
    s->scale = r->scale;
  } else if (name == "kube_node_status_capacity_cpu_cores" ||
             name == "kube_node_status_capacity_memory_bytes") {
    if (node.empty()) return false;
    s->target = Target::kLegacyCapacity;
    s->resource = name.ends_with("cpu_cores") ? KubeResource::kCpu : KubeResource::kMemory;
  } else {
    return false;
  }
  if (!s->node.empty() && !s->pod.empty()) builder_->SetPodNode(s->ns, s->pod, s->node);
  return true;
}

void KubeObservations::Observe(std::string_view name, std::span<const Label> labels, double value,
                               int64_t t_ms) {
  key_.assign(name);
  for (const Label& l : labels) {
    key_ += '\0';
    key_ += l.name;
    key_ += '=';
    key_ += l.value;
  }
  auto it = series_.find(key_);
  if (it == series_.end()) {
    Series s;
    if (!Classify(name, labels, &s)) return;
    it = series_.emplace(key_, std::move(s)).first;
    it->second.last_t = INT64_MIN;
  }
  Series& s = it->second;
  const std::optional<Decimal> v = DecimalFromDouble(value);
  if (!v) {
    if (std::isnan(value) && s.last_t != INT64_MIN && t_ms > s.last_t) {
      // Prometheus's staleness marker: the series ended at t_ms.
      if (s.target != Target::kUsageCounter) {
        Hold(s, s.last_t, std::min(t_ms, s.last_t + max_hold_ms_));
      }
      s.last_t = INT64_MIN;
      return;
    }
    ++not_finite_;
    return;
  }
  if (s.last_t != INT64_MIN) {
    if (t_ms <= s.last_t) {
      ++out_of_order_;
      return;
    }
    if (s.target == Target::kUsageCounter) {
      Spread(s, *v >= s.last_value ? *v - s.last_value : *v, s.last_t, t_ms);
    } else {
      Hold(s, s.last_t, std::min(t_ms, s.last_t + max_hold_ms_));
    }
    s.last_interval = t_ms - s.last_t;
  }
  s.last_t = t_ms;
  s.last_value = *v;
  ++samples_used_;
}

void KubeObservations::CloseIdle(int64_t before_ms) {
  for (auto it = series_.begin(); it != series_.end();) {
    Series& s = it->second;
    if (s.last_t != INT64_MIN && s.last_t >= before_ms) {
      ++it;
      continue;
    }
    if (s.last_t != INT64_MIN && s.target != Target::kUsageCounter) {
      const int64_t hold =
          s.last_interval > 0 ? std::min(s.last_interval, max_hold_ms_) : max_hold_ms_;
      Hold(s, s.last_t, s.last_t + hold);
    }
    it = series_.erase(it);
  }
}

void KubeObservations::Hold(const Series& s, int64_t from_ms, int64_t to_ms) {
  for (int64_t h = FloorHourMs(from_ms); h < to_ms; h += kHourMs) {
    const int64_t overlap = std::min(to_ms, h + kHourMs) - std::max(from_ms, h);
    if (overlap <= 0) continue;
    auto amount = s.last_value.Multiply(Decimal::FromUnits(overlap));
    if (!amount.ok()) continue;
    auto hours = amount->Divide(Decimal::FromUnits(kHourMs));
    if (hours.ok()) AddAmount(s, Timestamp::FromUnixSeconds(h / 1000), *hours);
  }
}

void KubeObservations::Spread(const Series& s, Decimal increase, int64_t from_ms, int64_t to_ms) {
  // increase is CPU-seconds over [from, to); an hour's share is increase × overlap / span,
  // and CPU-seconds / 3600 are core-hours.
  const Decimal span_hours = Decimal::FromUnits((to_ms - from_ms) * 3600);
  for (int64_t h = FloorHourMs(from_ms); h < to_ms; h += kHourMs) {
    const int64_t overlap = std::min(to_ms, h + kHourMs) - std::max(from_ms, h);
    if (overlap <= 0) continue;
    auto part = increase.Multiply(Decimal::FromUnits(overlap));
    if (!part.ok()) continue;
    auto hours = part->Divide(span_hours);
    if (hours.ok()) AddAmount(s, Timestamp::FromUnixSeconds(h / 1000), *hours);
  }
}

void KubeObservations::AddAmount(const Series& s, Timestamp hour, Decimal amount_hours) {
  if (s.scale != 1) {
    auto scaled = amount_hours.Multiply(Decimal::FromUnits(s.scale));
    if (!scaled.ok()) return;
    amount_hours = *scaled;
  }
  switch (s.target) {
    case Target::kRequest:
      builder_->AddContainer(hour, s.ns, s.pod, s.container, s.resource, KubeField::kRequest,
                             amount_hours);
      break;
    case Target::kLegacyRequest:
      builder_->AddContainer(hour, s.ns, s.pod, s.container, s.resource, KubeField::kLegacyRequest,
                             amount_hours);
      break;
    case Target::kUsageGauge:
    case Target::kUsageCounter:
      builder_->AddContainer(hour, s.ns, s.pod, s.container, s.resource, KubeField::kUsage,
                             amount_hours);
      break;
    case Target::kGpuUtilization:
      if (auto gpus = amount_hours.Divide(Decimal::FromUnits(100)); gpus.ok()) {
        builder_->AddContainer(hour, s.ns, s.pod, s.container, s.resource, KubeField::kUsage,
                               *gpus);
      }
      break;
    case Target::kCapacity:
      builder_->AddNodeCapacity(hour, s.node, s.resource, amount_hours);
      break;
    case Target::kLegacyCapacity:
      builder_->AddNodeCapacity(hour, s.node, s.resource, amount_hours, true);
      break;
    case Target::kVolumeCapacity:
      builder_->AddVolumeCapacity(hour, s.volume, amount_hours);
      break;
    case Target::kClaimUsage:
      builder_->AddClaimUsage(hour, s.ns, s.volume, amount_hours);
      break;
    case Target::kVolumeMount:  // an info series of value 1: its amount-hours are hours mounted
      builder_->AddPodMount(hour, s.ns, s.pod, s.volume, amount_hours);
      break;
  }
}

}  // namespace tally
