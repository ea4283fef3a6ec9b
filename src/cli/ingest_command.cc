// tally ingest FORMAT PATH...: reads billing files into the store in one atomic run.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "ingest/billing/bill_formats.h"
#include "ingest/ingest_files.h"
#include "jobs/bill_ingest_job.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct IngestFlags {
  std::vector<std::string> paths;
  bool skip_bad_files = false;
  int max_diagnostics = 20;
  bool quiet = false;
};

// What an ingest run prints on stderr while it runs: each file's diagnostics once the file was
// read well (for a bad file, its one error line says all there is to say), at most
// --max-diagnostics of them, and progress (redrawn in place on a terminal, a line every 10
// seconds in a log).
class RunReporter {
 public:
  explicit RunReporter(const IngestFlags& flags)
      : flags_(flags), tty_(isatty(STDERR_FILENO) != 0 && !flags.quiet) {}

  void Wire(IngestOptions* options) {
    options->on_diagnostic = [this](const Diagnostic& d) {
      if (flags_.quiet || shown_ + static_cast<int>(pending_.size()) >= flags_.max_diagnostics) {
        ++hidden_;
      } else {
        pending_.push_back(d.ToString());
      }
    };
    options->on_file_done = [this](const std::string&, bool ok) {
      ClearProgress();
      for (const std::string& line : pending_) {
        if (ok) std::fprintf(stderr, "%s\n", line.c_str());
      }
      if (ok) shown_ += static_cast<int>(pending_.size());
      pending_.clear();
    };
    options->on_progress = [this](const InputFile& file, int64_t rows) { Progress(file, rows); };
  }

  void ClearProgress() const {
    if (tty_) std::fprintf(stderr, "\r\033[K");
  }

  // After a successful run: how many diagnostics were not printed.
  void PrintHidden() const {
    if (hidden_ > 0 && !flags_.quiet) {
      std::fprintf(stderr, "... and %d more diagnostics (see them all: tally diagnostics)\n",
                   hidden_);
    }
  }

 private:
  void Progress(const InputFile& file, int64_t rows) {
    if (flags_.quiet) return;
    const auto now = std::chrono::steady_clock::now();
    if (!tty_ && now - last_line_ < std::chrono::seconds(10)) return;
    last_line_ = now;
    const uint64_t size = file.size_on_disk();
    const int percent = size == 0 ? 100 : static_cast<int>(100 * file.consumed_on_disk() / size);
    std::fprintf(stderr, "%s%s: %d%% (%lld rows)%s", tty_ ? "\r\033[K" : "", file.path().c_str(),
                 percent, static_cast<long long>(rows), tty_ ? "" : "\n");
  }

  const IngestFlags& flags_;
  const bool tty_;
  int shown_ = 0, hidden_ = 0;
  std::vector<std::string> pending_;
  std::chrono::steady_clock::time_point last_line_ = std::chrono::steady_clock::now();
};

int RunIngest(const GlobalOptions& globals, const IngestFlags& flags, const BillFormat& spec) {
  const std::string prefix = "ingest " + std::string(spec.name) + ": ";
  BillIngestJob job;
  job.format = &spec;
  job.paths = flags.paths;
  job.command = "tally ingest " + std::string(spec.name);
  for (const std::string& p : flags.paths) job.command += " " + p;
  job.options.skip_bad_files = flags.skip_bad_files;
  RunReporter reporter(flags);
  reporter.Wire(&job.options);
  auto store = OpenStore(globals.store);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto result = RunBillIngest(**store, job);
  reporter.ClearProgress();
  if (!result.ok()) {
    PrintError(prefix + result.status().message() + " (nothing was stored)");
    return 1;
  }
  for (const auto& [path, reason] : result->totals.files_skipped) {
    PrintError(prefix + "skipped: " + reason);
  }
  reporter.PrintHidden();
  for (const std::string& warning : result->commit.warnings) PrintError(prefix + warning);
  std::printf("%s%s\n", prefix.c_str(), result->Summary().c_str());
  if (result->totals.rows_stored == 0 && result->totals.rows_rejected > 0) {
    PrintError(prefix + "every row was rejected (see them: tally diagnostics)");
    return 1;
  }
  return 0;
}

}  // namespace

void AddIngestCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  CLI::App* ingest = app->add_subcommand("ingest", "read cost or usage data into the store");
  ingest->require_subcommand(1);
  auto flags = std::make_shared<IngestFlags>();
  for (const BillFormat& format : BillFormats()) {
    CLI::App* sub =
        ingest->add_subcommand(std::string(format.name), "ingest " + std::string(format.help));
    sub->add_option("paths", flags->paths, "files or directories")->required();
    sub->add_flag("--skip-bad-files", flags->skip_bad_files,
                  "report a file that cannot be read and ingest the others");
    sub->add_option("--max-diagnostics", flags->max_diagnostics,
                    "how many row problems to print (all are stored)")
        ->capture_default_str();
    sub->add_flag("-q,--quiet", flags->quiet, "print only the summary and errors");
    sub->footer(
        "Each run is atomic: a newer export of the same billing account and period replaces the "
        "older one, and a bad file fails the run and stores nothing.");
    sub->callback([=]() { *exit_code = RunIngest(*globals, *flags, format); });
  }
  AddKubeScrapeCommand(ingest, globals, exit_code);
  AddUsageCsvCommands(ingest, globals, exit_code);
  AddIngestGpuCommand(ingest, globals, exit_code);
  AddSparkCommand(ingest, globals, exit_code);
  AddVpcFlowCommand(ingest, globals, exit_code);
  AddStorageCsvCommand(ingest, globals, exit_code);
  AddSlurmSacctCommand(ingest, globals, exit_code);
  // Set after the subcommands, which would otherwise inherit it.
  ingest->footer("Each kind of input has its rules: tally ingest KIND --help.");
}

}  // namespace tally::cli
