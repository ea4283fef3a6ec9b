// OpenMetricsRules: the OpenMetrics 1.0 rules that span lines — metric families and their
// metadata, name clashes, grouping and ordering of samples, timestamps, counter-like values,
// histogram and gauge-histogram structure, summaries, info and stateset values, and where
// exemplars may appear. The line syntax itself is checked by the parser (exposition.cc).
//
// One instance per document. Not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "ingest/telemetry/prometheus/exposition.h"

namespace tally {

class OpenMetricsRules {
 public:
  // Each returns a message (without the line number) when the line breaks a rule.
  std::optional<std::string> OnHelp(std::string_view family);
  std::optional<std::string> OnType(std::string_view family, MetricType type);
  std::optional<std::string> OnUnit(std::string_view family, std::string_view unit);
  std::optional<std::string> OnSample(const ExpositionSample& sample, bool has_exemplar);
  // At # EOF: closes the last family.
  std::optional<std::string> Finish();

 private:
  // One labelset of a histogram, gauge histogram or summary, while its samples are read.
  struct Group {
    std::string key;
    std::optional<double> last_le, last_bucket, inf_bucket;
    bool negative_bucket = false;
    std::optional<double> count, sum;  // _count/_gcount, _sum/_gsum
  };
  struct Family {
    std::string name;
    MetricType type = MetricType::kUnknown;
    bool typed = false, has_help = false, has_unit = false, has_samples = false;
    std::optional<Group> group;
    std::set<std::string> closed_groups;
    std::map<std::string, std::optional<double>> series_timestamps;  // series -> last timestamp
  };

  std::optional<std::string> StartFamily(std::string_view name, MetricType type, bool typed);
  std::optional<std::string> CloseFamily();
  std::optional<std::string> CloseGroup();
  std::optional<std::string> CheckValue(const ExpositionSample& sample, std::string_view suffix);
  std::optional<std::string> CheckHistogramSample(const ExpositionSample& sample,
                                                  std::string_view suffix);
  std::optional<std::string> CheckTimestamp(const ExpositionSample& sample);
  // The suffix of `sample_name` that belongs to the current family, or nullopt if it does not.
  std::optional<std::string_view> SuffixInFamily(std::string_view sample_name) const;

  std::optional<Family> family_;
  std::set<std::string> taken_;  // family names and the sample names they own
};

}  // namespace tally
