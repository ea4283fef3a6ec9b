// RemoteWriteReceiver: Prometheus remote_write requests rolled up into the same hourly usage
// as every other kube source. Samples are observed as they arrive; Flush() stores the hours
// seen so far: an hour is complete once the newest sample is more than an hour plus the hold
// past its end (every series alive in it has spoken again or been closed), and open before.
// Complete hours are dropped from memory; samples for them that arrive later are counted as
// late and ignored, so a complete hour never changes.
//
// Thread-safe: Accept() runs on the HTTP server's threads, Flush() on the flusher's.
#pragma once

#include <mutex>
#include <string>

#include "ingest/telemetry/kube/kube_observations.h"
#include "ingest/telemetry/prometheus/remote_write.h"
#include "tally/store.h"

namespace tally {

struct RemoteWriteStats {
  int64_t requests = 0;
  int64_t samples = 0;
  int64_t samples_late = 0;
  int64_t bad_requests = 0;
  int64_t flushes = 0;
  int64_t facts_stored = 0;
};

class RemoteWriteReceiver {
 public:
  explicit RemoteWriteReceiver(std::string source, int64_t max_hold_ms = int64_t{5} * 60 * 1000)
      : source_(std::move(source)),
        max_hold_ms_(max_hold_ms),
        observations_(&builder_, max_hold_ms) {}

  // Decodes and observes one request. Errors: kInvalidArgument for a malformed body.
  Status Accept(std::string_view body, const RemoteWriteLimits& limits);
  // Stores the hours held in memory (see above) in one transaction. `final` also closes every
  // series, at shutdown.
  Result<UsageCommit> Flush(UsageStore* store, bool final = false);

  RemoteWriteStats stats() const;
  const std::string& source() const { return source_; }

 private:
  class Visitor;
  std::string source_;
  int64_t max_hold_ms_;
  mutable std::mutex mu_;
  KubeUsageBuilder builder_;
  KubeObservations observations_;
  int64_t newest_ms_ = INT64_MIN;
  int64_t complete_before_ms_ = INT64_MIN;  // hours before this are stored complete
  RemoteWriteStats stats_;
};

}  // namespace tally
