// The Prometheus exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0 text. A
// streaming parser hands each metric family's metadata and each sample to a visitor as it reads
// them; it builds no tree and allocates only for label values that need unescaping.
//
// Sample values are telemetry readings (seconds, bytes, ratios), held as binary floating point
// as exporters write them; tally's fixed-point Decimal stays for what is billed.
// Hand-written: Debian packages no C++ parser for these formats (see src/ingest/README.md).
// Not thread-safe; a parser is used for one document at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tally/status.h"

namespace tally {

enum class ExpositionFormat {
  kPrometheusText,  // text/plain; version=0.0.4: lenient, no # EOF, timestamps in milliseconds
  kOpenMetrics,     // application/openmetrics-text: strict, as the OpenMetrics 1.0 spec says
};

enum class MetricType {
  kUnknown,
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateSet
};

struct Label {
  std::string_view name;
  std::string_view value;  // unescaped
};

struct ExpositionSample {
  std::string_view name;  // the sample's full name, e.g. "http_requests_total"
  std::span<const Label> labels;
  double value = 0;
  std::optional<double> timestamp_seconds;
};

class ExpositionVisitor {
 public:
  virtual ~ExpositionVisitor() = default;
  // A "# TYPE" line (Prometheus text's "untyped" is kUnknown).
  virtual void OnType(std::string_view family, MetricType type) { (void)family, (void)type; }
  virtual void OnSample(const ExpositionSample& sample) = 0;
};

enum class OpenMetricsChecks {
  kAll,     // every rule of the spec the conformance suite checks (validation)
  kSyntax,  // line syntax and # EOF only: for reading real exporters, which bend some rules
            // (e.g. Prometheus itself writes _sum on histograms with negative buckets)
};

// Parses a whole document. Errors (kInvalidArgument): "line N: <what is wrong>", for any line
// the format does not allow, and in OpenMetrics with kAll for every rule of the spec that the
// conformance suite checks (families, ordering, histogram and counter values, exemplars).
// Prometheus text is read as Prometheus reads it: label names may hold '.', '/' or '-' as
// kube-state-metrics writes them, comments and blank lines are skipped.
Status ParseExposition(std::string_view text, ExpositionFormat format, ExpositionVisitor* visitor,
                       OpenMetricsChecks checks = OpenMetricsChecks::kAll);

std::string_view MetricTypeName(MetricType type);

}  // namespace tally
