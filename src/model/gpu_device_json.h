// A GpuDevice as JSON, the one shape `tally gpus --format json`, the API and the store share:
// {"uuid","model","host","memory_total_bytes","memory_used_bytes","utilization" (0–1, a decimal
// string),"power_watts" (decimal string),"mig_mode" ("enabled"|"disabled"),"mig_instances":
// [{"profile","memory_bytes","slices"}],"processes":[{"pid","name","memory_bytes"}],
// "observed_at","source"}; a value the reading lacks is null.
//
// Pure functions. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "tally/gpu.h"
#include "tally/result.h"

namespace tally {

nlohmann::ordered_json GpuDeviceJson(const GpuDevice& device);
// Errors: kInvalidArgument for text that is not such an object.
Result<GpuDevice> GpuDeviceFromJson(std::string_view text);

}  // namespace tally
