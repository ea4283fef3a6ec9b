// `nvidia-smi --query-gpu=FIELDS --format=csv[,nounits]`: a header of the queried fields, each
// with its unit in brackets ("memory.used [MiB]"), then a line per device, values separated by
// ", ". Fields and values never hold commas, so a plain split reads them. Without
// memory.total, the total is reserved + used + free.
#include <map>

#include "common/strings.h"
#include "ingest/telemetry/gpu/gpu_readers.h"
#include "ingest/telemetry/gpu/gpu_values.h"

namespace tally {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> out;
  for (size_t pos = 0;;) {
    const size_t comma = line.find(',', pos);
    out.push_back(Trim(line.substr(pos, comma == std::string_view::npos ? std::string_view::npos
                                                                        : comma - pos)));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<GpuDevice>> ReadNvidiaSmiCsv(std::string_view text, std::string_view host) {
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!Trim(line).empty()) lines.push_back(line);
    pos = end + 1;
  }
  if (lines.empty()) return InvalidArgument("empty nvidia-smi CSV");
  // Field name -> (column, unit).
  std::map<std::string, std::pair<size_t, std::string>, std::less<>> fields;
  const std::vector<std::string_view> header = SplitFields(lines[0]);
  for (size_t i = 0; i < header.size(); ++i) {
    std::string_view name = header[i], unit;
    if (const size_t open = name.find(" ["); open != std::string_view::npos) {
      unit = name.substr(open + 2, name.size() - open - 3);
      name = name.substr(0, open);
    }
    fields.emplace(std::string(name), std::pair{i, std::string(unit)});
  }
  if (!fields.contains("name") && !fields.contains("uuid")) {
    return InvalidArgument("not nvidia-smi --query-gpu CSV: the header has neither name nor uuid");
  }
  std::vector<GpuDevice> out;
  for (size_t l = 1; l < lines.size(); ++l) {
    const std::vector<std::string_view> values = SplitFields(lines[l]);
    if (values.size() != header.size()) {
      return InvalidArgument("line " + std::to_string(l + 1) + ": " +
                             std::to_string(values.size()) + " values for " +
                             std::to_string(header.size()) + " fields");
    }
    // The value of `field` with its header's unit appended when it has none of its own.
    auto get = [&](std::string_view field) -> std::string {
      auto it = fields.find(field);
      if (it == fields.end()) return "";
      const std::string_view v = values[it->second.first];
      if (gpu::IsMissing(v) || it->second.second.empty()) return std::string(v);
      if (v.find(' ') != std::string_view::npos) return std::string(v);  // "0 %"
      return std::string(v) + " " + it->second.second;
    };
    GpuDevice d;
    d.source = "nvidia-smi-csv";
    d.host = std::string(host);
    d.model = get("name");
    d.uuid = get("uuid");
    d.memory_used_bytes = gpu::Bytes(get("memory.used"));
    d.memory_total_bytes = gpu::Bytes(get("memory.total"));
    if (!d.memory_total_bytes) {
      const auto reserved = gpu::Bytes(get("memory.reserved"));
      const auto free = gpu::Bytes(get("memory.free"));
      if (reserved && free && d.memory_used_bytes) {
        d.memory_total_bytes = *reserved + *d.memory_used_bytes + *free;
      }
    }
    d.utilization = gpu::Percent(get("utilization.gpu"));
    d.power_watts = gpu::Number(get("power.draw"));
    if (!d.power_watts) d.power_watts = gpu::Number(get("power.draw.average"));
    d.mig_enabled = gpu::Enabled(get("mig.mode.current"));
    out.push_back(std::move(d));
  }
  if (out.empty()) return InvalidArgument("nvidia-smi CSV with a header and no device");
  return out;
}

}  // namespace tally
