// Reads raw scrapes of kube-state-metrics and cAdvisor (Prometheus text or OpenMetrics) as
// observations, for clusters without Prometheus. Each sample counts at its own timestamp, or at
// the file's time (`at`, else the file's modification time) when it has none.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ingest/telemetry/kube/kube_usage_builder.h"
#include "tally/result.h"

namespace tally {

struct KubeScrapeOptions {
  std::optional<Timestamp> at;      // the time of samples without a timestamp
  int64_t max_hold_seconds = 3600;  // how long one gauge sample stands for at most
};

struct KubeScrapeTotals {
  int64_t files = 0;
  int64_t samples = 0;             // samples read
  int64_t samples_used = 0;        // samples of the metrics tally uses
  int64_t samples_dropped = 0;     // out of time order, NaN or infinite
  std::optional<Timestamp> first;  // the earliest and latest observation
  std::optional<Timestamp> last;
};

// Reads every file into `builder`. Errors name the file: kNotFound, kIoError, or
// kInvalidArgument with the parser's line number.
Status ReadKubeScrapes(const std::vector<std::string>& paths, const KubeScrapeOptions& options,
                       KubeUsageBuilder* builder, KubeScrapeTotals* totals);

}  // namespace tally
