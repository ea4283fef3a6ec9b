// tally allocate: computes and stores allocations for the hours whose inputs or policy changed.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "config/config.h"
#include "jobs/allocation_job.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct AllocateFlags {
  std::string from, to;
  std::string config;
  bool quiet = false;
};

int RunAllocate(const GlobalOptions& globals, const AllocateFlags& flags) {
  AllocationJob job;
  Status window_flags = ParseWindowFlags(flags.from, flags.to, &job.from, &job.to);
  if (!window_flags.ok()) {
    PrintError("allocate: " + window_flags.message());
    return 2;
  }
  auto config = LoadConfig(flags.config);
  if (!config.ok()) {
    PrintError("allocate: " + config.status().message());
    return 1;
  }
  for (const std::string& w : config->warnings) PrintError("allocate: warning: " + w);
  auto opened = OpenStore(globals.store, OpenMode::kMustExist);
  if (!opened.ok()) {
    PrintError(opened.status().message());
    return 1;
  }
  const bool progress = !flags.quiet && isatty(STDERR_FILENO) != 0;
  if (progress) {
    job.on_progress = [](int64_t done, int64_t total) {
      std::fprintf(stderr, "\rallocate: %lld/%lld hours", static_cast<long long>(done),
                   static_cast<long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
  }
  auto summary = RunAllocation(**opened, *config, job);
  if (!summary.ok()) {
    PrintError("allocate: " + summary.status().message() + " (hours stored before the error stay)");
    return 1;
  }
  std::printf("allocate: %s\n", summary->ToString().c_str());
  if (summary->currencies.size() > 1) {
    std::string list;
    for (const std::string& c : summary->currencies) list += (list.empty() ? "" : ", ") + c;
    PrintError("allocate: warning: the bill lines are in " +
               std::to_string(summary->currencies.size()) + " currencies (" + list +
               "): owners' sums add them as they are; tally converts no currency");
  }
  if (summary->lines_without_period > 0) {
    PrintError("allocate: warning: " + std::to_string(summary->lines_without_period) +
               " bill lines have no charge period and cannot be placed in hours");
  }
  return 0;
}

}  // namespace

void AddAllocateCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<AllocateFlags>();
  CLI::App* sub = app->add_subcommand(
      "allocate", "split every asset's cost to the consumers that used it, hour by hour");
  sub->add_option("--from", flags->from, "first hour (default: the first hour with data)");
  sub->add_option("--to", flags->to, "end, exclusive (default: the end of the data)");
  sub->add_option("--config", flags->config, "policy file (default: ./tally.yaml if present)");
  sub->add_flag("-q,--quiet", flags->quiet, "no progress");
  sub->footer(
      "Only hours never allocated, allocated under another policy, or whose usage or bills "
      "changed since are recomputed. See docs/allocation.md.");
  sub->callback([=]() { *exit_code = RunAllocate(*globals, *flags); });
}

}  // namespace tally::cli
