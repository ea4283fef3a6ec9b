// `tally gpus`: the physical GPUs, one row per device, from their newest readings. The table and
// CSV show the flat columns; JSON is {"rows": [...]} with each device as
// model/gpu_device_json.h writes it (MIG instances and processes included).
//
// Pure functions. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "report/record_table.h"
#include "tally/gpu.h"

namespace tally {

RecordTable GpuInventoryTable(const std::vector<GpuDevice>& devices);
nlohmann::ordered_json GpuInventoryJson(const std::vector<GpuDevice>& devices);

}  // namespace tally
