// The tally command line: one CLI11 app with a subcommand per file in src/cli. Global options
// (the store URL, also from TALLY_STORE) are read here and nowhere else: libraries never read
// the environment.
//
// Not thread-safe; called once from main.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace tally::cli {

struct GlobalOptions {
  std::string store = "sqlite:./tally.db";  // --store, or TALLY_STORE
};

// Each subcommand file adds itself to the app; its callback sets *exit_code.
void AddIngestCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddCostsCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code);
void AddLogCommands(CLI::App* app, const GlobalOptions* globals, int* exit_code);

// Prints "tally: <message>" to stderr.
void PrintError(const std::string& message);

// Runs the command line; returns the process exit code (0 ok, 1 failed, 2 usage error).
int RunCli(int argc, char** argv);

}  // namespace tally::cli
