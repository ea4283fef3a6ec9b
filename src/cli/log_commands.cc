// tally ingests, tally diagnostics: what ingest runs read, and every problem they stored.
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "common/strings.h"
#include "report/record_table.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct LogFlags {
  int64_t limit = 20;
  int64_t ingest = 0;  // 0: the last run
  std::string severity;
  std::string format = "table";
};

// Opens the store and parses --format; prints the error and sets *exit_code on failure.
std::unique_ptr<Store> Prepare(const GlobalOptions& globals, const LogFlags& flags,
                               OutputFormat* format, int* exit_code) {
  auto parsed = ParseOutputFormat(flags.format);
  if (!parsed.ok()) {
    PrintError(parsed.status().message());
    *exit_code = 2;
    return nullptr;
  }
  *format = *parsed;
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    *exit_code = 1;
    return nullptr;
  }
  return std::move(*store);
}

int RunIngests(const GlobalOptions& globals, const LogFlags& flags) {
  int exit_code = 0;
  OutputFormat format;
  std::unique_ptr<Store> store = Prepare(globals, flags, &format, &exit_code);
  if (!store) return exit_code;
  auto records = store->ListIngests(flags.limit);
  if (!records.ok()) {
    PrintError("ingests: " + records.status().message());
    return 1;
  }
  RecordTable t{
      {"id", "committed", "format", "files", "skipped", "rows", "replaced", "problems", "command"},
      {true, false, false, true, true, true, true, true, false},
      {},
      {},
      {}};
  for (const IngestRecord& r : *records) {
    t.rows.push_back({std::to_string(r.id), r.committed_at.ToString(), r.format,
                      std::to_string(r.files), std::to_string(r.files_abandoned),
                      std::to_string(r.rows_stored), std::to_string(r.rows_replaced),
                      std::to_string(r.problems), r.command});
  }
  std::string out = RenderRecordTable(t, format);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int RunDiagnostics(const GlobalOptions& globals, const LogFlags& flags) {
  DiagnosticQuery query;
  if (flags.ingest > 0) query.ingest_id = flags.ingest;
  query.limit = flags.limit;
  if (!flags.severity.empty()) {
    if (EqualsIgnoreCase(flags.severity, "error")) {
      query.severity = Severity::kError;
    } else if (EqualsIgnoreCase(flags.severity, "warning")) {
      query.severity = Severity::kWarning;
    } else if (EqualsIgnoreCase(flags.severity, "info")) {
      query.severity = Severity::kInfo;
    } else {
      PrintError("diagnostics: unknown severity \"" + flags.severity +
                 "\": use error, warning or info");
      return 2;
    }
  }
  int exit_code = 0;
  OutputFormat format;
  std::unique_ptr<Store> store = Prepare(globals, flags, &format, &exit_code);
  if (!store) return exit_code;
  auto diagnostics = store->ListDiagnostics(query);
  if (!diagnostics.ok()) {
    PrintError("diagnostics: " + diagnostics.status().message());
    return 1;
  }
  RecordTable t{
      {"severity", "file", "line", "column", "reason"}, {false, false, true, false, false}, {}, {}, {}};
  for (const Diagnostic& d : *diagnostics) {
    const char* severity = d.severity == Severity::kError     ? "error"
                           : d.severity == Severity::kWarning ? "warning"
                                                              : "info";
    t.rows.push_back(
        {severity, d.file,
         d.line > 0 ? std::optional<std::string>(std::to_string(d.line)) : std::nullopt,
         d.column.empty() ? std::nullopt : std::optional<std::string>(d.column), d.reason});
  }
  std::string out = RenderRecordTable(t, format);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void AddLogCommands(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto ingests_flags = std::make_shared<LogFlags>();
  CLI::App* ingests = app->add_subcommand(
      "ingests", "list the committed ingest runs, newest first: files, rows, replaced, problems");
  ingests->add_option("--limit", ingests_flags->limit, "how many runs")->capture_default_str();
  ingests->add_option("--format", ingests_flags->format, "table, csv or json")
      ->capture_default_str();
  ingests->callback([=]() { *exit_code = RunIngests(*globals, *ingests_flags); });

  auto diag_flags = std::make_shared<LogFlags>();
  diag_flags->limit = 1000;
  CLI::App* diagnostics = app->add_subcommand(
      "diagnostics",
      "list what an ingest run reported: rejected rows (error), lenient readings (warning), "
      "decisions such as detected formats (info)");
  diagnostics->add_option("--ingest", diag_flags->ingest, "the run's id (default: the last run)");
  diagnostics->add_option("--severity", diag_flags->severity, "error, warning or info");
  diagnostics->add_option("--limit", diag_flags->limit, "how many")->capture_default_str();
  diagnostics->add_option("--format", diag_flags->format, "table, csv or json")
      ->capture_default_str();
  diagnostics->callback([=]() { *exit_code = RunDiagnostics(*globals, *diag_flags); });
}

}  // namespace tally::cli
