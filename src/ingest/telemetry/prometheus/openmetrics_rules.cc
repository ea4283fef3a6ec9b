#include "ingest/telemetry/prometheus/openmetrics_rules.h"

#include <cmath>
#include <vector>

#include "ingest/telemetry/prometheus/exposition_number.h"

namespace tally {
namespace {

using Message = std::optional<std::string>;

std::vector<std::string_view> Suffixes(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return {"_total", "_created"};
    case MetricType::kHistogram:
      return {"_bucket", "_count", "_sum", "_created"};
    case MetricType::kGaugeHistogram:
      return {"_bucket", "_gcount", "_gsum"};
    case MetricType::kSummary:
      return {"", "_count", "_sum", "_created"};
    case MetricType::kInfo:
      return {"_info"};
    case MetricType::kGauge:
    case MetricType::kStateSet:
    case MetricType::kUnknown:
      break;
  }
  return {""};
}

bool IsHistogram(MetricType t) {
  return t == MetricType::kHistogram || t == MetricType::kGaugeHistogram;
}

std::optional<std::string_view> LabelValue(const ExpositionSample& s, std::string_view name) {
  for (const Label& l : s.labels) {
    if (l.name == name) return l.value;
  }
  return std::nullopt;
}

// A bound such as le="1.0" or quantile="0.5": a number (or +Inf), never NaN.
std::optional<double> Bound(std::string_view text) {
  double v = 0;
  if (!ParseExpositionNumber(text, /*lenient=*/false, &v) || std::isnan(v)) return std::nullopt;
  return v;
}

// The labels of a sample without the one that varies inside a group (le, quantile).
std::string GroupKey(const ExpositionSample& s, std::string_view skip) {
  std::string key;
  for (const Label& l : s.labels) {
    if (l.name == skip) continue;
    key.append(l.name).append("=\"").append(l.value).append("\",");
  }
  return key;
}

}  // namespace

std::optional<std::string_view> OpenMetricsRules::SuffixInFamily(std::string_view name) const {
  if (!family_ || !name.starts_with(family_->name)) return std::nullopt;
  std::string_view rest = name.substr(family_->name.size());
  for (std::string_view suffix : Suffixes(family_->type)) {
    if (rest == suffix) return suffix;
  }
  return std::nullopt;
}

Message OpenMetricsRules::StartFamily(std::string_view name, MetricType type, bool typed) {
  if (Message m = CloseFamily()) return m;
  std::string family(name);
  if (taken_.count(family) > 0) return "metric family " + family + " clashes with an earlier name";
  for (std::string_view suffix : Suffixes(type)) {
    std::string owned = family + std::string(suffix);
    if (!suffix.empty() && taken_.count(owned) > 0) {
      return "metric family " + family + " clashes with the earlier name " + owned;
    }
  }
  for (std::string_view suffix : Suffixes(type)) taken_.insert(family + std::string(suffix));
  taken_.insert(family);
  family_ = Family{};
  family_->name = family;
  family_->type = type;
  family_->typed = typed;
  return std::nullopt;
}

Message OpenMetricsRules::OnHelp(std::string_view name) {
  if (family_ && family_->name == name) {
    if (family_->has_help) return "repeated HELP for " + std::string(name);
    if (family_->has_samples) return "HELP for " + std::string(name) + " after its samples";
  } else if (Message m = StartFamily(name, MetricType::kUnknown, false)) {
    return m;
  }
  family_->has_help = true;
  return std::nullopt;
}

Message OpenMetricsRules::OnType(std::string_view name, MetricType type) {
  if (family_ && family_->name == name) {
    if (family_->typed) return "repeated TYPE for " + std::string(name);
    if (family_->has_samples) return "TYPE for " + std::string(name) + " after its samples";
    for (std::string_view suffix : Suffixes(type)) {
      std::string owned = family_->name + std::string(suffix);
      if (!suffix.empty() && taken_.count(owned) > 0) {
        return "metric family " + family_->name + " clashes with the earlier name " + owned;
      }
      taken_.insert(owned);
    }
    family_->type = type;
    family_->typed = true;
  } else if (Message m = StartFamily(name, type, true)) {
    return m;
  }
  if (family_->has_unit && (type == MetricType::kInfo || type == MetricType::kStateSet)) {
    return "an " + std::string(MetricTypeName(type)) + " metric cannot have a UNIT";
  }
  return std::nullopt;
}

Message OpenMetricsRules::OnUnit(std::string_view name, std::string_view unit) {
  if (family_ && family_->name == name) {
    if (family_->has_unit) return "repeated UNIT for " + std::string(name);
    if (family_->has_samples) return "UNIT for " + std::string(name) + " after its samples";
  } else if (Message m = StartFamily(name, MetricType::kUnknown, false)) {
    return m;
  }
  family_->has_unit = true;
  if (family_->type == MetricType::kInfo || family_->type == MetricType::kStateSet) {
    return "an " + std::string(MetricTypeName(family_->type)) + " metric cannot have a UNIT";
  }
  if (!unit.empty() && !name.ends_with("_" + std::string(unit))) {
    return "metric family " + std::string(name) + " must end in _" + std::string(unit);
  }
  return std::nullopt;
}

