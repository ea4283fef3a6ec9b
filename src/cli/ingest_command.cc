// tally ingest FORMAT PATH...: reads billing files into the store in one atomic run.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "ingest/async_cost_sink.h"
#include "ingest/billing/bill_formats.h"
#include "ingest/ingest_files.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct IngestFlags {
  std::vector<std::string> paths;
  bool skip_bad_files = false;
  int max_diagnostics = 20;
  bool quiet = false;
};

std::string Summary(const std::string& format, const IngestTotals& totals,
                    const IngestCommit& commit) {
  std::string s = "ingest " + format + ": " + std::to_string(totals.files_read) + " files, " +
                  std::to_string(commit.rows_stored) + " rows stored, " +
                  std::to_string(totals.rows_rejected) + " rows rejected, " +
                  std::to_string(totals.warnings) + " warnings, " +
                  std::to_string(commit.partitions.size()) + " billing periods";
  if (commit.rows_replaced > 0) {
    s += " (replacing " + std::to_string(commit.rows_replaced) + " earlier rows)";
  }
  s += ", EffectiveCost ";
  if (totals.effective_cost.empty()) s += "0";
  for (size_t i = 0; i < totals.effective_cost.size(); ++i) {
    const auto& [currency, sum] = totals.effective_cost[i];
    s += (i > 0 ? " + " : "") + sum.ToString() + (currency.empty() ? "" : " " + currency);
  }
  if (!totals.files_skipped.empty()) {
    s += "; " + std::to_string(totals.files_skipped.size()) + " bad files skipped";
  }
  return s;
}

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
  const std::string format(spec.name);
  const std::string prefix = "ingest " + format + ": ";
  std::string command = "tally ingest " + format;
  for (const std::string& p : flags.paths) command += " " + p;
  std::vector<std::string> paths = flags.paths;
  if (spec.expand) {
    auto expanded = spec.expand(flags.paths);
    if (!expanded.ok()) {
      PrintError(prefix + expanded.status().message() + " (nothing was stored)");
      return 1;
    }
    paths = std::move(*expanded);
  }
  auto store = OpenStore(globals.store);
  auto ingest = store.ok() ? (*store)->BeginCostIngest(IngestRun{format, command})
                           : Result<std::unique_ptr<CostIngest>>(store.status());
  if (!ingest.ok()) {
    PrintError(ingest.status().message());
    return 1;
  }
  RunReporter reporter(flags);
  IngestOptions options;
  options.skip_bad_files = flags.skip_bad_files;
  reporter.Wire(&options);
  IngestTotals totals;
  Status status;
  {
    AsyncCostSink async(ingest->get());  // parse on this core, store on the other
    status = IngestFiles(paths, format, spec.reader, &async, options, &totals);
    Status flushed = async.Flush();
    if (status.ok()) status = flushed;
  }
  reporter.ClearProgress();
  if (!status.ok()) {
    PrintError(prefix + status.message() + " (nothing was stored)");
    return 1;
  }
  for (const auto& [path, reason] : totals.files_skipped) PrintError(prefix + "skipped: " + reason);
  auto commit = (*ingest)->Commit();
  if (!commit.ok()) {
    PrintError(prefix + commit.status().message() + " (nothing was stored)");
    return 1;
  }
  reporter.PrintHidden();
  for (const std::string& warning : commit->warnings) PrintError(prefix + warning);
  std::printf("%s\n", Summary(format, totals, *commit).c_str());
  return 0;
}

}  // namespace

void AddIngestCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  CLI::App* ingest = app->add_subcommand("ingest", "read cost or usage data into the store");
  ingest->require_subcommand(1);
  ingest->footer(
      "Each run is atomic: a newer export of the same billing account and period replaces the "
      "older one, and a bad file fails the run and stores nothing.");
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
    sub->callback([=]() { *exit_code = RunIngest(*globals, *flags, format); });
  }
  AddKubeScrapeCommand(ingest, globals, exit_code);
  AddUsageCsvCommands(ingest, globals, exit_code);
}

}  // namespace tally::cli
