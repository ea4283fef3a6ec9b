// tally ingest slurm-sacct PATH...: Slurm job allocations from accounting files (sacct -P with
// or without a header, the XDMoD layout, sacct --json, slurmrestd job lists) as consumers of
// their nodes; tally collect slurm: the same from a live cluster's sacct and sinfo, resumable
// (docs/formats/slurm.md).
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "jobs/job_usage_store.h"
#include "jobs/slurm_collect_job.h"
#include "tally/clock.h"
#include "common/input_file.h"
#include "common/strings.h"
#include "ingest/telemetry/slurm/sacct_readers.h"

namespace tally::cli {
namespace {

struct SacctFlags {
  std::vector<std::string> paths;
  std::string fields;
  std::string layout = "auto";
  std::string cluster = "default";
  std::string source = "slurm";
};

int RunSacct(const GlobalOptions& globals, const SacctFlags& flags) {
  const std::string prefix = "ingest slurm-sacct: ";
  const auto started = std::chrono::steady_clock::now();
  if (flags.layout != "auto" && flags.layout != "xdmod") {
    PrintError(prefix + "--layout must be auto or xdmod");
    return 2;
  }
  std::vector<std::string> fields = SplitList(flags.fields, ',');
  if (flags.layout == "xdmod") fields = XdmodSacctFields();
  SlurmJobSet set(flags.cluster);
  std::vector<SlurmLineProblem> problems;
  for (const std::string& path : flags.paths) {
    auto text = ReadWholeFile(path);
    if (!text.ok()) {
      PrintError(prefix + text.status().message() + " (nothing was stored)");
      return 1;
    }
    const std::string_view body = Trim(*text);
    const Status read = body.starts_with("{") ? set.AddJson(*text, path, &problems)
                                              : set.AddText(*text, path, fields, &problems);
    if (!read.ok()) {
      PrintError(prefix + read.message() + " (nothing was stored)");
      return 1;
    }
  }
  for (const SlurmLineProblem& p : problems) {
    std::fprintf(stderr, "warning: %s:%lld: %s (skipped)\n", p.file.c_str(),
                 static_cast<long long>(p.line), p.reason.c_str());
  }
  JobUsage usage(flags.source);
  Status added = AddSlurmJobs(set, set.latest(), &usage);
  auto store = added.ok() ? OpenStore(globals.store)
                          : Result<std::unique_ptr<Store>>(added);
  auto stored = store.ok() ? StoreJobUsage(**store, usage, flags.source, SystemClock().Now())
                           : Result<UsageCommit>(store.status());
  if (!stored.ok()) {
    PrintError(prefix + stored.status().message() + " (nothing was stored)");
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%s%zu files, %zu job allocations (%lld steps folded in), %lld lines skipped, "
              "%lld usage facts stored (%lld replaced) in %.2f s (%.0f rows/s)\n",
              prefix.c_str(), flags.paths.size(), set.jobs().size(),
              static_cast<long long>(set.steps()), static_cast<long long>(problems.size()),
              static_cast<long long>(stored->facts_stored),
              static_cast<long long>(stored->facts_replaced), seconds,
              static_cast<double>(set.jobs().size() + set.steps()) / std::max(seconds, 1e-6));
  return 0;
}

struct CollectSlurmFlags {
  SlurmCollectJob job;
  std::string since;
};

int RunCollectSlurm(const GlobalOptions& globals, const CollectSlurmFlags& flags) {
  SlurmCollectJob job = flags.job;
  if (!flags.since.empty()) {
    auto since = ParseTimestamp(flags.since);
    if (!since.ok()) {
      PrintError("collect slurm: --since: " + since.status().message());
      return 2;
    }
    job.since = *since;
  }
  auto store = OpenStore(globals.store);
  auto summary = store.ok() ? RunSlurmCollect(**store, job, SystemClock().Now())
                            : Result<SlurmCollectSummary>(store.status());
  if (!summary.ok()) {
    PrintError("collect slurm: " + summary.status().message() + " (nothing was stored)");
    return 1;
  }
  std::printf("collect slurm: %s\n", summary->ToString().c_str());
  return 0;
}

}  // namespace

void AddCollectSlurmCommand(CLI::App* collect, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<CollectSlurmFlags>();
  CLI::App* sub = collect->add_subcommand(
      "slurm", "pull job allocations (sacct) and node capacity (sinfo) from a live Slurm cluster");
  sub->add_option("--since", flags->since,
                  "first hour (default: the source's first hour not complete, within the "
                  "lookback)");
  sub->add_option("--lookback-hours", flags->job.lookback_hours,
                  "where a source with no complete hour starts")
      ->capture_default_str();
  sub->add_option("--slurm-conf", flags->job.slurm_conf,
                  "SLURM_CONF for sacct and sinfo (default: theirs)");
  sub->add_option("--sacct", flags->job.sacct, "the sacct command")->capture_default_str();
  sub->add_option("--sinfo", flags->job.sinfo, "the sinfo command")->capture_default_str();
  sub->add_option("--source", flags->job.source,
                  "source name (nodes go to \"<source>/nodes\")")
      ->capture_default_str();
  sub->add_option("--timeout", flags->job.timeout_seconds, "seconds per command")
      ->capture_default_str();
  sub->footer(
      "Every job that ran since the start is read whole and replaces its own earlier facts, so "
      "a job still running is completed by the next run; hours before the current one are "
      "marked complete.");
  sub->callback([=]() { *exit_code = RunCollectSlurm(*globals, *flags); });
}

void AddSlurmSacctCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<SacctFlags>();
  CLI::App* sub = ingest->add_subcommand(
      "slurm-sacct",
      "ingest Slurm accounting: sacct -P (header, or --fields), --layout xdmod, sacct --json, "
      "slurmrestd job lists; core-, GiB- and GPU-hours per job allocation and node");
  sub->add_option("paths", flags->paths, "accounting files")->required();
  sub->add_option("--fields", flags->fields,
                  "the fields of a headerless file, as given to sacct --format (F1,F2,...)");
  sub->add_option("--layout", flags->layout, "auto (header or --fields) or xdmod")
      ->capture_default_str();
  sub->add_option("--cluster", flags->cluster, "cluster name for inputs without a Cluster field")
      ->capture_default_str();
  sub->add_option("--source", flags->source,
                  "source name; a job read again replaces its own facts")
      ->capture_default_str();
  sub->callback([=]() { *exit_code = RunSacct(*globals, *flags); });
}

}  // namespace tally::cli
