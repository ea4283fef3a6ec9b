#include "cli/cli.h"

#include <cstdio>

namespace tally::cli {

void PrintError(const std::string& message) {
  std::fprintf(stderr, "tally: %s\n", message.c_str());
}

bool LoadConfigAndStore(const GlobalOptions& globals, const std::string& config_path,
                        const std::string& prefix, Config* config, std::unique_ptr<Store>* store) {
  auto loaded = LoadConfig(config_path);
  auto opened = loaded.ok() ? OpenStore(globals.store)
                            : Result<std::unique_ptr<Store>>(loaded.status());
  if (!opened.ok()) {
    PrintError(prefix + opened.status().message() + " (nothing was stored)");
    return false;
  }
  *config = std::move(*loaded);
  *store = std::move(*opened);
  return true;
}

Status ParseWindowFlags(const std::string& from_text, const std::string& to_text,
                        std::optional<Timestamp>* from, std::optional<Timestamp>* to) {
  return ParseWindowBounds(from_text, to_text, "--", from, to);
}

int RunCli(int argc, char** argv) {
  CLI::App app{
      "tally: a FinOps engine. It ingests cost data normalized to FOCUS with exact decimal "
      "money and reports who spent what.",
      "tally"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tally 0.1.0");
  GlobalOptions globals;
  app.add_option("--store", globals.store,
                 "where data is kept: sqlite:PATH or "
                 "clickhouse://HOST:PORT,.../DATABASE?cluster=NAME (docs/store.md)")
      ->envname("TALLY_STORE")
      ->capture_default_str();
  app.add_flag("--exact", globals.exact,
               "tables print money with every digit (CSV and JSON always do); default: cents");
  // So that global options may follow the command too: tally costs --exact.
  app.fallthrough();
  int exit_code = 0;
  AddIngestCommand(&app, &globals, &exit_code);
  AddCostsCommand(&app, &globals, &exit_code);
  AddForecastCommand(&app, &globals, &exit_code);
  AddAnomaliesCommand(&app, &globals, &exit_code);
  AddFinanceCommands(&app, &globals, &exit_code);
  AddRecommendCommand(&app, &globals, &exit_code);
  AddLogCommands(&app, &globals, &exit_code);
  AddUsageCommand(&app, &globals, &exit_code);
  AddCollectCommand(&app, &globals, &exit_code);
  AddAssetsCommand(&app, &globals, &exit_code);
  AddGpusCommand(&app, &globals, &exit_code);
  AddFlowsCommand(&app, &globals, &exit_code);
  AddAllocateCommand(&app, &globals, &exit_code);
  AddReportCommand(&app, &globals, &exit_code);
  AddReconcileCommand(&app, &globals, &exit_code);
  AddDemoCommand(&app, &globals, &exit_code);
  AddServeCommand(&app, &globals, &exit_code);
  AddAccessCommands(&app, &globals, &exit_code);
  AddPolicyCommand(&app, &globals, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace tally::cli
