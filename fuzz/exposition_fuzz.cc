// libFuzzer target: the Prometheus text and OpenMetrics parser on arbitrary text.
#include <cstdint>
#include <string_view>

#include "ingest/telemetry/prometheus/exposition.h"

namespace {

struct Sink : tally::ExpositionVisitor {
  void OnSample(const tally::ExpositionSample& s) override { n += s.labels.size(); }
  size_t n = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Sink sink;
  (void)tally::ParseExposition(text, tally::ExpositionFormat::kPrometheusText, &sink);
  (void)tally::ParseExposition(text, tally::ExpositionFormat::kOpenMetrics, &sink);
  (void)tally::ParseExposition(text, tally::ExpositionFormat::kOpenMetrics, &sink,
                               tally::OpenMetricsChecks::kSyntax);
  return 0;
}
