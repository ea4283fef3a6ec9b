// Physical GPUs as telemetry describes them: one reading per device (model, memory, utilization,
// power, MIG mode and instances, the processes on it), from nvidia-smi, exporters or NVML
// (src/ingest/telemetry/gpu). `tally gpus` lists the newest reading of each device.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tally/decimal.h"
#include "tally/time.h"

namespace tally {

// A MIG GPU instance: its profile ("3g.20gb"), memory and compute slices (of the device's 7).
struct GpuMigInstance {
  std::string profile;
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> slices;
};

// A process using the GPU, with its GPU memory.
struct GpuProcess {
  int64_t pid = 0;
  std::string name;
  std::optional<int64_t> memory_bytes;
};

struct GpuDevice {
  std::string host;  // the machine it is in (from the reading, else the file's name or --host)
  std::string uuid;
  std::string model;
  std::optional<int64_t> memory_total_bytes, memory_used_bytes;
  // 0–1: graphics-engine (or SM) activity where known, else the GPU utilization.
  std::optional<Decimal> utilization;
  std::optional<Decimal> power_watts;
  std::optional<bool> mig_enabled;
  std::vector<GpuMigInstance> mig_instances;
  std::vector<GpuProcess> processes;
  std::optional<Timestamp> observed_at;  // when the reading was taken, when it says
  std::string source;                    // the format it came from ("nvidia-smi-xml", ...)
};

}  // namespace tally
