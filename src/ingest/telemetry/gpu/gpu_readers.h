// GPU telemetry files, each into the devices it describes (tally/gpu.h):
//   nvidia-smi-xml   `nvidia-smi -q -x` (pugixml, from Debian)
//   nvidia-smi-text  `nvidia-smi -q`, the indented "Key : Value" report
//   nvidia-smi-csv   `nvidia-smi --query-gpu=... --format=csv`, with its header
//   exporter         Prometheus text of nvidia_gpu_exporter (nvidia_smi_*), of NVIDIA's DCGM
//                    exporter (DCGM_FI_*) and of Triton's GPU metrics (nv_gpu_*)
// `host` names the machine when the file does not (nvidia-smi never does; DCGM's Hostname label
// does). Errors: kInvalidArgument with what is wrong, for a file that is not of its format or
// describes no GPU.
//
// Pure functions. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tally/gpu.h"
#include "tally/result.h"

namespace tally {

enum class GpuFormat { kNvidiaSmiXml, kNvidiaSmiText, kNvidiaSmiCsv, kExporter };

// "auto" is nullopt. Errors: kInvalidArgument naming the choices.
Result<std::optional<GpuFormat>> ParseGpuFormat(std::string_view name);
std::string_view GpuFormatName(GpuFormat format);
// The format of a file from its first bytes; nullopt when it is none of them.
std::optional<GpuFormat> DetectGpuFormat(std::string_view head);

Result<std::vector<GpuDevice>> ReadGpuTelemetry(std::string_view text, GpuFormat format,
                                                std::string_view host);

// One reader per format (gpu_readers.cc dispatches).
Result<std::vector<GpuDevice>> ReadNvidiaSmiXml(std::string_view text, std::string_view host);
Result<std::vector<GpuDevice>> ReadNvidiaSmiText(std::string_view text, std::string_view host);
Result<std::vector<GpuDevice>> ReadNvidiaSmiCsv(std::string_view text, std::string_view host);
Result<std::vector<GpuDevice>> ReadGpuExposition(std::string_view text, std::string_view host);

}  // namespace tally
