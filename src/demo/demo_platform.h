// The demo platform: a coherent synthetic data platform to run and judge tally on a fresh
// machine. Cloud nodes with real instance types and on-demand prices, on-prem GPU servers with
// a rate card, Kubernetes workloads of many teams with daily and weekly seasonality, a FOCUS
// bill that matches the inventory (plus storage, network, support and tax lines), usage and
// inventory CSVs, and planted inefficiencies listed with their true cost in truth.json.
#pragma once

#include <cstdint>
#include <string>

#include "tally/result.h"
#include "tally/time.h"

namespace tally {

struct DemoOptions {
  std::string out_dir = "demo";
  uint64_t seed = 42;
  int teams = 12;
  int workloads = 120;
  int days = 30;
  Timestamp start;  // a day boundary
  // Also write metrics.om: the same usage as kube-state-metrics and cAdvisor series in
  // OpenMetrics, for `promtool tsdb create-blocks-from openmetrics`.
  bool openmetrics = false;
};

struct DemoSummary {
  int nodes = 0;
  int gpu_servers = 0;
  int consumers = 0;
  int64_t usage_rows = 0;
  int64_t bill_lines = 0;
  std::string bill_total;  // exact EffectiveCost of bill.csv
  int inefficiencies = 0;
};

// Writes bill.csv, inventory.csv, usage.csv, tally.yaml and truth.json (and metrics.om) into
// options.out_dir. Errors: kInvalidArgument for impossible options, kIoError when writing fails.
Result<DemoSummary> WriteDemoPlatform(const DemoOptions& options);

}  // namespace tally
