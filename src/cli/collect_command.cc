// tally collect prometheus: pulls hourly Kubernetes usage from Prometheus. Resumable: each
// chunk of hours is stored complete or not at all, and the next run collects only the hours
// its source has not completed (gaps included).
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "collect/prometheus/kube_collector.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

constexpr int64_t kHour = 3600;

struct CollectFlags {
  std::string url;
  std::string from, to;
  std::string source;
  int64_t chunk_hours = 24;
  int concurrency = 2;
  double timeout = 120;
  int retries = 4;
  double backoff = 1;
  bool quiet = false;
};

Timestamp Now() {
  return Timestamp::FromUnixSeconds(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// The hours of [from, to) not yet complete, as chunks of at most `chunk_hours`.
std::vector<TimeWindow> PlanChunks(TimeWindow window, const std::vector<Timestamp>& complete,
                                   int64_t chunk_hours) {
  std::vector<TimeWindow> chunks;
  size_t c = 0;
  for (int64_t h = window.start.unix_seconds(); h < window.end.unix_seconds(); h += kHour) {
    while (c < complete.size() && complete[c].unix_seconds() < h) ++c;
    if (c < complete.size() && complete[c].unix_seconds() == h) continue;
    const Timestamp hour = Timestamp::FromUnixSeconds(h);
    TimeWindow* last = chunks.empty() ? nullptr : &chunks.back();
    if (last != nullptr && last->end == hour && last->Seconds() < chunk_hours * kHour) {
      last->end = Timestamp::FromUnixSeconds(h + kHour);
    } else {
      chunks.push_back(TimeWindow{hour, Timestamp::FromUnixSeconds(h + kHour)});
    }
  }
  return chunks;
}

std::string HourText(Timestamp t) {
  std::string s = t.ToString();  // 2026-11-01T13:00:00Z
  return s.size() >= 13 ? s.substr(0, 13) + ":00Z" : s;
}

int Fail(Store* store, const std::string& source, const std::string& message) {
  PrintError("collect prometheus: " + message);
  if (store != nullptr) (void)store->RecordUsageRun(source, Now(), message);
  return 1;
}

int RunCollect(const GlobalOptions& globals, const CollectFlags& flags) {
  if (flags.chunk_hours <= 0 || flags.concurrency <= 0 || flags.timeout <= 0 || flags.retries < 0 ||
      flags.backoff < 0) {
    PrintError("collect prometheus: --chunk-hours, --concurrency and --timeout must be positive");
    return 2;
  }
  std::optional<Timestamp> from, to;
  Status window = ParseWindowFlags(flags.from, flags.to, &from, &to);
  if (!window.ok()) {
    PrintError("collect prometheus: " + window.message());
    return 2;
  }
  const std::string source = flags.source.empty() ? "prometheus " + flags.url : flags.source;
  auto opened = OpenStore(globals.store);
  if (!opened.ok()) return Fail(nullptr, source, opened.status().message());
  Store* store = opened->get();

  // Only whole hours that have ended (with two minutes for the last scrapes to land).
  const Timestamp end =
      to ? to->StartOfHour() : Timestamp::FromUnixSeconds(Now().unix_seconds() - 120).StartOfHour();
  Timestamp start =
      from ? from->StartOfHour() : Timestamp::FromUnixSeconds(end.unix_seconds() - 24 * kHour);
  if (!from) {
    // Resume: from the source's first complete hour, so gaps after it are filled too.
    auto known = store->ListUsageSources();
    if (!known.ok()) return Fail(store, source, known.status().message());
    for (const UsageSourceRecord& r : *known) {
      if (r.name == source && r.first_hour) start = std::min(start, *r.first_hour);
    }
  }
  if (end <= start) {
    std::printf("collect prometheus: nothing to collect before %s\n", HourText(end).c_str());
    return 0;
  }
  auto complete = store->CompleteUsageHours(source, TimeWindow{start, end});
  if (!complete.ok()) return Fail(store, source, complete.status().message());
  const std::vector<TimeWindow> chunks = PlanChunks({start, end}, *complete, flags.chunk_hours);

  KubeCollectOptions options;
  options.api.url = flags.url;
  options.api.timeout_seconds = flags.timeout;
  options.api.retries = flags.retries;
  options.api.backoff_seconds = flags.backoff;
  options.api.on_retry = [](const std::string& m) { PrintError("collect prometheus: " + m); };
  options.concurrency = flags.concurrency;
  KubePrometheusCollector collector(options);
  const auto started = std::chrono::steady_clock::now();
  int64_t hours = 0, facts = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const TimeWindow& chunk = chunks[i];
    auto batch = collector.Collect(source, chunk);
    if (!batch.ok()) {
      return Fail(store, source,
                  batch.status().message() + " (hours from " + HourText(chunk.start) +
                      " on were not stored; " + std::to_string(hours) + " hours before them were)");
    }
    auto commit = store->StoreUsage(std::span<const UsageBatch>(&*batch, 1));
    if (!commit.ok()) return Fail(store, source, commit.status().message());
    hours += commit->hours;
    facts += commit->facts_stored;
    if (!flags.quiet) {
      std::fprintf(stderr, "collect prometheus: %s to %s (%zu/%zu): %lld usage facts\n",
                   HourText(chunk.start).c_str(), HourText(chunk.end).c_str(), i + 1, chunks.size(),
                   static_cast<long long>(commit->facts_stored));
    }
  }
  (void)store->RecordUsageRun(source, Now(), "");
  const QueryStats stats = collector.stats();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "collect prometheus: %lld hours in %zu chunks (%zu hours already complete), %lld usage "
      "facts, %lld queries, %lld retries, %.1f MiB in %.1f s; complete through %s\n",
      static_cast<long long>(hours), chunks.size(), complete->size(), static_cast<long long>(facts),
      static_cast<long long>(stats.queries), static_cast<long long>(stats.retries),
      static_cast<double>(stats.bytes) / (1 << 20), seconds, HourText(end).c_str());
  return 0;
}

}  // namespace

void AddCollectCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  CLI::App* collect = app->add_subcommand("collect", "pull usage telemetry into the store");
  collect->require_subcommand(1);
  auto flags = std::make_shared<CollectFlags>();
  CLI::App* sub = collect->add_subcommand(
      "prometheus",
      "pull hourly Kubernetes usage (kube-state-metrics v1/v2, cAdvisor) from Prometheus");
  sub->add_option("--url", flags->url, "Prometheus base URL, e.g. http://127.0.0.1:9090")
      ->required();
  sub->add_option("--from", flags->from,
                  "first hour (default: the source's first complete hour, else 24 hours ago)");
  sub->add_option("--to", flags->to, "end, exclusive (default: the last hour that has ended)");
  sub->add_option("--source", flags->source, "source name (default: \"prometheus URL\")");
  sub->add_option("--chunk-hours", flags->chunk_hours, "hours per query range and per commit")
      ->capture_default_str();
  sub->add_option("--concurrency", flags->concurrency, "queries in flight at once")
      ->capture_default_str();
  sub->add_option("--timeout", flags->timeout, "seconds per query")->capture_default_str();
  sub->add_option("--retries", flags->retries, "retries of a failed query, with backoff")
      ->capture_default_str();
  sub->add_option("--backoff", flags->backoff, "seconds before the first retry (doubles)")
      ->capture_default_str();
  sub->add_flag("-q,--quiet", flags->quiet, "print only the summary and errors");
  sub->footer(
      "Hours already complete for the source are skipped; a failed chunk stores nothing and "
      "the next run retries it.");
  sub->callback([=]() { *exit_code = RunCollect(*globals, *flags); });
}

}  // namespace tally::cli
