#include "report/gpu_inventory.h"

#include "model/gpu_device_json.h"

namespace tally {
namespace {

template <typename T>
std::optional<std::string> Text(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  if constexpr (std::is_same_v<T, Decimal>) {
    return v->ToString();
  } else {
    return std::to_string(*v);
  }
}

}  // namespace

RecordTable GpuInventoryTable(const std::vector<GpuDevice>& devices) {
  RecordTable t{{"host", "uuid", "model", "memory_total_bytes", "memory_used_bytes",
                 "utilization", "power_watts", "mig_mode", "mig_instances", "processes"},
                {false, false, false, true, true, true, true, false, false, true},
                {false, false, false, false, false, true, true, false, false, false},
                {},
                {}};
  for (const GpuDevice& d : devices) {
    std::string mig;
    for (const GpuMigInstance& m : d.mig_instances) {
      mig += (mig.empty() ? "" : " ") + (m.profile.empty() ? std::string("?") : m.profile);
    }
    t.rows.push_back({d.host, d.uuid, d.model, Text(d.memory_total_bytes),
                      Text(d.memory_used_bytes), Text(d.utilization), Text(d.power_watts),
                      d.mig_enabled ? std::optional<std::string>(*d.mig_enabled ? "enabled"
                                                                                : "disabled")
                                    : std::nullopt,
                      mig, std::to_string(d.processes.size())});
  }
  return t;
}

nlohmann::ordered_json GpuInventoryJson(const std::vector<GpuDevice>& devices) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const GpuDevice& d : devices) rows.push_back(GpuDeviceJson(d));
  return {{"rows", std::move(rows)}};
}

}  // namespace tally
