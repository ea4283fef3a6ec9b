#include "model/gpu_device_json.h"

namespace tally {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json OrNull(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}
Json OrNull(const std::optional<Decimal>& v) { return v ? Json(v->ToString()) : Json(nullptr); }

std::optional<int64_t> IntOf(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}
std::optional<Decimal> DecimalOf(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  auto d = Decimal::Parse(it->get<std::string>());
  return d.ok() ? std::optional<Decimal>(*d) : std::nullopt;
}
std::string TextOf(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

nlohmann::ordered_json GpuDeviceJson(const GpuDevice& d) {
  Json mig = Json::array();
  for (const GpuMigInstance& m : d.mig_instances) {
    mig.push_back({{"profile", m.profile},
                   {"memory_bytes", OrNull(m.memory_bytes)},
                   {"slices", OrNull(m.slices)}});
  }
  Json processes = Json::array();
  for (const GpuProcess& p : d.processes) {
    processes.push_back({{"pid", p.pid}, {"name", p.name}, {"memory_bytes", OrNull(p.memory_bytes)}});
  }
  return Json{{"uuid", d.uuid},
              {"model", d.model},
              {"host", d.host},
              {"memory_total_bytes", OrNull(d.memory_total_bytes)},
              {"memory_used_bytes", OrNull(d.memory_used_bytes)},
              {"utilization", OrNull(d.utilization)},
              {"power_watts", OrNull(d.power_watts)},
              {"mig_mode", d.mig_enabled ? Json(*d.mig_enabled ? "enabled" : "disabled")
                                         : Json(nullptr)},
              {"mig_instances", std::move(mig)},
              {"processes", std::move(processes)},
              {"observed_at", d.observed_at ? Json(d.observed_at->ToString()) : Json(nullptr)},
              {"source", d.source}};
}

Result<GpuDevice> GpuDeviceFromJson(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return InvalidArgument("a GPU reading is not a JSON object");
  GpuDevice d;
  d.uuid = TextOf(j, "uuid");
  d.model = TextOf(j, "model");
  d.host = TextOf(j, "host");
  d.memory_total_bytes = IntOf(j, "memory_total_bytes");
  d.memory_used_bytes = IntOf(j, "memory_used_bytes");
  d.utilization = DecimalOf(j, "utilization");
  d.power_watts = DecimalOf(j, "power_watts");
  const std::string mig = TextOf(j, "mig_mode");
  if (!mig.empty()) d.mig_enabled = mig == "enabled";
  if (auto it = j.find("mig_instances"); it != j.end() && it->is_array()) {
    for (const Json& m : *it) {
      d.mig_instances.push_back({TextOf(m, "profile"), IntOf(m, "memory_bytes"), IntOf(m, "slices")});
    }
  }
  if (auto it = j.find("processes"); it != j.end() && it->is_array()) {
    for (const Json& p : *it) {
      d.processes.push_back({IntOf(p, "pid").value_or(0), TextOf(p, "name"), IntOf(p, "memory_bytes")});
    }
  }
  const std::string observed = TextOf(j, "observed_at");
  if (!observed.empty()) {
    auto t = ParseTimestamp(observed);
    if (t.ok()) d.observed_at = *t;
  }
  d.source = TextOf(j, "source");
  return d;
}

}  // namespace tally
