#include "ingest/telemetry/prometheus/remote_write.h"

#include <snappy.h>

#include <string>
#include <vector>

#include "remote_write.pb.h"

namespace tally {

Status DecodeRemoteWrite(std::string_view body, const RemoteWriteLimits& limits,
                         RemoteWriteVisitor* visitor) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &length)) {
    return InvalidArgument("remote write: the body is not snappy-compressed (block format)");
  }
  if (length > limits.max_uncompressed_bytes) {
    return InvalidArgument("remote write: " + std::to_string(length) +
                           " bytes uncompressed, more than the limit of " +
                           std::to_string(limits.max_uncompressed_bytes));
  }
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
    return InvalidArgument("remote write: corrupt snappy data");
  }
  prompb::WriteRequest request;
  if (!request.ParseFromString(raw)) {
    return InvalidArgument("remote write: the body is not a protobuf WriteRequest");
  }
  std::vector<Label> labels;
  for (const prompb::TimeSeries& series : request.timeseries()) {
    std::string_view name;
    labels.clear();
    for (const prompb::Label& l : series.labels()) {
      if (l.name() == "__name__") {
        name = l.value();
      } else {
        labels.push_back(Label{l.name(), l.value()});
      }
    }
    if (name.empty()) return InvalidArgument("remote write: a series has no __name__ label");
    for (const prompb::Sample& s : series.samples()) {
      visitor->OnSample(name, labels, s.value(), s.timestamp());
    }
  }
  return Status::Ok();
}

}  // namespace tally
