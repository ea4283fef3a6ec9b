// IngestFiles: runs one format reader over a list of files and directories, sending rows and
// diagnostics to a CostSink. It expands directories (the .csv and .csv.gz files below them, sorted,
// at any depth), counts what was stored and rejected, and decides what a bad file does to the run.
//
// Not thread-safe; one run at a time per sink.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/input_file.h"
#include "tally/cost_sink.h"
#include "tally/decimal.h"

namespace tally {

// Per file, the first this many diagnostics of one severity and column are stored; the rest are
// counted in one summary diagnostic, so memory and the store stay bounded on any input.
inline constexpr int64_t kDiagnosticsKeptPerKind = 100;
// Past this many kinds of problem in one file, further kinds share one count.
inline constexpr size_t kDiagnosticKindsPerFile = 1000;

struct IngestOptions {
  // Report a file that cannot be read (missing, not CSV, no cost columns, truncated) and go on
  // with the others, instead of failing the whole run. Default: false.
  bool skip_bad_files = false;
  // Told about every diagnostic as it happens (the sink stores them all). May be empty.
  std::function<void(const Diagnostic&)> on_diagnostic;
  // Told every 65,536 rows of a file. May be empty.
  std::function<void(const InputFile& file, int64_t rows)> on_progress;
  // Told when a file is done: ok, or bad (its rows abandoned, or the run failed). May be empty.
  std::function<void(const std::string& path, bool ok)> on_file_done;
};

struct IngestTotals {
  int files_read = 0;
  std::vector<std::pair<std::string, std::string>> files_skipped;  // path, reason
  int64_t rows_stored = 0;
  int64_t rows_rejected = 0;  // of the files read (a skipped file's rows are not counted)
  int64_t warnings = 0;       // lenient readings in the files read
  // Σ EffectiveCost of the stored rows, per BillingCurrency ("" when the rows name none).
  std::vector<std::pair<std::string, Decimal>> effective_cost;
};

// What a format reader gets for one file: where its rows and problems go.
class FileContext {
 public:
  // `in` is the file being read, for progress reports; all must outlive the context.
  FileContext(const SourceFile& file, const InputFile* in, CostSink* sink,
              const IngestOptions& options);

  const std::string& path() const { return file_.path; }
  // Names the file's extra columns (before its first row).
  Status DeclareExtraColumns(const std::vector<std::string>& names) {
    return sink_->DeclareExtraColumns(names);
  }
  // Stores one row.
  Status Emit(const CostLine& line);
  // Rejects row `line`: it is not stored.
  Status Reject(int64_t line, std::string_view column, std::string reason);
  // Notes a lenient reading of row `line` (0: the whole file); the row is stored.
  Status Warn(int64_t line, std::string_view column, std::string reason);
  // Says what tally decided about this file; not a problem.
  Status Note(std::string reason) { return Report(Severity::kInfo, 0, "", std::move(reason)); }
  // Rejects row `line`, which has `fields` of the header's `width` and so lacks `column`, a
  // number: a short row may be a row cut short, and a number read as null would alter money.
  Status RejectShortRow(int64_t line, std::string_view column, size_t fields, size_t width);
  // Checks a record against the header's `width`: more non-empty fields reject the row (returns
  // false); fewer are read as null, with one warning per file (readers reject a row that lacks a
  // number column with RejectShortRow).
  Result<bool> CheckRowWidth(std::span<const std::string_view> fields, size_t width, int64_t line);
  // Notes, once per file, that a row's text was not UTF-8 and was repaired (CsvReader).
  Status WarnNotUtf8(int64_t line) {
    return WarnOnce("utf-8", line, "",
                    "not valid UTF-8: invalid bytes stored as U+FFFD (first such row)");
  }
  // Like Warn, but only the first time `key` is seen in this file.
  Status WarnOnce(std::string_view key, int64_t line, std::string_view column, std::string reason);

  // Stores a summary for each kind of problem that had more diagnostics than were kept. Called
  // once the file was read to its end.
  Status Finish();

  // This file's rows stored and rejected, warnings and EffectiveCost; the run adds them only
  // when the whole file was read.
  const IngestTotals& counts() const { return counts_; }

 private:
  Status Report(Severity severity, int64_t line, std::string_view column, std::string reason);

  SourceFile file_;
  const InputFile* in_;
  CostSink* sink_;
  const IngestOptions& options_;
  IngestTotals counts_;
  std::vector<std::string> warned_keys_;
  // Diagnostics per (severity, column), so that a file of junk stores a bounded number of them.
  std::map<std::pair<Severity, std::string>, int64_t, std::less<>> reported_;
};

// Reads one file into its context. Returns a file-level error (the file cannot be read as this
// format at all); row problems go through the context instead.
using FileReader = std::function<Status(InputFile* in, FileContext* context)>;

// Expands `paths` into files: a file as given; for a directory, the .csv and .csv.gz files
// below it at any depth (every regular file when `every_file`), sorted by path.
// Errors: kNotFound for a path that does not exist, or a directory without such files.
Result<std::vector<std::string>> ExpandInputPaths(std::span<const std::string> paths,
                                                  bool every_file = false);

// Ingests `paths` with `reader`. A bad file fails the run (its error is returned, naming the
// file) unless options.skip_bad_files, in which case its rows are abandoned, it is listed in
// totals->files_skipped, and an error diagnostic for the file says why.
Status IngestFiles(std::span<const std::string> paths, std::string_view format,
                   const FileReader& reader, CostSink* sink, const IngestOptions& options,
                   IngestTotals* totals);

}  // namespace tally
