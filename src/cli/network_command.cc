// tally ingest vpc-flow PATH... and tally flows: network flows attributed to the consumers that
// sent them, by class of path (docs/network.md).
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "jobs/flow_ingest_job.h"
#include "report/flow_report.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

constexpr size_t kProblemsShown = 20;

struct VpcFlowFlags {
  std::vector<std::string> paths;
  std::string config;
};

int RunVpcFlow(const GlobalOptions& globals, const VpcFlowFlags& flags) {
  const std::string prefix = "ingest vpc-flow: ";
  const auto started = std::chrono::steady_clock::now();
  Config config;
  std::unique_ptr<Store> store;
  if (!LoadConfigAndStore(globals, flags.config, prefix, &config, &store)) return 1;
  auto summary = RunFlowIngest(*store, config, flags.paths, FlowIngestOptions{});
  if (!summary.ok()) {
    PrintError(prefix + summary.status().message() + " (nothing was stored)");
    return 1;
  }
  size_t shown = 0;
  for (const Diagnostic& d : summary->problems) {
    if (shown++ == kProblemsShown) break;
    std::fprintf(stderr, "%s (line skipped)\n", d.ToString().c_str());
  }
  if (summary->rejected_lines > static_cast<int64_t>(std::min(shown, kProblemsShown))) {
    std::fprintf(stderr, "warning: %lld lines skipped in all\n",
                 static_cast<long long>(summary->rejected_lines));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%s%s in %.2f s\n", prefix.c_str(), summary->ToString().c_str(), seconds);
  return 0;
}

struct FlowsFlags {
  std::string by = "class";
  std::string from, to;
  std::string format = "table";
  std::string config;
};

int RunFlows(const GlobalOptions& globals, const FlowsFlags& flags) {
  FlowQuery query;
  auto keys = ParseFlowKeys(flags.by);
  Status window = ParseWindowFlags(flags.from, flags.to, &query.from, &query.to);
  auto format = ParseOutputFormat(flags.format);
  if (!keys.ok() || !window.ok() || !format.ok()) {
    PrintError("flows: " + (!keys.ok()     ? keys.status()
                            : !window.ok() ? window
                                           : format.status())
                               .message());
    return 2;
  }
  query.by = std::move(*keys);
  auto config = LoadConfig(flags.config);
  if (!config.ok()) {
    PrintError("flows: " + config.status().message());
    return 1;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto table = QueryFlows(**store, *config, query);
  if (!table.ok()) {
    PrintError("flows: " + table.status().message());
    return 1;
  }
  const std::string text = RenderRecordTable(*table, *format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (table->rows.empty()) PrintError("flows: no flows in the window (tally ingest vpc-flow)");
  return 0;
}

}  // namespace

void AddVpcFlowCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<VpcFlowFlags>();
  CLI::App* sub = ingest->add_subcommand(
      "vpc-flow",
      "ingest AWS VPC Flow Logs (default or custom format, plain or gzip): bytes per hour, "
      "interface and class, attributed to the consumers that sent them");
  sub->add_option("paths", flags->paths, "flow log files")->required();
  sub->add_option("--config", flags->config,
                  "policy file with network zones, owners and prices (default: ./tally.yaml if "
                  "present)");
  sub->footer(
      "A file read again replaces what it stored before. Bad lines are reported with file and "
      "line and skipped; a file that is not a flow log fails the run and stores nothing. "
      "Classes, attribution and cost: docs/network.md.");
  sub->callback([=]() { *exit_code = RunVpcFlow(*globals, *flags); });
}

void AddFlowsCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<FlowsFlags>();
  CLI::App* sub = app->add_subcommand(
      "flows", "stored network flows: bytes and packets by interface, class, address, consumer "
               "or owner, most bytes first");
  sub->add_option("--by", flags->by,
                  "comma-separated keys: interface, class, src, dst, consumer, owner")
      ->capture_default_str();
  sub->add_option("--from", flags->from, "first hour (inclusive), e.g. 2026-11-01");
  sub->add_option("--to", flags->to, "end of the window (exclusive)");
  sub->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  sub->add_option("--config", flags->config,
                  "policy file for owners (default: ./tally.yaml if present)");
  sub->callback([=]() { *exit_code = RunFlows(*globals, *flags); });
}

}  // namespace tally::cli
