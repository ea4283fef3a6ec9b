// The GPU view: how much GPU capacity there was, how much workloads asked for and how much they
// really used (GPU-hours), and what it cost, per node, per consumer and per day. One builder
// serves `tally report gpu` and GET /api/v1/gpu, so both show the same figures.
//
// Utilization is used / capacity; efficiency is used / requested (what a workload wastes of
// what it holds). Ratios are exact decimals rounded to 4 places. GPU idle cost is two figures
// per owner: allocated GPU-hours × (1 − utilization) × their GPU-hour cost, hour by hour, for the
// owner's workloads; and the capacity nobody requested, charged as idle to the asset's owner.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/record_table.h"
#include "tally/store.h"

namespace tally {

struct GpuAmounts {
  Decimal capacity;   // GPU-hours the GPUs could give (nodes only)
  Decimal requested;  // GPU-hours requested
  Decimal used;       // GPU-hours busy (DCGM utilization × GPUs)
  Decimal cost;       // allocated cost of the gpu component (direct + idle)
  Decimal idle_cost;  // the part of `cost` nobody requested
  // The part of the consumers' cost their GPUs sat unused: per hour, direct cost ×
  // (1 − used / allocated), allocated being max(request, usage).
  Decimal unused_cost;
};

// GPU idle cost per owner: what its workloads held and did not use (`unused_cost`), and the
// capacity of its assets nobody requested (`unrequested_cost`); `idle_cost` is both.
struct GpuOwnerIdle {
  std::string owner;
  Decimal cost;  // the owner's direct gpu cost
  Decimal unused_cost;
  Decimal unrequested_cost;
  Decimal idle_cost() const { return unused_cost + unrequested_cost; }
};

struct GpuReport {
  GpuAmounts total;
  // by node: every asset with GPU capacity, requests or cost
  std::vector<std::pair<std::string, GpuAmounts>> nodes;
  struct Consumer {
    std::string consumer;
    std::string owner;
    GpuAmounts amounts;  // capacity and idle_cost stay zero
  };
  std::vector<Consumer> consumers;                        // by cost, then name
  std::vector<std::pair<std::string, GpuAmounts>> daily;  // "2026-05-01"; no cost
  std::vector<GpuOwnerIdle> owners;                       // by idle cost, then name
};

// Errors: the store's.
Result<GpuReport> BuildGpuReport(Store& store, std::optional<Timestamp> from,
                                 std::optional<Timestamp> to);

// {"total":{...},"nodes":[...],"consumers":[...],"daily":[...],"owners":[...]}; amounts as
// decimal strings.
nlohmann::ordered_json GpuReportJson(const GpuReport& report);

// The per-node and per-consumer tables of the command line.
RecordTable GpuNodesTable(const GpuReport& report);
RecordTable GpuConsumersTable(const GpuReport& report);
RecordTable GpuOwnersTable(const GpuReport& report);

}  // namespace tally