Message OpenMetricsRules::OnSample(const ExpositionSample& s, bool has_exemplar) {
  std::optional<std::string_view> suffix = SuffixInFamily(s.name);
  if (!suffix) {
    if (Message m = StartFamily(s.name, MetricType::kUnknown, false)) return m;
    suffix = std::string_view();
  }
  family_->has_samples = true;
  const MetricType type = family_->type;
  if (has_exemplar && !((type == MetricType::kCounter && *suffix == "_total") ||
                        (IsHistogram(type) && *suffix == "_bucket"))) {
    return "exemplars are allowed only on counter _total and histogram _bucket samples";
  }
  const std::string key = GroupKey(s, type == MetricType::kSummary ? "quantile" : "le");
  if (!family_->group || family_->group->key != key) {
    if (Message m = CloseGroup()) return m;
    if (family_->closed_groups.count(key) > 0) {
      return "samples of one metric of " + family_->name + " are not together";
    }
    family_->group = Group{};
    family_->group->key = key;
  }
  if (Message m = CheckTimestamp(s)) return m;
  return CheckValue(s, *suffix);
}

Message OpenMetricsRules::CheckTimestamp(const ExpositionSample& s) {
  std::string series(s.name);
  series += '{';
  series += GroupKey(s, "");
  auto [it, inserted] = family_->series_timestamps.emplace(series, s.timestamp_seconds);
  if (inserted) return std::nullopt;
  if (it->second.has_value() != s.timestamp_seconds.has_value()) {
    return "a series must have timestamps on all of its samples or none";
  }
  if (s.timestamp_seconds && *s.timestamp_seconds < *it->second) {
    return "timestamps of a series must not go backwards";
  }
  it->second = s.timestamp_seconds;
  return std::nullopt;
}

Message OpenMetricsRules::CheckValue(const ExpositionSample& s, std::string_view suffix) {
  const double v = s.value;
  const bool negative_or_nan = std::isnan(v) || v < 0;
  switch (family_->type) {
    case MetricType::kCounter:
      if (suffix == "_total" && negative_or_nan) return "a counter must not be negative or NaN";
      return std::nullopt;
    case MetricType::kHistogram:
    case MetricType::kGaugeHistogram:
      return CheckHistogramSample(s, suffix);
    case MetricType::kSummary:
      if (suffix == "_count" || suffix == "_sum") {
        if (negative_or_nan) return "a summary's _count and _sum must not be negative or NaN";
        return std::nullopt;
      }
      if (suffix.empty()) {
        auto q = LabelValue(s, "quantile");
        std::optional<double> quantile = q ? Bound(*q) : std::nullopt;
        if (!quantile || *quantile < 0 || *quantile > 1) {
          return "a summary quantile needs a quantile label between 0 and 1";
        }
        if (v < 0) return "a summary quantile must not be negative";
      }
      return std::nullopt;
    case MetricType::kInfo:
      if (v != 1) return "an info metric's value must be 1";
      return std::nullopt;
    case MetricType::kStateSet:
      if (v != 0 && v != 1) return "a stateset's values must be 0 or 1";
      if (!LabelValue(s, family_->name))
        return "a stateset sample needs the label " + family_->name;
      return std::nullopt;
    case MetricType::kGauge:
    case MetricType::kUnknown:
      break;
  }
  return std::nullopt;
}

Message OpenMetricsRules::CheckHistogramSample(const ExpositionSample& s, std::string_view suffix) {
  Group& g = *family_->group;
  const double v = s.value;
  if (suffix == "_bucket") {
    auto le_text = LabelValue(s, "le");
    std::optional<double> le = le_text ? Bound(*le_text) : std::nullopt;
    if (!le) return "a histogram bucket needs a numeric le label";
    if (g.last_le && *le <= *g.last_le) return "histogram buckets must be in increasing le order";
    if (std::isnan(v) || v < 0) return "a histogram bucket must not be negative or NaN";
    if (g.last_bucket && v < *g.last_bucket) return "histogram buckets must not decrease";
    g.last_le = *le;
    g.last_bucket = v;
    if (*le < 0) g.negative_bucket = true;
    if (std::isinf(*le) && *le > 0) g.inf_bucket = v;
  } else if (suffix == "_count" || suffix == "_gcount") {
    if (std::isnan(v) || v < 0) return "a histogram count must not be negative or NaN";
    g.count = v;
  } else if (suffix == "_sum" || suffix == "_gsum") {
    if (std::isnan(v)) return "a histogram sum must not be NaN";
    g.sum = v;
  }
  return std::nullopt;
}

Message OpenMetricsRules::CloseGroup() {
  if (!family_ || !family_->group) return std::nullopt;
  Group g = std::move(*family_->group);
  family_->group.reset();
  family_->closed_groups.insert(g.key);
  if (!IsHistogram(family_->type)) return std::nullopt;
  const std::string& name = family_->name;
  if (!g.inf_bucket) return "histogram " + name + " has no +Inf bucket";
  if (g.count.has_value() != g.sum.has_value()) {
    return "histogram " + name + " must have both a count and a sum, or neither";
  }
  if (g.count && *g.count != *g.inf_bucket) {
    return "histogram " + name + "'s count differs from its +Inf bucket";
  }
  if (family_->type == MetricType::kHistogram && g.sum) {
    if (g.negative_bucket) return "histogram " + name + " has negative buckets, so no _sum";
    if (*g.sum < 0) return "histogram " + name + "'s sum must not be negative";
  }
  if (family_->type == MetricType::kGaugeHistogram && g.sum && *g.sum < 0 && !g.negative_bucket) {
    return "gauge histogram " + name + "'s sum is negative without negative buckets";
  }
  return std::nullopt;
}

Message OpenMetricsRules::CloseFamily() {
  Message m = CloseGroup();
  family_.reset();
  return m;
}

Message OpenMetricsRules::Finish() { return CloseFamily(); }

}  // namespace tally
