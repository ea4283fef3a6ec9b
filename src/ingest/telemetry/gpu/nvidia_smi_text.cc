// `nvidia-smi -q`: a block per device starting "GPU <bus id>" at the margin, then "Key : Value"
// lines and section headers, nested by four spaces. Each value is kept under its path
// ("FB Memory Usage/Total"); processes are read in order, each starting at its "Process ID".
#include <map>

#include "common/strings.h"
#include "ingest/telemetry/gpu/gpu_readers.h"
#include "ingest/telemetry/gpu/gpu_values.h"

namespace tally {
namespace {

struct Block {
  std::map<std::string, std::string, std::less<>> values;  // path -> first value
  std::vector<GpuProcess> processes;
};

std::string_view Value(const Block& b, std::string_view path) {
  auto it = b.values.find(path);
  return it == b.values.end() ? std::string_view() : std::string_view(it->second);
}

GpuDevice ToDevice(const Block& b, std::string_view host) {
  GpuDevice d;
  d.source = "nvidia-smi-text";
  d.host = std::string(host);
  d.uuid = Value(b, "GPU UUID");
  d.model = Value(b, "Product Name");
  d.memory_total_bytes = gpu::Bytes(Value(b, "FB Memory Usage/Total"));
  d.memory_used_bytes = gpu::Bytes(Value(b, "FB Memory Usage/Used"));
  d.utilization = gpu::Percent(Value(b, "Utilization/Gpu"));
  for (const char* path : {"GPU Power Readings/Power Draw", "GPU Power Readings/Average Power Draw",
                           "GPU Power Readings/Instant Power Draw", "Power Readings/Power Draw"}) {
    if (!d.power_watts) d.power_watts = gpu::Number(Value(b, path));
  }
  d.mig_enabled = gpu::Enabled(Value(b, "MIG Mode/Current"));
  d.processes = b.processes;
  return d;
}

}  // namespace

Result<std::vector<GpuDevice>> ReadNvidiaSmiText(std::string_view text, std::string_view host) {
  std::vector<GpuDevice> out;
  std::optional<Block> block;
  std::vector<std::string> sections;  // by nesting level
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;
    const size_t indent = line.find_first_not_of(' ');
    if (indent == 0) {
      if (block) out.push_back(ToDevice(*block, host));
      block.reset();
      if (line.starts_with("GPU ")) block.emplace();
      sections.clear();
      continue;
    }
    if (!block) continue;
    const size_t level = indent / 4 - (indent >= 4 ? 1 : 0);
    sections.resize(std::min(sections.size(), level));
    const size_t colon = line.find(" : ");
    const std::string_view key = Trim(line.substr(indent, colon == std::string_view::npos
                                                              ? std::string_view::npos
                                                              : colon - indent));
    if (colon == std::string_view::npos) {  // a section header
      sections.resize(level);
      sections.emplace_back(key);
      continue;
    }
    const std::string_view value = Trim(line.substr(colon + 3));
    std::string path;
    for (const std::string& s : sections) path += s + "/";
    path += key;
    if (!sections.empty() && sections.front() == "Processes") {
      if (key == "Process ID") {
        GpuProcess p;
        p.pid = gpu::Whole(value).value_or(0);
        block->processes.push_back(std::move(p));
      } else if (!block->processes.empty() && key == "Name") {
        block->processes.back().name = value;
      } else if (!block->processes.empty() && key == "Used GPU Memory") {
        block->processes.back().memory_bytes = gpu::Bytes(value);
      }
      continue;
    }
    block->values.emplace(std::move(path), value);
  }
  if (block) out.push_back(ToDevice(*block, host));
  if (out.empty()) return InvalidArgument("not an nvidia-smi -q report: no \"GPU <bus id>\" block");
  return out;
}

}  // namespace tally
