// /metrics: the last allocated hour as Prometheus series. The OpenCost names and labels keep
// existing Grafana dashboards working: node_{cpu,ram,gpu}_hourly_cost (price per core-, GiB- and
// GPU-hour), node_total_hourly_cost, container_cpu_allocation (cores),
// container_memory_allocation_bytes, container_gpu_allocation; plus tally_* series (cost by
// owner, resource and kind; idle per node; source freshness).
#pragma once

#include <string>

#include "access/caller.h"
#include "tally/store.h"

namespace tally {

// The exposition text; for a caller scoped to owners, only its owners' series (container
// allocations, tally_hourly_cost, tally_gpu_idle_cost). Errors: the store's.
Result<std::string> RenderMetrics(Store* store, const Caller& caller);

}  // namespace tally
