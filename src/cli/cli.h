// The tally command line: one CLI11 app with a subcommand per file in src/cli. Global options
// (the store URL, also from TALLY_STORE) are read here and nowhere else: libraries never read
// the environment.
//
// Not thread-safe; called once from main.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "config/config.h"
#include "tally/status.h"
#include "tally/store.h"
#include "tally/time.h"

namespace tally::cli {

struct GlobalOptions {
  std::string store = "sqlite:./tally.db";  // --store, or TALLY_STORE
  bool exact = false;  // --exact: tables print money with every digit, not to cents
};

// Each subcommand file adds itself to the app; its callback sets *exit_code.
void AddIngestCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddCostsCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddForecastCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddAnomaliesCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
// recommend (recommend_command.cc)
void AddRecommendCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
// budgets, kpis, alerts (finance_commands.cc)
void AddFinanceCommands(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddLogCommands(CLI::App* app, const GlobalOptions* globals, int* exit_code);

void AddUsageCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddCollectCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddAssetsCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddAllocateCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddReportCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddReconcileCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddDemoCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddServeCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
// tokens create|list|revoke, audit (access_commands.cc)
void AddAccessCommands(CLI::App* app, const GlobalOptions* globals, int* exit_code);
// policy plan|apply|approve|object|list (policy_command.cc)
void AddPolicyCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
// Who the command line acts as in the audit log: "cli:<user>".
std::string CliActor();
// Appends a change made from the command line to the audit log (a failure is a warning: the
// change itself stands).
void RecordCliAction(const GlobalOptions& globals, std::string_view action,
                     std::string_view target, const std::string& detail);
// `tally ingest kube-scrape`, a subcommand of `ingest`.
void AddKubeScrapeCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code);
// `tally ingest usage-csv` and `tally ingest inventory`.
void AddUsageCsvCommands(CLI::App* ingest, const GlobalOptions* globals, int* exit_code);
// `tally ingest gpu` and `tally gpus` (gpu_commands.cc).
void AddIngestGpuCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code);
void AddGpusCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
// `tally ingest spark-eventlog` (spark_command.cc).
void AddSparkCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code);
// ingest vpc-flow, and tally flows (network_command.cc)
void AddVpcFlowCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code);
void AddFlowsCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
// ingest storage-csv (storage_command.cc)
void AddStorageCsvCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code);
// `tally ingest slurm-sacct` (slurm_command.cc).
void AddSlurmSacctCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code);
// `tally collect slurm` (slurm_command.cc), a subcommand of `collect`.
void AddCollectSlurmCommand(CLI::App* collect, const GlobalOptions* globals, int* exit_code);
// collect redis (cache_command.cc)
void AddCollectRedisCommand(CLI::App* collect, const GlobalOptions* globals, int* exit_code);

// Parses --from and --to (either may be empty) as a half-open window [from, to).
// Errors: kInvalidArgument naming the flag, or when to is not after from.
Status ParseWindowFlags(const std::string& from_text, const std::string& to_text,
                        std::optional<Timestamp>* from, std::optional<Timestamp>* to);

// Prints "tally: <message>" to stderr.
void PrintError(const std::string& message);

// For a command that writes under a policy: tally.yaml (`config_path`, else ./tally.yaml) and
// the store (created if missing). On an error prints "<prefix><message> (nothing was stored)"
// and returns false.
bool LoadConfigAndStore(const GlobalOptions& globals, const std::string& config_path,
                        const std::string& prefix, Config* config, std::unique_ptr<Store>* store);

// Runs the command line; returns the process exit code (0 ok, 1 failed, 2 usage error).
int RunCli(int argc, char** argv);

}  // namespace tally::cli
