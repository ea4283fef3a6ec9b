#include "store/sqlite/ingest_ledger.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace tally::sqlite {
namespace {

// billing_partitions.period_start for rows that carry no date at all.
constexpr int64_t kUndated = std::numeric_limits<int64_t>::min();

}  // namespace

Result<std::unique_ptr<IngestLedger>> IngestLedger::Open(SqliteDb* db, const IngestRun& run) {
  std::unique_ptr<IngestLedger> ledger(new IngestLedger(db, run.clock));
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db->Prepare("INSERT INTO ingests(format, command, started_at) "
                                     "VALUES(?, ?, ?)"));
  insert.BindText(1, run.format);
  insert.BindText(2, run.command);
  insert.BindInt(3, run.clock->Now().unix_seconds());
  TALLY_RETURN_IF_ERROR(insert.Run());
  ledger->ingest_id_ = db->LastInsertRowId();
  TALLY_ASSIGN_OR_RETURN(ledger->find_partition_,
                         db->Prepare("SELECT id FROM billing_partitions WHERE provider = ? AND "
                                     "account = ? AND period_start = ?"));
  TALLY_ASSIGN_OR_RETURN(ledger->insert_partition_,
                         db->Prepare("INSERT INTO billing_partitions(provider, account, "
                                     "period_start, ingest_id) VALUES(?, ?, ?, ?)"));
  TALLY_ASSIGN_OR_RETURN(ledger->insert_diagnostic_,
                         db->Prepare("INSERT INTO diagnostics(ingest_id, file_id, line, severity, "
                                     "column_name, reason) VALUES(?, ?, ?, ?, ?, ?)"));
  return ledger;
}

Status IngestLedger::FinishFile() {
  for (auto& [id, partition] : file_partitions_) {
    RunPartition& run = run_partitions_[id];
    run.partition = std::move(partition);
    ++run.files;
  }
  file_partitions_.clear();
  return Status::Ok();
}

Status IngestLedger::BeginFile(const SourceFile& file) {
  TALLY_RETURN_IF_ERROR(FinishFile());
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db_->Prepare("INSERT INTO source_files(ingest_id, path, format, size) "
                                      "VALUES(?, ?, ?, ?)"));
  insert.BindInt(1, ingest_id_);
  insert.BindText(2, file.path);
  insert.BindText(3, file.format);
  insert.BindInt(4, static_cast<int64_t>(file.size_on_disk));
  TALLY_RETURN_IF_ERROR(insert.Run());
  file_id_ = db_->LastInsertRowId();
  const size_t slash = file.path.find_last_of('/');
  file_name_ = slash == std::string::npos ? file.path : file.path.substr(slash + 1);
  return Status::Ok();
}

Status IngestLedger::DeclareExtraColumns(const std::vector<std::string>& names) {
  TALLY_ASSIGN_OR_RETURN(Statement update,
                         db_->Prepare("UPDATE source_files SET extra_columns = ? WHERE id = ?"));
  const std::string json =
      nlohmann::json(names).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  update.BindText(1, json);
  update.BindInt(2, file_id_);
  return update.Run();
}

Status IngestLedger::AbandonFile() {
  TALLY_ASSIGN_OR_RETURN(Statement mark,
                         db_->Prepare("UPDATE source_files SET abandoned = 1 WHERE id = ?"));
  mark.BindInt(1, file_id_);
  TALLY_RETURN_IF_ERROR(mark.Run());
  file_partitions_.clear();  // its partitions are not replaced unless another file touched them
  last_partition_id_ = -1;
  return Status::Ok();
}

Result<int64_t> IngestLedger::PartitionId(const CostLine& line) {
  PartitionOf(line, file_name_, &scratch_);
  if (last_partition_id_ >= 0 && scratch_ == last_partition_) return last_partition_id_;
  const BillingPartition& p = scratch_;
  const int64_t period = p.period_start ? p.period_start->unix_seconds() : kUndated;
  find_partition_.BindText(1, p.provider);
  find_partition_.BindText(2, p.account);
  find_partition_.BindInt(3, period);
  TALLY_ASSIGN_OR_RETURN(bool found, find_partition_.Step());
  int64_t id = found ? find_partition_.Int(0) : 0;
  find_partition_.Reset();
  if (!found) {
    insert_partition_.BindText(1, p.provider);
    insert_partition_.BindText(2, p.account);
    insert_partition_.BindInt(3, period);
    insert_partition_.BindInt(4, ingest_id_);
    TALLY_RETURN_IF_ERROR(insert_partition_.Run());
    id = db_->LastInsertRowId();
  }
  file_partitions_.emplace(id, p);
  last_partition_ = p;
  last_partition_id_ = id;
  return id;
}

Status IngestLedger::AddDiagnostic(const Diagnostic& d) {
  Statement& s = insert_diagnostic_;
  s.BindInt(1, ingest_id_);
  s.BindInt(2, file_id_);
  s.BindInt(3, d.line);
  s.BindText(4, d.severity == Severity::kError     ? "error"
                : d.severity == Severity::kWarning ? "warning"
                                                   : "info");
  s.BindText(5, d.column);
  s.BindText(6, d.reason);
  return s.Run();
}

Result<IngestCommit> IngestLedger::ReplacePartitions(
    int64_t rows_stored, const std::function<Result<int64_t>(int64_t, int64_t)>& replace) {
  TALLY_RETURN_IF_ERROR(FinishFile());
  IngestCommit commit;
  commit.rows_stored = rows_stored;
  TALLY_ASSIGN_OR_RETURN(Statement earlier,
                         db_->Prepare("SELECT ingest_id, file_count FROM billing_partitions "
                                      "WHERE id = ? AND ingest_id <> ?"));
  TALLY_ASSIGN_OR_RETURN(Statement own,
                         db_->Prepare("UPDATE billing_partitions SET ingest_id = ?, file_count = ? "
                                      "WHERE id = ?"));
  for (const auto& [id, run] : run_partitions_) {
    earlier.BindInt(1, id);
    earlier.BindInt(2, ingest_id_);
    TALLY_ASSIGN_OR_RETURN(bool replaced, earlier.Step());
    const int64_t previous_run = replaced ? earlier.Int(0) : 0;
    const int64_t before = replaced ? earlier.Int(1) : 0;
    earlier.Reset();
    if (before > run.files) {
      // Most likely one file of a multi-file export was ingested alone.
      commit.warnings.push_back(run.partition.ToString() + " was stored from " +
                                std::to_string(before) + " files and this run read " +
                                std::to_string(run.files) +
                                ": the rows of the files left out are replaced too (ingest "
                                "every file of an export in one run)");
    }
    TALLY_ASSIGN_OR_RETURN(int64_t replaced_rows, replace(id, previous_run));
    commit.rows_replaced += replaced_rows;
    own.BindInt(1, ingest_id_);
    own.BindInt(2, run.files);
    own.BindInt(3, id);
    TALLY_RETURN_IF_ERROR(own.Run());
    commit.partitions.push_back(run.partition);
  }
  return commit;
}

Status IngestLedger::MarkCommitted(const IngestCommit& commit) {
  TALLY_ASSIGN_OR_RETURN(Statement done,
                         db_->Prepare("UPDATE ingests SET committed_at = ?, rows_stored = ?, "
                                      "rows_replaced = ? WHERE id = ?"));
  done.BindInt(1, clock_->Now().unix_seconds());
  done.BindInt(2, commit.rows_stored);
  done.BindInt(3, commit.rows_replaced);
  done.BindInt(4, ingest_id_);
  return done.Run();
}

}  // namespace tally::sqlite
