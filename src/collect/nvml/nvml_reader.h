// Live GPU readings through NVML, the library the NVIDIA driver installs (libnvidia-ml.so.1),
// loaded with dlopen on first use: nothing to link, and a machine without the driver gets a
// clear error instead of a binary that will not start. The NVML declarations tally uses (a
// handful of functions and their v1 structs, stable since NVML 5) are written out in
// nvml_reader.cc; the NVIDIA header is not packaged by Debian's main archive.
//
// NvmlReadings are what NVML returned, turned into GpuDevices by a pure function (tested with
// recorded values, since no driver runs here). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tally/gpu.h"
#include "tally/result.h"

namespace tally {

// One device as NVML reports it, in NVML's units.
struct NvmlReading {
  std::string name, uuid;
  std::optional<uint64_t> memory_total, memory_used;  // bytes
  std::optional<unsigned> gpu_util_percent;           // nvmlUtilization_t.gpu
  std::optional<unsigned> power_milliwatts;           // nvmlDeviceGetPowerUsage
  std::optional<unsigned> mig_mode;                   // current: 1 enabled, 0 disabled
  struct Process {
    unsigned pid = 0;
    std::optional<uint64_t> used_memory;  // bytes; NVML's "not available" is nullopt
  };
  std::vector<Process> processes;
};

// The devices of `readings` as GpuDevices of `host` (source "nvml").
std::vector<GpuDevice> NvmlToDevices(const std::vector<NvmlReading>& readings,
                                     const std::string& host);

// Reads every device. Errors: kUnavailable when there is no driver (the library cannot be
// loaded, or NVML will not initialise), naming why.
Result<std::vector<NvmlReading>> ReadNvml();

}  // namespace tally
