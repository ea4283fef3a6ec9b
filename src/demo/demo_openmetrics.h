// The demo's usage as Prometheus would hold it: kube-state-metrics (v2 names) and cAdvisor
// series in OpenMetrics, two samples an hour (at :00 and :30, so counters have an increase in
// every hour), with the persistent volumes' kube-state-metrics and kubelet series, for `promtool tsdb create-blocks-from openmetrics` and `tally collect prometheus`.
#pragma once

#include <string>
#include <vector>

#include "demo/demo_cluster.h"
#include "tally/status.h"
#include "tally/time.h"

namespace tally {

// usage[c][h] is consumer c's hour h from `start`. Errors: kIoError when writing fails.
Status WriteDemoOpenMetrics(const std::string& path, Timestamp start, int64_t hours,
                            const std::vector<demo::Node>& nodes,
                            const std::vector<demo::Consumer>& consumers,
                            const std::vector<std::vector<demo::HourUsage>>& usage,
                            const std::vector<demo::Volume>& volumes);

}  // namespace tally
