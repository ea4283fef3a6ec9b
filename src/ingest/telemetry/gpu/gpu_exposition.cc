// GPU exporters' Prometheus text, keyed by the device's UUID label:
//   nvidia_gpu_exporter  nvidia_smi_gpu_info{name, uuid}, nvidia_smi_memory_{total,used}_bytes,
//                        nvidia_smi_utilization_gpu_ratio, nvidia_smi_power_draw_watts,
//                        nvidia_smi_mig_mode_current, nvidia_smi_compute_app_used_memory_bytes
//   DCGM exporter        DCGM_FI_DEV_FB_{TOTAL,USED,FREE,RESERVED} (MiB), DCGM_FI_DEV_GPU_UTIL
//                        (%), DCGM_FI_PROF_GR_ENGINE_ACTIVE (0–1, preferred when present),
//                        DCGM_FI_DEV_POWER_USAGE (W); modelName and Hostname labels; MIG
//                        instances by their GPU_I_ID and GPU_I_PROFILE labels
//   Triton               nv_gpu_memory_{total,used}_bytes, nv_gpu_utilization (0–1),
//                        nv_gpu_power_usage (W), by gpu_uuid
#include <cstdio>
#include <map>

#include "ingest/telemetry/gpu/gpu_readers.h"
#include "ingest/telemetry/gpu/gpu_values.h"
#include "ingest/telemetry/prometheus/exposition.h"

namespace tally {
namespace {

std::optional<Decimal> FromDouble(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f", v);
  return gpu::Number(text);
}

std::optional<int64_t> BytesOf(double v, const char* unit) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f %s", v, unit);
  return gpu::Bytes(text);
}

struct Reading {
  GpuDevice device;
  std::optional<double> fb_total, fb_used, fb_free, fb_reserved;  // DCGM, MiB
  std::optional<double> engine_active, gpu_util_percent;          // DCGM
  std::map<std::string, GpuMigInstance> mig;                      // by GPU_I_ID
};

class Visitor final : public ExpositionVisitor {
 public:
  explicit Visitor(std::string_view host) : host_(host) {}

  void OnSample(const ExpositionSample& s) override {
    std::string_view uuid, model, hostname, pid, process, mig_id, mig_profile;
    for (const Label& l : s.labels) {
      if (l.name == "uuid" || l.name == "UUID" || l.name == "gpu_uuid") uuid = l.value;
      if (l.name == "modelName" || l.name == "name") model = l.value;
      if (l.name == "Hostname") hostname = l.value;
      if (l.name == "pid") pid = l.value;
      if (l.name == "process_name") process = l.value;
      if (l.name == "GPU_I_ID") mig_id = l.value;
      if (l.name == "GPU_I_PROFILE") mig_profile = l.value;
    }
    if (uuid.empty()) return;
    const std::string_view n = s.name;
    const bool known = n.starts_with("nvidia_smi_") || n.starts_with("DCGM_FI_") ||
                       n.starts_with("nv_gpu_") || n == "nv_energy_consumption";
    if (!known) return;
    Reading& r = readings_[std::string(uuid)];
    GpuDevice& d = r.device;
    d.uuid = uuid;
    if (!model.empty() && (n == "nvidia_smi_gpu_info" || n.starts_with("DCGM_FI_"))) d.model = model;
    if (!hostname.empty()) d.host = hostname;
    if (n.starts_with("nvidia_smi_")) d.source = "nvidia-gpu-exporter";
    if (n.starts_with("DCGM_FI_")) d.source = "dcgm-exporter";
    if (n.starts_with("nv_gpu_")) d.source = "triton";
    if (!mig_id.empty()) {
      GpuMigInstance& m = r.mig[std::string(mig_id)];
      m.profile = mig_profile;
      const size_t g = mig_profile.find('g');
      if (g != std::string_view::npos && g > 0) {
        m.slices = gpu::Whole(mig_profile.substr(0, g));
      }
      if (n == "DCGM_FI_DEV_FB_TOTAL") m.memory_bytes = BytesOf(s.value, "MiB");
      return;  // an instance's readings are not the device's
    }
    if (n == "nvidia_smi_memory_total_bytes" || n == "nv_gpu_memory_total_bytes") {
      d.memory_total_bytes = BytesOf(s.value, "B");
    } else if (n == "nvidia_smi_memory_used_bytes" || n == "nv_gpu_memory_used_bytes") {
      d.memory_used_bytes = BytesOf(s.value, "B");
    } else if (n == "nvidia_smi_utilization_gpu_ratio" || n == "nv_gpu_utilization") {
      d.utilization = FromDouble(s.value);
    } else if (n == "nvidia_smi_power_draw_watts" || n == "nv_gpu_power_usage" ||
               n == "DCGM_FI_DEV_POWER_USAGE") {
      d.power_watts = FromDouble(s.value);
    } else if (n == "nvidia_smi_mig_mode_current") {
      d.mig_enabled = s.value != 0;
    } else if (n == "nvidia_smi_compute_app_used_memory_bytes") {
      GpuProcess p;
      p.pid = gpu::Whole(pid).value_or(0);
      p.name = process;
      p.memory_bytes = BytesOf(s.value, "B");
      d.processes.push_back(std::move(p));
    } else if (n == "DCGM_FI_DEV_FB_TOTAL") {
      r.fb_total = s.value;
    } else if (n == "DCGM_FI_DEV_FB_USED") {
      r.fb_used = s.value;
    } else if (n == "DCGM_FI_DEV_FB_FREE") {
      r.fb_free = s.value;
    } else if (n == "DCGM_FI_DEV_FB_RESERVED") {
      r.fb_reserved = s.value;
    } else if (n == "DCGM_FI_PROF_GR_ENGINE_ACTIVE") {
      r.engine_active = s.value;
    } else if (n == "DCGM_FI_DEV_GPU_UTIL") {
      r.gpu_util_percent = s.value;
    }
  }

  std::vector<GpuDevice> Devices() && {
    std::vector<GpuDevice> out;
    for (auto& [uuid, r] : readings_) {
      GpuDevice& d = r.device;
      if (d.host.empty()) d.host = host_;
      if (r.fb_used) d.memory_used_bytes = BytesOf(*r.fb_used, "MiB");
      if (r.fb_total) {
        d.memory_total_bytes = BytesOf(*r.fb_total, "MiB");
      } else if (r.fb_used && r.fb_free) {
        d.memory_total_bytes = BytesOf(*r.fb_used + *r.fb_free + r.fb_reserved.value_or(0), "MiB");
      }
      if (r.engine_active) {
        d.utilization = FromDouble(*r.engine_active);
      } else if (r.gpu_util_percent) {
        d.utilization = FromDouble(*r.gpu_util_percent / 100);
      }
      if (!r.mig.empty()) d.mig_enabled = true;
      for (auto& [id, m] : r.mig) d.mig_instances.push_back(std::move(m));
      out.push_back(std::move(d));
    }
    return out;
  }

 private:
  std::string host_;
  std::map<std::string, Reading> readings_;
};

}  // namespace

Result<std::vector<GpuDevice>> ReadGpuExposition(std::string_view text, std::string_view host) {
  Visitor visitor(host);
  TALLY_RETURN_IF_ERROR(ParseExposition(text, ExpositionFormat::kPrometheusText, &visitor));
  std::vector<GpuDevice> devices = std::move(visitor).Devices();
  if (devices.empty()) {
    return InvalidArgument(
        "no GPU in this exposition: no nvidia_smi_*, DCGM_FI_* or nv_gpu_* sample with a GPU uuid");
  }
  return devices;
}

}  // namespace tally
