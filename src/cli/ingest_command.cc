// tally ingest FORMAT PATH...: reads billing files into the store in one atomic run.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "ingest/billing/bill_formats.h"
#include "ingest/ingest_files.h"
#include "ingest/input_kinds.h"
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
      ++files_done_;
      bytes_done_ += current_size_;
      current_size_ = 0;
      for (const std::string& line : pending_) {
        if (ok) std::fprintf(stderr, "%s\n", line.c_str());
      }
      if (ok) shown_ += static_cast<int>(pending_.size());
      pending_.clear();
    };
    options->on_progress = [this](const InputFile& file, int64_t rows) { Progress(file, rows); };
  }

  // How many files the run reads, when known before it starts (0: unknown).
  void SetFileCount(size_t files) { files_total_ = static_cast<int>(files); }

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
    current_size_ = size;
    const int percent = size == 0 ? 100 : static_cast<int>(100 * file.consumed_on_disk() / size);
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double mb_per_s =
        seconds > 0 ? static_cast<double>(bytes_done_ + file.consumed_on_disk()) / 1e6 / seconds
                    : 0;
    const std::string of = files_total_ > 0 ? "/" + std::to_string(files_total_) : "";
    std::fprintf(stderr, "%sfile %d%s %s: %d%% (%lld rows, %.1f MB/s)%s", tty_ ? "\r\033[K" : "",
                 files_done_ + 1, of.c_str(), file.path().c_str(), percent,
                 static_cast<long long>(rows), mb_per_s, tty_ ? "" : "\n");
  }

  const IngestFlags& flags_;
  const bool tty_;
  int shown_ = 0, hidden_ = 0;
  int files_done_ = 0, files_total_ = 0;
  uint64_t bytes_done_ = 0, current_size_ = 0;  // on disk: of the files done, of the current one
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::vector<std::string> pending_;
  std::chrono::steady_clock::time_point last_line_ = std::chrono::steady_clock::now();
};

// `tally ingest auto`: the bills among the files below `paths`, each other file reported with
// what it looks like and the command that reads it. Empty with *code set when there is none.
std::vector<std::string> SortAutoInputs(const IngestFlags& flags, const BillFormat& spec,
                                        int* code) {
  const std::string prefix = "ingest auto: ";
  auto expanded = spec.expand ? spec.expand(flags.paths) : flags.paths;
  auto files = expanded.ok() ? ExpandInputPaths(*expanded, /*every_file=*/true)
                             : Result<std::vector<std::string>>(expanded.status());
  if (!files.ok()) {
    PrintError(prefix + files.status().message() + " (nothing was stored)");
    *code = 1;
    return {};
  }
  std::vector<std::string> bills;
  for (const std::string& file : *files) {
    const InputKind kind = DetectInputKind(file);
    if (kind.is_bill()) {
      bills.push_back(file);
    } else if (!flags.quiet) {
      const std::string target =
          kind.of_directory ? std::filesystem::path(file).parent_path().string() : file;
      PrintError(prefix + file + ": not a bill: " + kind.looks_like +
                 (kind.command.empty() ? "" : "; read it with: " + kind.command + " " + target));
    }
  }
  if (bills.empty()) {
    PrintError(prefix + "no bill among the " + std::to_string(files->size()) +
               " files (nothing was stored)");
    *code = 1;
  }
  return bills;
}

int RunIngest(const GlobalOptions& globals, const IngestFlags& flags, const BillFormat& spec) {
  const std::string prefix = "ingest " + std::string(spec.name) + ": ";
  BillIngestJob job;
  job.format = &spec;
  job.paths = flags.paths;
  // auto goes on past what it cannot read: other kinds are named, bad bills reported.
  const bool auto_detect = spec.name == "auto";
  if (auto_detect) {
    int code = 0;
    job.paths = SortAutoInputs(flags, spec, &code);
    if (job.paths.empty()) return code;
  }
  job.command = "tally ingest " + std::string(spec.name);
  for (const std::string& p : flags.paths) job.command += " " + p;
  job.options.skip_bad_files = flags.skip_bad_files || auto_detect;
  RunReporter reporter(flags);
  reporter.Wire(&job.options);
  if (auto_detect) reporter.SetFileCount(job.paths.size());
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
    PrintError(prefix + (auto_detect ? "failed: " : "skipped: ") + reason);
  }
  reporter.PrintHidden();
  for (const std::string& warning : result->commit.warnings) PrintError(prefix + warning);
  std::printf("%s%s\n", prefix.c_str(), result->Summary().c_str());
  if (result->totals.rows_stored == 0 && result->totals.rows_rejected > 0) {
    PrintError(prefix + "every row was rejected (see them: tally diagnostics)");
    return 1;
  }
  // auto: the good bills are stored, and the exit code says that some bill failed.
  return auto_detect && !result->totals.files_skipped.empty() ? 1 : 0;
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
        format.name == "auto"
            ? "Every file below the paths is looked at: bills (any format above) are stored in "
              "one atomic run; any other file is named with what it looks like and the command "
              "that reads it. A bill that cannot be read is reported and the others are stored; "
              "the exit code is then 1."
            : "Each run is atomic: a newer export of the same billing account and period "
              "replaces the older one, and a bad file fails the run and stores nothing.");
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
