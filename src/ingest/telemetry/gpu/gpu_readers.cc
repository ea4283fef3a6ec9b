#include "ingest/telemetry/gpu/gpu_readers.h"

#include "common/strings.h"

namespace tally {
namespace {

struct FormatName {
  GpuFormat format;
  std::string_view name;
};
constexpr FormatName kFormats[] = {{GpuFormat::kNvidiaSmiXml, "nvidia-smi-xml"},
                                   {GpuFormat::kNvidiaSmiText, "nvidia-smi-text"},
                                   {GpuFormat::kNvidiaSmiCsv, "nvidia-smi-csv"},
                                   {GpuFormat::kExporter, "exporter"}};

}  // namespace

Result<std::optional<GpuFormat>> ParseGpuFormat(std::string_view name) {
  if (name.empty() || name == "auto") return std::optional<GpuFormat>();
  for (const FormatName& f : kFormats) {
    if (f.name == name) return std::optional<GpuFormat>(f.format);
  }
  return InvalidArgument("unknown GPU format \"" + std::string(name) +
                         "\": use auto, nvidia-smi-xml, nvidia-smi-text, nvidia-smi-csv or "
                         "exporter");
}

std::string_view GpuFormatName(GpuFormat format) {
  for (const FormatName& f : kFormats) {
    if (f.format == format) return f.name;
  }
  return "";
}

std::optional<GpuFormat> DetectGpuFormat(std::string_view head) {
  if (head.find("<nvidia_smi_log") != std::string_view::npos) return GpuFormat::kNvidiaSmiXml;
  if (head.find("NVSMI LOG") != std::string_view::npos) return GpuFormat::kNvidiaSmiText;
  for (const char* prefix : {"nvidia_smi_", "DCGM_FI_", "nv_gpu_", "nv_energy_consumption",
                             "# HELP nv_", "# TYPE nv_"}) {
    if (head.find(prefix) != std::string_view::npos) return GpuFormat::kExporter;
  }
  const std::string_view first = Trim(head.substr(0, head.find('\n')));
  if (first.starts_with("name,") || first.starts_with("name, ") || first.starts_with("uuid,") ||
      first.starts_with("index, ") || first.starts_with("timestamp, ")) {
    return GpuFormat::kNvidiaSmiCsv;
  }
  return std::nullopt;
}

Result<std::vector<GpuDevice>> ReadGpuTelemetry(std::string_view text, GpuFormat format,
                                                std::string_view host) {
  switch (format) {
    case GpuFormat::kNvidiaSmiXml:
      return ReadNvidiaSmiXml(text, host);
    case GpuFormat::kNvidiaSmiText:
      return ReadNvidiaSmiText(text, host);
    case GpuFormat::kNvidiaSmiCsv:
      return ReadNvidiaSmiCsv(text, host);
    case GpuFormat::kExporter:
      return ReadGpuExposition(text, host);
  }
  return InvalidArgument("unknown GPU format");
}

}  // namespace tally
