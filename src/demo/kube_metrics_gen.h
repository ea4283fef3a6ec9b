// Synthetic Kubernetes cluster metrics with a known true usage: kube-state-metrics (v2 names)
// and cAdvisor series written as OpenMetrics, the input of `promtool tsdb create-blocks-from
// openmetrics`. Tests backfill a real Prometheus with it and compare what tally collects with
// the truth; the benchmark does the same at scale.
//
// Every quantity is an exact decimal: CPU in millicores, memory in MiB, samples aligned to the
// scrape interval, usage constant within an hour, so the truth is exact.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "tally/decimal.h"
#include "tally/result.h"
#include "tally/time.h"

namespace tally {

struct KubeSimOptions {
  int nodes = 3;
  int containers = 20;
  Timestamp start;  // an hour boundary
  int hours = 168;
  int interval_seconds = 300;  // divides 3600
  uint64_t seed = 1;
};

// Amount-hours per consumer ("namespace/pod/container") and resource ("cpu" in core-hours,
// "memory" in GiB-hours), over the whole window and per hour.
struct KubeTruth {
  struct Amounts {
    Decimal request;
    Decimal usage;
  };
  std::map<std::pair<std::string, std::string>, Amounts> totals;
  std::map<std::pair<int64_t, std::string>, Amounts> per_hour;  // (hour start, resource)
  int64_t samples = 0;
};

// Writes the metrics to `out` and the truth to *truth. Errors: kInvalidArgument for options
// that cannot be simulated exactly; kIoError when writing fails.
Status WriteKubeOpenMetrics(const KubeSimOptions& options, std::FILE* out, KubeTruth* truth);

}  // namespace tally
