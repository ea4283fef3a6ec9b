// One run of Prometheus usage collection into the store: the hours of a window that the source
// has not completed, in chunks each stored complete or not at all. `tally collect prometheus`
// runs it once; `tally serve` runs it on a schedule for the sources in tally.yaml.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "collect/prometheus/kube_collector.h"
#include "tally/store.h"

namespace tally {

struct PrometheusCollectJob {
  std::string source;  // the usage source's name
  KubeCollectOptions collect;
  std::optional<Timestamp> from;  // default: the source's first complete hour, else lookback
  std::optional<Timestamp> to;    // default: the last hour that has ended by `now`
  int64_t lookback_hours = 24;    // where a source with no complete hour starts
  int64_t chunk_hours = 24;
  // Told of each stored chunk ("2026-11-01T00:00Z to 2026-11-02T00:00Z (1/3): 420 usage facts")
  // and of retries. May be empty.
  std::function<void(const std::string&)> on_message;
};

struct PrometheusCollectSummary {
  TimeWindow window;            // the hours considered
  int64_t hours = 0;            // stored now
  int64_t facts = 0;            // usage facts stored now
  size_t chunks = 0;            // chunks queried
  size_t already_complete = 0;  // hours of the window complete before the run
  QueryStats stats;
  double seconds = 0;
  std::string ToString() const;  // the one-line summary `tally collect prometheus` prints
};

// Collects and records the run on the source (RecordUsageRun), with the error when it fails.
// A failed chunk stores nothing; the chunks before it stay. Errors name the hours not stored.
Result<PrometheusCollectSummary> RunPrometheusCollect(UsageStore& store, const PrometheusCollectJob& job,
                                                      Timestamp now);

// "2026-11-01T13:00Z": an hour as the collection messages show it.
std::string HourText(Timestamp hour);

}  // namespace tally
