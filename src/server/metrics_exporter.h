// /metrics: the last allocated hour as Prometheus series. The OpenCost names and labels keep
// existing Grafana dashboards working: node_{cpu,ram,gpu}_hourly_cost (price per core-, GiB- and
// GPU-hour), node_total_hourly_cost, container_cpu_allocation (cores),
// container_memory_allocation_bytes, container_gpu_allocation; plus tally_* series (cost by
// owner, resource and kind; idle per node; source freshness).
#pragma once

#include <string>

#include "tally/store.h"

namespace tally {

// The exposition text. Errors: the store's.
Result<std::string> RenderMetrics(Store* store);

}  // namespace tally
