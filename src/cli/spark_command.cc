// tally ingest spark-eventlog PATH...: Spark applications as consumers of their executors' hosts
// (docs/formats/spark-eventlog.md).
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "jobs/job_usage_store.h"
#include "tally/clock.h"
#include "ingest/telemetry/spark/spark_usage.h"

namespace tally::cli {
namespace {

struct SparkFlags {
  std::vector<std::string> paths;
  std::string source = "spark";
  bool skip_bad_logs = false;
};

std::string Hours(const Decimal& amount_ms) {
  Result<Decimal> hours = amount_ms.Divide(Decimal::FromUnits(3'600'000));
  return hours.ok() ? hours->Round(3).ToString() : "?";
}

int RunSpark(const GlobalOptions& globals, const SparkFlags& flags) {
  const std::string prefix = "ingest spark-eventlog: ";
  const auto started = std::chrono::steady_clock::now();
  auto logs = FindSparkEventLogs(flags.paths);
  if (!logs.ok()) {
    PrintError(prefix + logs.status().message() + " (nothing was stored)");
    return 1;
  }
  if (logs->empty()) {
    PrintError(prefix + "no event logs under the paths given (nothing was stored)");
    return 1;
  }
  JobUsage usage(flags.source);
  int64_t bytes = 0, skipped_lines = 0, bad_logs = 0, apps = 0;
  for (const std::vector<std::string>& files : *logs) {
    std::vector<SparkLineProblem> problems;
    auto app = ReadSparkEventLog(files, &problems);
    for (const SparkLineProblem& p : problems) {
      std::fprintf(stderr, "warning: %s:%lld: %s (line skipped)\n", p.file.c_str(),
                   static_cast<long long>(p.line), p.reason.c_str());
    }
    if (!app.ok()) {
      if (!flags.skip_bad_logs) {
        PrintError(prefix + app.status().message() + " (nothing was stored)");
        return 1;
      }
      std::fprintf(stderr, "warning: %s (log skipped)\n", app.status().message().c_str());
      ++bad_logs;
      continue;
    }
    if (app->skipped_lines > static_cast<int64_t>(problems.size())) {
      std::fprintf(stderr, "warning: %s: %lld more lines skipped\n", files.front().c_str(),
                   static_cast<long long>(app->skipped_lines - problems.size()));
    }
    if (app->EndMs() - *app->start_ms > int64_t{7} * 24 * 3'600'000) {
      std::fprintf(stderr, "warning: %s: %s spans %lld days; check the log's timestamps\n",
                   files.front().c_str(), app->id.c_str(),
                   static_cast<long long>((app->EndMs() - *app->start_ms) / 86'400'000));
    }
    auto totals = AddSparkApplication(*app, &usage);
    if (!totals.ok()) {
      PrintError(prefix + files.front() + ": " + totals.status().message() +
                 " (nothing was stored)");
      return 1;
    }
    bytes += app->bytes;
    skipped_lines += app->skipped_lines;
    ++apps;
    const std::string used =
        totals->reserved_core_ms.is_zero()
            ? "-"
            : std::to_string(static_cast<long long>(totals->task_core_ms.raw() * 100 /
                                                    totals->reserved_core_ms.raw())) + "%";
    std::printf("%s  %s  user %s  %lld executors, %lld tasks, %s core-hours reserved, %s used (%s)%s\n",
                app->id.c_str(), app->name.c_str(), app->user.empty() ? "-" : app->user.c_str(),
                static_cast<long long>(totals->executors), static_cast<long long>(totals->tasks),
                Hours(totals->reserved_core_ms).c_str(), Hours(totals->task_core_ms).c_str(),
                used.c_str(), app->end_ms ? "" : "  [no ApplicationEnd: ends at its last event]");
  }
  auto store = OpenStore(globals.store);
  auto commit = store.ok() ? StoreJobUsage(**store, usage, flags.source, SystemClock().Now())
                           : Result<UsageCommit>(store.status());
  if (!commit.ok()) {
    PrintError(prefix + commit.status().message() + " (nothing was stored)");
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%s%lld applications, %.1f MB of events in %.2f s, %lld usage facts stored "
              "(%lld replaced), %lld malformed lines skipped%s\n",
              prefix.c_str(), static_cast<long long>(apps), static_cast<double>(bytes) / 1e6,
              seconds, static_cast<long long>(commit->facts_stored),
              static_cast<long long>(commit->facts_replaced),
              static_cast<long long>(skipped_lines),
              bad_logs > 0 ? (", " + std::to_string(bad_logs) + " logs skipped").c_str() : "");
  return 0;
}

}  // namespace

void AddSparkCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<SparkFlags>();
  CLI::App* sub = ingest->add_subcommand(
      "spark-eventlog",
      "ingest Spark event logs (plain, zstd or rolling eventlog_v2_* directories): each "
      "application's executor and task core-hours, memory and GPUs per host");
  sub->add_option("paths", flags->paths, "event log files or directories")->required();
  sub->add_option("--source", flags->source,
                  "source name; an application read again replaces its own facts")
      ->capture_default_str();
  sub->add_flag("--skip-bad-logs", flags->skip_bad_logs,
                "skip (and list) files that are not Spark event logs instead of failing");
  sub->footer(
      "An application read again replaces its own facts. A malformed line is reported and "
      "skipped; a file that is not an event log fails the run (or is skipped with "
      "--skip-bad-logs) and nothing is stored.");
  sub->callback([=]() { *exit_code = RunSpark(*globals, *flags); });
}

}  // namespace tally::cli
