#include "ingest/telemetry/kube/kube_scrape_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "common/input_file.h"
#include "ingest/telemetry/kube/kube_observations.h"
#include "ingest/telemetry/prometheus/exposition.h"

namespace tally {
namespace {

// One sample with its own copies of name and labels, so samples of many files can be put in
// time order before they are observed.
struct OwnedSample {
  int64_t t_ms;
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value;
};

class Collector : public ExpositionVisitor {
 public:
  Collector(int64_t default_t_ms, std::vector<OwnedSample>* out, int64_t* read)
      : default_t_ms_(default_t_ms), out_(out), read_(read) {}
  void OnSample(const ExpositionSample& s) override {
    ++*read_;
    if (!KubeObservations::Uses(s.name)) return;
    OwnedSample o{default_t_ms_, std::string(s.name), {}, s.value};
    if (s.timestamp_seconds) o.t_ms = std::llround(*s.timestamp_seconds * 1000);
    o.labels.reserve(s.labels.size());
    for (const Label& l : s.labels) o.labels.emplace_back(l.name, l.value);
    out_->push_back(std::move(o));
  }

 private:
  int64_t default_t_ms_;
  std::vector<OwnedSample>* out_;
  int64_t* read_;
};

Result<int64_t> FileTimeMs(const std::string& path) {
  // GCC 12 lacks std::chrono::clock_cast for file_time; stat gives the same instant.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return IoError(path + ": " + std::strerror(errno));
  return int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

}  // namespace

Status ReadKubeScrapes(const std::vector<std::string>& paths, const KubeScrapeOptions& options,
                       KubeUsageBuilder* builder, KubeScrapeTotals* totals) {
  std::vector<OwnedSample> samples;
  for (const std::string& path : paths) {
    TALLY_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    int64_t default_t_ms = 0;
    if (options.at) {
      default_t_ms = options.at->unix_seconds() * 1000;
    } else {
      TALLY_ASSIGN_OR_RETURN(default_t_ms, FileTimeMs(path));
    }
    // OpenMetrics ends in "# EOF"; anything else is read as the lenient Prometheus text.
    std::string_view trimmed(text);
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) {
      trimmed.remove_suffix(1);
    }
    const bool open_metrics = trimmed.ends_with("# EOF");
    Collector collector(default_t_ms, &samples, &totals->samples);
    Status parsed = ParseExposition(
        text, open_metrics ? ExpositionFormat::kOpenMetrics : ExpositionFormat::kPrometheusText,
        &collector, OpenMetricsChecks::kSyntax);
    if (!parsed.ok()) return InvalidArgument(path + ": " + parsed.message());
    ++totals->files;
  }
  std::stable_sort(samples.begin(), samples.end(),
                   [](const OwnedSample& a, const OwnedSample& b) { return a.t_ms < b.t_ms; });
  KubeObservations observations(builder, options.max_hold_seconds * 1000);
  std::vector<Label> labels;
  for (const OwnedSample& s : samples) {
    labels.clear();
    for (const auto& [k, v] : s.labels) labels.push_back(Label{k, v});
    observations.Observe(s.name, labels, s.value, s.t_ms);
  }
  observations.Finish();
  totals->samples_used += observations.samples_used();
  totals->samples_dropped +=
      observations.samples_out_of_order() + observations.samples_not_finite();
  if (!samples.empty()) {
    totals->first = Timestamp::FromUnixSeconds(samples.front().t_ms / 1000);
    totals->last = Timestamp::FromUnixSeconds(samples.back().t_ms / 1000);
  }
  return Status::Ok();
}

}  // namespace tally
