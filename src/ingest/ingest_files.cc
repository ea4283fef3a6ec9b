#include "ingest/ingest_files.h"

#include <algorithm>
#include <filesystem>

#include "common/strings.h"

namespace tally {

namespace fs = std::filesystem;

namespace {

// Adds `cost` to the sum of its currency; false on overflow.
bool AddEffectiveCost(std::string_view currency, Decimal cost,
                      std::vector<std::pair<std::string, Decimal>>* sums) {
  auto it = std::find_if(sums->begin(), sums->end(),
                         [&](const auto& entry) { return entry.first == currency; });
  if (it == sums->end()) it = sums->insert(sums->end(), {std::string(currency), Decimal()});
  return it->second.CheckedAdd(cost);
}

// Adds a file's counts to the run's: only files read to the end count.
Status AddFileCounts(const IngestTotals& file, IngestTotals* run) {
  ++run->files_read;
  run->rows_stored += file.rows_stored;
  run->rows_rejected += file.rows_rejected;
  run->warnings += file.warnings;
  for (const auto& [currency, sum] : file.effective_cost) {
    if (!AddEffectiveCost(currency, sum, &run->effective_cost)) {
      return InvalidArgument("EffectiveCost total overflows");
    }
  }
  return Status::Ok();
}

}  // namespace

FileContext::FileContext(const SourceFile& file, const InputFile* in, CostSink* sink,
                         const IngestOptions& options)
    : file_(file), in_(in), sink_(sink), options_(options) {}

Status FileContext::Emit(const CostLine& line) {
  TALLY_RETURN_IF_ERROR(sink_->Add(line));
  ++counts_.rows_stored;
  if (const auto& cost = line.decimal(FocusColumn::kEffectiveCost)) {
    if (!AddEffectiveCost(line.dim(FocusColumn::kBillingCurrency), *cost,
                          &counts_.effective_cost)) {
      return InvalidArgument(file_.path + ": line " + std::to_string(line.line) +
                             ": EffectiveCost total overflows");
    }
  }
  if (options_.on_progress && counts_.rows_stored % 65536 == 0) {
    options_.on_progress(*in_, counts_.rows_stored);
  }
  return Status::Ok();
}

Status FileContext::Report(Severity severity, int64_t line, std::string_view column,
                           std::string reason) {
  if (severity == Severity::kError) {
    ++counts_.rows_rejected;
  } else if (severity == Severity::kWarning) {
    ++counts_.warnings;
  }
  std::pair<Severity, std::string> kind{severity, std::string(column)};
  if (reported_.size() >= kDiagnosticKindsPerFile && !reported_.contains(kind)) {
    kind.second = "*";  // every further column shares one count
  }
  if (++reported_[kind] > kDiagnosticsKeptPerKind) return Status::Ok();
  Diagnostic d{severity, file_.path, line, std::string(column), std::move(reason)};
  if (options_.on_diagnostic) options_.on_diagnostic(d);
  return sink_->AddDiagnostic(d);
}

Status FileContext::Finish() {
  for (const auto& [kind, count] : reported_) {
    if (count <= kDiagnosticsKeptPerKind) continue;
    const auto& [severity, column] = kind;
    const std::string what = severity == Severity::kError     ? "rows rejected"
                             : severity == Severity::kWarning ? "warnings"
                                                              : "notes";
    Diagnostic d{Severity::kInfo, file_.path, 0, column,
                 std::to_string(count - kDiagnosticsKeptPerKind) + " more " + what +
                     (column.empty() ? "" : " in this column") + " (the first " +
                     std::to_string(kDiagnosticsKeptPerKind) + " are stored; " +
                     std::to_string(count) + " in all)"};
    if (options_.on_diagnostic) options_.on_diagnostic(d);
    TALLY_RETURN_IF_ERROR(sink_->AddDiagnostic(d));
  }
  return Status::Ok();
}

Status FileContext::Reject(int64_t line, std::string_view column, std::string reason) {
  return Report(Severity::kError, line, column, std::move(reason));
}

Status FileContext::Warn(int64_t line, std::string_view column, std::string reason) {
  return Report(Severity::kWarning, line, column, std::move(reason));
}

Status FileContext::RejectShortRow(int64_t line, std::string_view column, size_t fields,
                                   size_t width) {
  return Reject(line, column,
                "row has " + std::to_string(fields) + " fields; the header has " +
                    std::to_string(width) + ": this number column is missing (row cut short?)");
}

Result<bool> FileContext::CheckRowWidth(std::span<const std::string_view> fields, size_t width,
                                        int64_t line) {
  const std::string counts = "row has " + std::to_string(fields.size()) +
                             " fields; the header has " + std::to_string(width);
  for (size_t i = width; i < fields.size(); ++i) {
    if (Trim(fields[i]).empty()) continue;
    TALLY_RETURN_IF_ERROR(Reject(line, "", counts));
    return false;
  }
  if (fields.size() < width) {
    TALLY_RETURN_IF_ERROR(WarnOnce("short-row", line, "",
                                   counts + "; missing trailing fields read as null "
                                            "(first such row)"));
  }
  return true;
}

Status FileContext::WarnOnce(std::string_view key, int64_t line, std::string_view column,
                             std::string reason) {
  if (std::find(warned_keys_.begin(), warned_keys_.end(), key) != warned_keys_.end()) {
    return Status::Ok();
  }
  warned_keys_.emplace_back(key);
  return Warn(line, column, std::move(reason));
}

Result<std::vector<std::string>> ExpandInputPaths(std::span<const std::string> paths,
                                                  bool every_file) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return NotFound(path + ": no such file or directory");
    if (!fs::is_directory(status)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(path, ec)) {
      std::string name = ToLower(entry.path().filename().string());
      if (entry.is_regular_file() &&
          (every_file || EndsWith(name, ".csv") || EndsWith(name, ".csv.gz"))) {
        found.push_back(entry.path().string());
      }
    }
    if (ec) return IoError(path + ": " + ec.message());
    if (found.empty()) {
      return NotFound(path + (every_file ? ": no files in this directory"
                                         : ": no .csv or .csv.gz files in this directory"));
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

Status IngestFiles(std::span<const std::string> paths, std::string_view format,
                   const FileReader& reader, CostSink* sink, const IngestOptions& options,
                   IngestTotals* totals) {
  TALLY_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandInputPaths(paths));
  for (const std::string& path : files) {
    Status status;
    auto in = InputFile::Open(path);
    if (in.ok()) {
      SourceFile source{path, std::string(format), (*in)->size_on_disk()};
      TALLY_RETURN_IF_ERROR(sink->BeginFile(source));
      FileContext context(source, in->get(), sink, options);
      status = reader(in->get(), &context);
      if (status.ok()) status = context.Finish();
      if (options.on_file_done) options.on_file_done(path, status.ok());
      if (status.ok()) {
        TALLY_RETURN_IF_ERROR(AddFileCounts(context.counts(), totals));
        continue;
      }
      TALLY_RETURN_IF_ERROR(sink->AbandonFile());
    } else {
      status = in.status();
      if (options.on_file_done) options.on_file_done(path, false);
    }
    if (!options.skip_bad_files) return status;
    totals->files_skipped.emplace_back(path, status.message());
    // The log keeps why: `tally diagnostics` lists the file beside the ones stored.
    TALLY_RETURN_IF_ERROR(sink->AddDiagnostic(
        Diagnostic{Severity::kError, path, 0, "",
                   "file skipped, none of its rows stored: " + status.message()}));
  }
  return Status::Ok();
}

}  // namespace tally
