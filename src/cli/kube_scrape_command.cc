// tally ingest kube-scrape: raw kube-state-metrics and cAdvisor scrapes read as observations,
// rolled up per container and hour, stored as usage of the source "kube-scrape".
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "tally/clock.h"
#include "ingest/telemetry/kube/kube_scrape_reader.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct KubeScrapeFlags {
  std::vector<std::string> paths;
  std::string at;
  int64_t hold_seconds = 3600;
  std::string source = "kube-scrape";
};

int RunKubeScrape(const GlobalOptions& globals, const KubeScrapeFlags& flags) {
  const std::string prefix = "ingest kube-scrape: ";
  KubeScrapeOptions options;
  options.max_hold_seconds = flags.hold_seconds;
  if (!flags.at.empty()) {
    auto at = ParseTimestamp(flags.at);
    if (!at.ok()) {
      PrintError(prefix + "--at: " + at.status().message());
      return 2;
    }
    options.at = *at;
  }
  if (flags.hold_seconds <= 0) {
    PrintError(prefix + "--hold must be a positive number of seconds");
    return 2;
  }
  KubeUsageBuilder builder;
  KubeScrapeTotals totals;
  Status read = ReadKubeScrapes(flags.paths, options, &builder, &totals);
  if (!read.ok()) {
    PrintError(prefix + read.message() + " (nothing was stored)");
    return 1;
  }
  if (!totals.first) {
    PrintError(prefix +
               "no kube-state-metrics or cAdvisor samples in the files (nothing was "
               "stored)");
    return 1;
  }
  // One batch per run of consecutive hours with data: a run replaces only the hours it covers.
  std::vector<UsageBatch> batches;
  for (const TimeWindow& run : builder.HourRuns()) {
    auto batch = builder.Build(flags.source, run);
    if (!batch.ok()) {
      PrintError(prefix + batch.status().message() + " (nothing was stored)");
      return 1;
    }
    batches.push_back(std::move(*batch));
  }
  auto store = OpenStore(globals.store);
  auto commit = store.ok() ? (*store)->StoreUsage(batches) : Result<UsageCommit>(store.status());
  if (!commit.ok()) {
    PrintError(prefix + commit.status().message() + " (nothing was stored)");
    return 1;
  }
  (void)(*store)->RecordUsageRun(flags.source, SystemClock().Now(), "");  // for its freshness
  std::printf(
      "ingest kube-scrape: %lld files, %lld samples (%lld used, %lld dropped), %zu pods, %zu "
      "containers, %zu nodes, %lld usage facts over %lld hours (%lld replaced)\n",
      static_cast<long long>(totals.files), static_cast<long long>(totals.samples),
      static_cast<long long>(totals.samples_used), static_cast<long long>(totals.samples_dropped),
      builder.pods(), builder.containers(), builder.nodes(),
      static_cast<long long>(commit->facts_stored), static_cast<long long>(commit->hours),
      static_cast<long long>(commit->facts_replaced));
  return 0;
}

}  // namespace

void AddKubeScrapeCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<KubeScrapeFlags>();
  CLI::App* sub = ingest->add_subcommand(
      "kube-scrape",
      "ingest raw kube-state-metrics and cAdvisor scrapes (Prometheus text or OpenMetrics) as "
      "usage, for clusters without Prometheus");
  sub->add_option("paths", flags->paths, "scrape files")->required();
  sub->add_option("--at", flags->at,
                  "time of samples without a timestamp (default: the file's modification time)");
  sub->add_option("--hold", flags->hold_seconds,
                  "seconds one gauge sample stands for at most (until the series' next sample)")
      ->capture_default_str();
  sub->add_option("--source", flags->source,
                  "source name; a run replaces what this source stored for the same hours")
      ->capture_default_str();
  sub->footer(
      "CPU usage needs two scrapes of container_cpu_usage_seconds_total; one scrape gives "
      "requests, memory usage and node capacity.");
  sub->callback([=]() { *exit_code = RunKubeScrape(*globals, *flags); });
}

}  // namespace tally::cli
