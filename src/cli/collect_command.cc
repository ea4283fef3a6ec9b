// tally collect prometheus: pulls hourly Kubernetes usage from Prometheus. Resumable: each
// chunk of hours is stored complete or not at all, and the next run collects only the hours
// its source has not completed (gaps included). tally collect nvml: this machine's GPUs, read
// through the driver's NVML, into the GPU inventory.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "collect/nvml/nvml_reader.h"
#include "tally/clock.h"
#include "jobs/prometheus_collect_job.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

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

int RunCollect(const GlobalOptions& globals, const CollectFlags& flags) {
  if (flags.chunk_hours <= 0 || flags.concurrency <= 0 || flags.timeout <= 0 || flags.retries < 0 ||
      flags.backoff < 0) {
    PrintError("collect prometheus: --chunk-hours, --concurrency and --timeout must be positive");
    return 2;
  }
  PrometheusCollectJob job;
  Status window = ParseWindowFlags(flags.from, flags.to, &job.from, &job.to);
  if (!window.ok()) {
    PrintError("collect prometheus: " + window.message());
    return 2;
  }
  job.source = flags.source.empty() ? "prometheus " + flags.url : flags.source;
  job.chunk_hours = flags.chunk_hours;
  job.collect.api.url = flags.url;
  job.collect.api.timeout_seconds = flags.timeout;
  job.collect.api.retries = flags.retries;
  job.collect.api.backoff_seconds = flags.backoff;
  job.collect.api.on_retry = [](const std::string& m) { PrintError("collect prometheus: " + m); };
  job.collect.concurrency = flags.concurrency;
  if (!flags.quiet) {
    job.on_message = [](const std::string& m) {
      std::fprintf(stderr, "collect prometheus: %s\n", m.c_str());
    };
  }
  auto opened = OpenStore(globals.store);
  if (!opened.ok()) {
    PrintError("collect prometheus: " + opened.status().message());
    return 1;
  }
  auto summary = RunPrometheusCollect(**opened, job, SystemClock().Now());
  if (!summary.ok()) {
    PrintError("collect prometheus: " + summary.status().message());
    return 1;
  }
  if (summary->window.Seconds() == 0) {
    std::printf("collect prometheus: nothing to collect before %s\n",
                HourText(summary->window.end).c_str());
    return 0;
  }
  std::printf("collect prometheus: %s\n", summary->ToString().c_str());
  return 0;
}

int RunCollectNvml(const GlobalOptions& globals, const std::string& host_flag) {
  auto readings = ReadNvml();
  if (!readings.ok()) {
    PrintError("collect nvml: " + readings.status().message());
    return 1;
  }
  char name[256] = {};
  const std::string host =
      !host_flag.empty() ? host_flag : (::gethostname(name, sizeof name - 1) == 0 ? name : "");
  const std::vector<GpuDevice> devices = NvmlToDevices(*readings, host);
  auto store = OpenStore(globals.store);
  auto stored = store.ok() ? (*store)->StoreGpuReadings(devices, SystemClock().Now())
                           : Result<int64_t>(store.status());
  if (!stored.ok()) {
    PrintError("collect nvml: " + stored.status().message());
    return 1;
  }
  std::printf("collect nvml: %zu GPUs of %s read, %lld readings stored\n", devices.size(),
              host.c_str(), static_cast<long long>(*stored));
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

  auto host = std::make_shared<std::string>();
  CLI::App* nvml = collect->add_subcommand(
      "nvml", "read this machine's GPUs through the NVIDIA driver's NVML (libnvidia-ml.so.1): "
              "model, memory, utilization, power, MIG mode, processes");
  nvml->add_option("--host", *host, "the name to store them under (default: this host's name)");
  nvml->callback([=]() { *exit_code = RunCollectNvml(*globals, *host); });

  AddCollectSlurmCommand(collect, globals, exit_code);
  AddCollectRedisCommand(collect, globals, exit_code);
}

}  // namespace tally::cli
