// Decoding of Prometheus remote write 1.0 requests: a snappy-compressed (block format)
// protobuf WriteRequest, generated from proto/remote_write.proto.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "ingest/telemetry/prometheus/exposition.h"
#include "tally/status.h"

namespace tally {

struct RemoteWriteLimits {
  size_t max_uncompressed_bytes = 64 << 20;
};

class RemoteWriteVisitor {
 public:
  virtual ~RemoteWriteVisitor() = default;
  // One sample of a series; `labels` excludes __name__.
  virtual void OnSample(std::string_view name, std::span<const Label> labels, double value,
                        int64_t timestamp_ms) = 0;
};

// Decodes `body` and visits every sample. Errors (kInvalidArgument): not snappy, too large
// when uncompressed, not a WriteRequest, a series without __name__.
Status DecodeRemoteWrite(std::string_view body, const RemoteWriteLimits& limits,
                         RemoteWriteVisitor* visitor);

}  // namespace tally
