#include "ingest/telemetry/prometheus/exposition.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "ingest/telemetry/prometheus/exposition_number.h"
#include "ingest/telemetry/prometheus/openmetrics_rules.h"

namespace tally {
namespace {

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }
bool IsLabelStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsLabelChar(char c) { return IsLabelStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

// kube-state-metrics writes label names with '.', '/' and '-' (from Kubernetes label keys);
// Prometheus text reads them, OpenMetrics does not.
bool IsKsmLabelChar(char c) { return c == '.' || c == '/' || c == '-'; }

bool IsMetricName(std::string_view s) {
  if (s.empty() || !IsNameStart(s[0])) return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

class LineParser {
 public:
  LineParser(ExpositionFormat format, ExpositionVisitor* visitor, OpenMetricsChecks checks)
      : om_(format == ExpositionFormat::kOpenMetrics),
        rules_on_(om_ && checks == OpenMetricsChecks::kAll),
        visitor_(visitor) {}

  Status Parse(std::string_view text) {
    size_t pos = 0;
    bool eof = false;
    while (pos < text.size()) {
      const char* nl =
          static_cast<const char*>(std::memchr(text.data() + pos, '\n', text.size() - pos));
      size_t end = nl == nullptr ? text.size() : static_cast<size_t>(nl - text.data());
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_;
      if (eof) return Error("text after # EOF");
      if (om_ && line == "# EOF") {
        eof = true;
        continue;
      }
      if (line.empty()) {
        if (om_) return Error("blank line");
        continue;
      }
      Status s = line[0] == '#' ? Metadata(line) : Sample(line);
      if (!s.ok()) return s;
    }
    if (om_) {
      if (!eof) return InvalidArgument("line " + std::to_string(line_) + ": missing # EOF");
      if (auto m = rules_on_ ? rules_.Finish() : std::nullopt) return Error(*m);
    }
    return Status::Ok();
  }

 private:
  Status Error(const std::string& what) const {
    return InvalidArgument("line " + std::to_string(line_) + ": " + what);
  }

  Status Metadata(std::string_view line) {
    std::string_view keyword;
    for (std::string_view k : {"HELP", "TYPE", "UNIT"}) {
      if (line.size() > k.size() + 2 && line.substr(2, k.size()) == k && line[1] == ' ' &&
          line[k.size() + 2] == ' ') {
        keyword = k;
      }
    }
    if (keyword.empty() || (!om_ && keyword == "UNIT")) {
      if (om_) return Error("not a HELP, TYPE, UNIT or EOF line");
      return Status::Ok();  // a comment in Prometheus text
    }
    std::string_view rest = line.substr(keyword.size() + 3);
    size_t space = rest.find(' ');
    std::string_view name = rest.substr(0, space);
    if (!IsMetricName(name)) return Error("invalid metric name in # " + std::string(keyword));
    if (space == std::string_view::npos) {
      if (om_)
        return Error("# " + std::string(keyword) + " " + std::string(name) + " needs a value");
      return Status::Ok();
    }
    std::string_view value = rest.substr(space + 1);
    if (keyword == "HELP") return om_ ? Check(rules_.OnHelp(name)) : Status::Ok();
    if (keyword == "UNIT") {
      for (char c : value) {
        if (!IsNameChar(c)) return Error("invalid unit \"" + std::string(value) + "\"");
      }
      return Check(rules_.OnUnit(name, value));
    }
    std::optional<MetricType> type = ParseType(value);
    if (!type) return Error("unknown metric type \"" + std::string(value) + "\"");
    visitor_->OnType(name, *type);
    return om_ ? Check(rules_.OnType(name, *type)) : Status::Ok();
  }

  std::optional<MetricType> ParseType(std::string_view t) const {
    struct {
      std::string_view name;
      MetricType type;
    } static constexpr kTypes[] = {
        {"counter", MetricType::kCounter},     {"gauge", MetricType::kGauge},
        {"histogram", MetricType::kHistogram}, {"gaugehistogram", MetricType::kGaugeHistogram},
        {"summary", MetricType::kSummary},     {"info", MetricType::kInfo},
        {"stateset", MetricType::kStateSet},   {"unknown", MetricType::kUnknown}};
    for (const auto& k : kTypes) {
      if (k.name == t) return k.type;
    }
    if (!om_ && t == "untyped") return MetricType::kUnknown;
    return std::nullopt;
  }

  Status Check(const std::optional<std::string>& message) const {
    return message && rules_on_ ? Error(*message) : Status::Ok();
  }

  // Parses {name="value",...} at s[*i] (which is '{') into *out; unescaped values go to
  // scratch_, which was reserved for the whole line and so never moves.
  Status LabelSet(std::string_view s, size_t* i, std::vector<Label>* out) {
    ++*i;  // '{'
    bool after_comma = false;
    for (;;) {
      while (!om_ && *i < s.size() && (s[*i] == ' ' || s[*i] == '\t')) ++*i;
      if (*i >= s.size()) return Error("unterminated label set");
      if (s[*i] == '}') {
        if (after_comma && om_) return Error("trailing comma in label set");
        ++*i;
        return Status::Ok();
      }
      size_t start = *i;
      if (!IsLabelStart(s[*i])) return Error("invalid label name");
      while (*i < s.size() && (IsLabelChar(s[*i]) || (!om_ && IsKsmLabelChar(s[*i])))) ++*i;
      std::string_view name = s.substr(start, *i - start);
      if (*i >= s.size() || s[*i] != '=') return Error("label " + std::string(name) + " needs =");
      ++*i;
      if (*i >= s.size() || s[*i] != '"') return Error("label value must be in double quotes");
      ++*i;
      const size_t value_start = scratch_.size();
      bool closed = false;
      while (*i < s.size()) {
        char c = s[(*i)++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && *i < s.size()) {
          char e = s[(*i)++];
          if (e == 'n') {
            scratch_.push_back('\n');
          } else if (e == '\\' || e == '"') {
            scratch_.push_back(e);
          } else {  // unknown escapes are kept as written
            scratch_.push_back('\\');
            scratch_.push_back(e);
          }
          continue;
        }
        scratch_.push_back(c);
      }
      if (!closed) return Error("unterminated label value");
      for (const Label& l : *out) {
        if (l.name == name) return Error("duplicate label " + std::string(name));
      }
      out->push_back({name, std::string_view(scratch_).substr(value_start)});
      after_comma = *i < s.size() && s[*i] == ',';
      if (after_comma) {
        ++*i;
        continue;
      }
      if (*i < s.size() && s[*i] == '}') continue;
      return Error("expected , or } after a label");
    }
  }

  // The next space-separated token from s[*i]; OpenMetrics allows exactly one space.
  std::string_view Token(std::string_view s, size_t* i) {
    size_t start = *i;
    while (*i < s.size() && s[*i] != ' ' && (om_ || s[*i] != '\t')) ++*i;
    return s.substr(start, *i - start);
  }

  Status Sample(std::string_view s) {
    if (!om_) {  // Prometheus text tolerates whitespace at the end of a line
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    }
    scratch_.clear();
    scratch_.reserve(s.size());
    labels_.clear();
    size_t i = 0;
    while (i < s.size() && IsNameChar(s[i])) ++i;
    ExpositionSample sample;
    sample.name = s.substr(0, i);
    if (!IsMetricName(sample.name)) return Error("invalid metric name");
    if (i < s.size() && s[i] == '{') TALLY_RETURN_IF_ERROR(LabelSet(s, &i, &labels_));
    if (!Separator(s, &i)) return Error("expected a space before the value");
    std::string_view value = Token(s, &i);
    if (!ParseExpositionNumber(value, !om_, &sample.value)) {
      return Error("invalid value \"" + std::string(value) + "\"");
    }
    bool exemplar = false;
    if (i < s.size()) {
      if (!Separator(s, &i)) return Error("unexpected text after the value");
      if (om_ && s.substr(i, 1) == "#") {
        TALLY_RETURN_IF_ERROR(Exemplar(s, &i));
        exemplar = true;
      } else {
        TALLY_RETURN_IF_ERROR(Timestamp(s, &i, &sample));
        if (i < s.size()) {
          if (!Separator(s, &i) || !om_ || s.substr(i, 1) != "#") {
            return Error("unexpected text after the timestamp");
          }
          TALLY_RETURN_IF_ERROR(Exemplar(s, &i));
          exemplar = true;
        }
      }
    }
    sample.labels = labels_;
    if (om_) TALLY_RETURN_IF_ERROR(Check(rules_.OnSample(sample, exemplar)));
    visitor_->OnSample(sample);
    return Status::Ok();
  }

  // Consumes the separator before the next part: exactly one space in OpenMetrics, a run of
  // spaces and tabs in Prometheus text. True when a part follows it.
  bool Separator(std::string_view s, size_t* i) const {
    const size_t start = *i;
    if (om_) {
      if (*i < s.size() && s[*i] == ' ') ++*i;
    } else {
      while (*i < s.size() && (s[*i] == ' ' || s[*i] == '\t')) ++*i;
    }
    return *i > start && *i < s.size() && s[*i] != ' ';
  }

  Status Timestamp(std::string_view s, size_t* i, ExpositionSample* sample) {
    std::string_view text = Token(s, i);
    double t = 0;
    if (om_) {
      if (!ParseExpositionNumber(text, false, &t) || std::isnan(t) || std::isinf(t)) {
        return Error("invalid timestamp \"" + std::string(text) + "\"");
      }
      sample->timestamp_seconds = t;
      return Status::Ok();
    }
    int64_t ms = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return Error("invalid timestamp \"" + std::string(text) + "\"");
    }
    sample->timestamp_seconds = static_cast<double>(ms) / 1000.0;
    return Status::Ok();
  }

  // " # {labels} value [timestamp]" after a sample; s[*i] is '#'.
  Status Exemplar(std::string_view s, size_t* i) {
    ++*i;
    if (*i >= s.size() || s[*i] != ' ') return Error("exemplar needs a space after #");
    ++*i;
    if (*i >= s.size() || s[*i] != '{') return Error("exemplar needs a label set");
    exemplar_labels_.clear();
    TALLY_RETURN_IF_ERROR(LabelSet(s, i, &exemplar_labels_));
    size_t chars = 0;
    for (const Label& l : exemplar_labels_) chars += CodePoints(l.name) + CodePoints(l.value);
    if (chars > 128) return Error("exemplar labels exceed 128 characters");
    if (*i >= s.size() || s[*i] != ' ') return Error("exemplar needs a space before its value");
    ++*i;
    double v = 0;
    std::string_view value = Token(s, i);
    if (!ParseExpositionNumber(value, false, &v)) return Error("invalid exemplar value");
    if (*i < s.size()) {
      ++*i;  // the one space
      double t = 0;
      std::string_view ts = Token(s, i);
      if (!ParseExpositionNumber(ts, false, &t) || std::isnan(t) || std::isinf(t)) {
        return Error("invalid exemplar timestamp");
      }
      if (*i < s.size()) return Error("unexpected text after the exemplar");
    }
    return Status::Ok();
  }

  const bool om_;
  const bool rules_on_;  // OpenMetricsChecks::kAll on an OpenMetrics document
  ExpositionVisitor* visitor_;
  OpenMetricsRules rules_;
  int64_t line_ = 0;
  std::string scratch_;
  std::vector<Label> labels_, exemplar_labels_;
};

}  // namespace

Status ParseExposition(std::string_view text, ExpositionFormat format, ExpositionVisitor* visitor,
                       OpenMetricsChecks checks) {
  LineParser parser(format, visitor, checks);
  return parser.Parse(text);
}

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGaugeHistogram:
      return "gaugehistogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kInfo:
      return "info";
    case MetricType::kStateSet:
      return "stateset";
    case MetricType::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace tally
