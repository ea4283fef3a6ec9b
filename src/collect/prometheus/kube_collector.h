// KubePrometheusCollector: hourly Kubernetes usage pulled from Prometheus with PromQL, in the
// spirit of OpenCost's queries but evaluated once per hour of data, not per report.
//
// For every hour H of a chunk, each query is evaluated at H + 1h − 1 ms over a 1h range, so
// the range holds exactly the samples in [H, H + 1h). Gauges (requests, working set, capacity)
// are summed over the hour and divided by the sample count of a series present all hour, which
// turns them into amount-hours and counts a container that ran half the hour as half. CPU
// usage is increase(container_cpu_usage_seconds_total) / 3600.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "collect/prometheus/prometheus_api.h"
#include "ingest/telemetry/kube/kube_usage_builder.h"

namespace tally {

struct KubeCollectOptions {
  PrometheusApiOptions api;
  int concurrency = 2;  // queries in flight at once
};

struct KubeQuery {
  std::string name;  // what it is for, in messages: "cpu usage"
  std::string promql;
  // Adds one point of one result series to the builder.
  void (*apply)(const Labels& metric, Timestamp hour, Decimal value, KubeUsageBuilder* out);
};

// The queries, in the order they run.
const std::vector<KubeQuery>& KubeQueries();

class KubePrometheusCollector {
 public:
  explicit KubePrometheusCollector(KubeCollectOptions options) : options_(std::move(options)) {}

  // Runs every query over `chunk` (whole hours) and builds its batch for `source`. Fails as a
  // whole when any query fails, so a chunk is stored complete or not at all.
  Result<UsageBatch> Collect(const std::string& source, TimeWindow chunk);

  QueryStats stats() const;

 private:
  KubeCollectOptions options_;
  mutable std::mutex mu_;
  QueryStats stats_;
};

}  // namespace tally
