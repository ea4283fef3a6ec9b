// The ingest log: committed runs and the diagnostics they stored.
#include "store/sqlite/sqlite_store.h"

namespace tally::sqlite {

Result<std::vector<IngestRecord>> SqliteStore::ListIngests(int64_t limit) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("SELECT i.id, i.format, i.command, i.committed_at, i.rows_stored, "
                   "i.rows_replaced, "
                   "(SELECT count(*) FROM source_files f WHERE f.ingest_id = i.id AND "
                   "f.abandoned = 0), "
                   "(SELECT count(*) FROM source_files f WHERE f.ingest_id = i.id AND "
                   "f.abandoned = 1), "
                   "(SELECT count(*) FROM diagnostics d WHERE d.ingest_id = i.id AND "
                   "d.severity <> 'info') "
                   "FROM ingests i WHERE i.committed_at IS NOT NULL ORDER BY i.id DESC LIMIT ?"));
  q.BindInt(1, limit);
  std::vector<IngestRecord> records;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    IngestRecord r;
    r.id = q.Int(0);
    r.format = std::string(q.Text(1));
    r.command = std::string(q.Text(2));
    r.committed_at = Timestamp::FromUnixSeconds(q.Int(3));
    r.rows_stored = q.Int(4);
    r.rows_replaced = q.Int(5);
    r.files = q.Int(6);
    r.files_abandoned = q.Int(7);
    r.problems = q.Int(8);
    records.push_back(std::move(r));
  }
  return records;
}

Result<std::vector<Diagnostic>> SqliteStore::ListDiagnostics(const DiagnosticQuery& query) {
  int64_t ingest_id = 0;
  if (query.ingest_id) {
    TALLY_ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT id FROM ingests WHERE id = ? AND "
                                                     "committed_at IS NOT NULL"));
    q.BindInt(1, *query.ingest_id);
    TALLY_ASSIGN_OR_RETURN(bool found, q.Step());
    if (!found) return NotFound("no committed ingest run " + std::to_string(*query.ingest_id));
    ingest_id = *query.ingest_id;
  } else {
    TALLY_ASSIGN_OR_RETURN(std::vector<IngestRecord> last, ListIngests(1));
    if (last.empty()) return std::vector<Diagnostic>();
    ingest_id = last[0].id;
  }
  std::string sql =
      "SELECT d.severity, f.path, d.line, d.column_name, d.reason FROM diagnostics d "
      "LEFT JOIN source_files f ON f.id = d.file_id WHERE d.ingest_id = ?";
  if (query.severity) sql += " AND d.severity = ?";
  sql += " ORDER BY d.file_id, d.line, d.rowid LIMIT ?";
  TALLY_ASSIGN_OR_RETURN(Statement q, db_->Prepare(sql));
  int param = 1;
  q.BindInt(param++, ingest_id);
  std::string severity;
  if (query.severity) {
    severity = *query.severity == Severity::kError     ? "error"
               : *query.severity == Severity::kWarning ? "warning"
                                                       : "info";
    q.BindText(param++, severity);
  }
  q.BindInt(param, query.limit);
  std::vector<Diagnostic> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Diagnostic d;
    std::string_view s = q.Text(0);
    d.severity = s == "error"     ? Severity::kError
                 : s == "warning" ? Severity::kWarning
                                  : Severity::kInfo;
    d.file = std::string(q.Text(1));
    d.line = q.Int(2);
    d.column = std::string(q.Text(3));
    d.reason = std::string(q.Text(4));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace tally::sqlite
