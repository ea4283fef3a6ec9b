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

int RunIngest(const GlobalOptions& globals, const IngestFlags& flags, const BillFormat& spec) {
  const std::string format(spec.name);
  std::string command = "tally ingest " + format;
  for (const std::string& p : flags.paths) command += " " + p;
  std::vector<std::string> paths = flags.paths;
  if (spec.expand) {
    auto expanded = spec.expand(flags.paths);
    if (!expanded.ok()) {
      PrintError("ingest " + format + ": " + expanded.status().message() + " (nothing was stored)");
      return 1;
    }
    paths = std::move(*expanded);
  }
  auto store = OpenStore(globals.store);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto ingest = (*store)->BeginCostIngest(IngestRun{format, command});
  if (!ingest.ok()) {
    PrintError(ingest.status().message());
    return 1;
  }
  // A file's diagnostics are printed when it is done and read well: for a bad file, its one
  // error line says all there is to say.
  int shown = 0, hidden = 0;
  std::vector<std::string> pending;
  const bool tty = isatty(STDERR_FILENO) != 0 && !flags.quiet;
  IngestOptions options;
  options.skip_bad_files = flags.skip_bad_files;
  options.on_diagnostic = [&](const Diagnostic& d) {
    if (flags.quiet || shown + static_cast<int>(pending.size()) >= flags.max_diagnostics) {
      ++hidden;
      return;
    }
    pending.push_back(d.ToString());
  };
  options.on_file_done = [&](const std::string&, bool ok) {
    if (tty) std::fprintf(stderr, "\r\033[K");
    for (const std::string& line : pending) {
      if (ok) std::fprintf(stderr, "%s\n", line.c_str());
    }
    if (ok) shown += static_cast<int>(pending.size());
    pending.clear();
  };
  // On a terminal, a progress line redrawn in place; in a log, a line every 10 seconds.
  auto last_line = std::chrono::steady_clock::now();
  options.on_progress = [&](const InputFile& file, int64_t rows) {
    if (flags.quiet) return;
    const auto now = std::chrono::steady_clock::now();
    if (!tty && now - last_line < std::chrono::seconds(10)) return;
    last_line = now;
    uint64_t size = file.size_on_disk();
    int percent = size == 0 ? 100 : static_cast<int>(100 * file.consumed_on_disk() / size);
    std::fprintf(stderr, "%s%s: %d%% (%lld rows)%s", tty ? "\r\033[K" : "", file.path().c_str(),
                 percent, static_cast<long long>(rows), tty ? "" : "\n");
  };
  const std::string prefix = "ingest " + format + ": ";
  IngestTotals totals;
  Status status;
  {
    AsyncCostSink async(ingest->get());  // parse on this core, store on the other
    status = IngestFiles(paths, format, spec.reader, &async, options, &totals);
    Status flushed = async.Flush();
    if (status.ok()) status = flushed;
  }
  if (tty) std::fprintf(stderr, "\r\033[K");
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
  if (hidden > 0 && !flags.quiet) {
    std::fprintf(stderr, "... and %d more diagnostics (see them all: tally diagnostics)\n", hidden);
  }
  for (const std::string& warning : commit->warnings) PrintError(prefix + warning);
  std::printf("%s\n", Summary(format, totals, *commit).c_str());
  return 0;
}

}  // namespace

void AddIngestCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  CLI::App* ingest = app->add_subcommand("ingest", "read cost data into the store");
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
}

}  // namespace tally::cli
