// tally demo: writes the demo platform (src/demo/demo_platform.h) and, with --load, ingests and
// allocates it by running this same binary's commands, so the demo exercises exactly what a
// user runs.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "tally/clock.h"
#include "demo/demo_platform.h"

namespace tally::cli {
namespace {

struct DemoFlags {
  std::string out = "demo";
  uint64_t seed = 42;
  int teams = 12;
  int workloads = 120;
  int days = 30;
  std::string start;
  bool load = false;
  bool openmetrics = false;
};

// Runs `tally --store STORE args...` and waits; returns its exit code.
int RunSelf(const std::string& store, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"tally", "--store", store};
  all.reserve(all.size() + args.size());
  all.insert(all.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    argv.reserve(all.size() + 1);
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int RunDemo(const GlobalOptions& globals, const DemoFlags& flags) {
  DemoOptions options;
  options.out_dir = flags.out;
  options.seed = flags.seed;
  options.teams = flags.teams;
  options.workloads = flags.workloads;
  options.days = flags.days;
  options.openmetrics = flags.openmetrics;
  if (flags.start.empty()) {
    // The last `days` whole days before today.
    const int64_t now = SystemClock().Now().unix_seconds();
    options.start = Timestamp::FromUnixSeconds(now / 86400 * 86400 - int64_t{flags.days} * 86400);
  } else {
    auto start = ParseTimestamp(flags.start);
    if (!start.ok()) {
      PrintError("demo: --start: " + start.status().message());
      return 2;
    }
    options.start = *start;
  }
  auto summary = WriteDemoPlatform(options);
  if (!summary.ok()) {
    PrintError(summary.status().message());
    return summary.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::printf(
      "demo: %s: %d cloud nodes, %d on-prem GPU servers, %d consumers of %d teams, %lld usage "
      "rows, %lld bill lines (EffectiveCost %s), %d planted inefficiencies in truth.json\n",
      flags.out.c_str(), summary->nodes, summary->gpu_servers, summary->consumers, flags.teams,
      static_cast<long long>(summary->usage_rows), static_cast<long long>(summary->bill_lines),
      summary->bill_total.c_str(), summary->inefficiencies);
  std::fflush(stdout);
  if (!flags.load) return 0;
  const std::string dir = flags.out + "/";
  for (const std::vector<std::string>& step :
       {std::vector<std::string>{"ingest", "focus", "--quiet", dir + "bill.csv"},
        std::vector<std::string>{"ingest", "inventory", dir + "inventory.csv", "--source",
                                 "demo-inventory"},
        std::vector<std::string>{"ingest", "usage-csv", dir + "usage.csv", "--source",
                                 "demo-usage"},
        std::vector<std::string>{"allocate", "--config", dir + "tally.yaml"}}) {
    const int code = RunSelf(globals.store, step);
    if (code != 0) {
      PrintError("demo: `tally " + step[0] + " " + step[1] + "` failed");
      return code;
    }
  }
  return 0;
}

}  // namespace

void AddDemoCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* sub = app->add_subcommand(
      "demo", "generate a synthetic data platform with a known truth (and load it with --load)");
  sub->add_option("--out", flags->out, "directory for the files")->capture_default_str();
  sub->add_option("--seed", flags->seed, "random seed")->capture_default_str();
  sub->add_option("--teams", flags->teams, "teams")->capture_default_str();
  sub->add_option("--workloads", flags->workloads, "Kubernetes workloads")->capture_default_str();
  sub->add_option("--days", flags->days, "days of data")->capture_default_str();
  sub->add_option("--start", flags->start, "first day (default: --days before today)");
  sub->add_flag("--load", flags->load, "ingest the files and allocate them into the store");
  sub->add_flag("--openmetrics", flags->openmetrics,
                "also write metrics.om: the same usage as kube-state-metrics and cAdvisor "
                "series, for promtool tsdb create-blocks-from openmetrics");
  sub->callback([=]() { *exit_code = RunDemo(*globals, *flags); });
}

}  // namespace tally::cli
