// tally ingest slurm-sacct PATH...: Slurm job allocations from accounting files (sacct -P with
// or without a header, the XDMoD layout, sacct --json, slurmrestd job lists) as consumers of
// their nodes (docs/formats/slurm.md).
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "cli/job_usage_store.h"
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
  auto stored = added.ok() ? StoreJobUsage(globals, usage, flags.source)
                           : Result<UsageCommit>(added);
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

}  // namespace

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
