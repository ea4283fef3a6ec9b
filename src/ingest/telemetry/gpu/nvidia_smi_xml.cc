// `nvidia-smi -q -x`: one <gpu> per device, MIG devices under <mig_devices>, processes under
// <processes>. Element names moved between driver versions (power_readings became
// gpu_power_readings; power_draw became average_power_draw and instant_power_draw); each value
// is looked up under every name it has had.
#include <pugixml.hpp>

#include "ingest/telemetry/gpu/gpu_readers.h"
#include "ingest/telemetry/gpu/gpu_values.h"

namespace tally {
namespace {

std::string_view Text(const pugi::xml_node& node, const char* path) {
  return node.first_element_by_path(path).child_value();
}

// The first of `paths` with a value.
std::string_view FirstOf(const pugi::xml_node& node, std::initializer_list<const char*> paths) {
  for (const char* path : paths) {
    std::string_view v = Text(node, path);
    if (!gpu::IsMissing(v)) return v;
  }
  return "";
}

}  // namespace

Result<std::vector<GpuDevice>> ReadNvidiaSmiXml(std::string_view text, std::string_view host) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size());
  if (!parsed) {
    return InvalidArgument(std::string("not nvidia-smi XML: ") + parsed.description() +
                           " at byte " + std::to_string(parsed.offset));
  }
  const pugi::xml_node log = doc.child("nvidia_smi_log");
  if (!log) return InvalidArgument("not nvidia-smi XML: no <nvidia_smi_log>");
  std::vector<GpuDevice> out;
  for (const pugi::xml_node& g : log.children("gpu")) {
    GpuDevice d;
    d.source = "nvidia-smi-xml";
    d.host = std::string(host);
    d.uuid = Text(g, "uuid");
    d.model = Text(g, "product_name");
    d.memory_total_bytes = gpu::Bytes(Text(g, "fb_memory_usage/total"));
    d.memory_used_bytes = gpu::Bytes(Text(g, "fb_memory_usage/used"));
    d.utilization = gpu::Percent(Text(g, "utilization/gpu_util"));
    d.power_watts = gpu::Number(FirstOf(
        g, {"gpu_power_readings/power_draw", "gpu_power_readings/average_power_draw",
            "gpu_power_readings/instant_power_draw", "power_readings/power_draw"}));
    d.mig_enabled = gpu::Enabled(Text(g, "mig_mode/current_mig"));
    for (const pugi::xml_node& m : g.child("mig_devices").children("mig_device")) {
      GpuMigInstance instance;
      instance.memory_bytes = gpu::Bytes(Text(m, "fb_memory_usage/total"));
      const std::optional<int64_t> sms =
          gpu::Whole(Text(m, "device_attributes/shared/multiprocessor_count"));
      if (sms) instance.slices = gpu::MigSlices(d.model, *sms);
      instance.profile = gpu::MigProfile(instance.slices, instance.memory_bytes);
      d.mig_instances.push_back(std::move(instance));
    }
    for (const pugi::xml_node& p : g.child("processes").children("process_info")) {
      GpuProcess process;
      process.pid = gpu::Whole(Text(p, "pid")).value_or(0);
      process.name = Text(p, "process_name");
      process.memory_bytes = gpu::Bytes(Text(p, "used_memory"));
      d.processes.push_back(std::move(process));
    }
    out.push_back(std::move(d));
  }
  if (out.empty()) return InvalidArgument("nvidia-smi XML with no <gpu>");
  return out;
}

}  // namespace tally
