// IngestLedger: the bookkeeping of one cost ingest run in a SQLite database, the same for the
// SQLite store and the ClickHouse store's companion: the run's row in the ingest log, its source
// files (with their extra columns, or abandoned), its diagnostics, and the billing partitions it
// touched, which it replaces at commit (with a warning when a partition was stored from more
// files than this run read). Where the lines themselves go is the caller's.
//
// Writes through the caller's connection, in whatever transaction is open. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "tally/store.h"

namespace tally::sqlite {

class IngestLedger {
 public:
  // Adds the run to the ingest log (uncommitted: `tally ingests` lists committed runs only).
  static Result<std::unique_ptr<IngestLedger>> Open(SqliteDb* db, const IngestRun& run);

  int64_t ingest_id() const { return ingest_id_; }
  int64_t file_id() const { return file_id_; }
  // The current file's name without its folder (what a partition without an account is named by).
  const std::string& file_name() const { return file_name_; }

  // Ends the previous file (its partitions become the run's) and records this one.
  Status BeginFile(const SourceFile& file);
  Status DeclareExtraColumns(const std::vector<std::string>& names);
  // Marks the current file abandoned: the partitions only it touched are not replaced.
  Status AbandonFile();
  // The id of the line's billing partition, added (under this run) when new.
  Result<int64_t> PartitionId(const CostLine& line);
  Status AddDiagnostic(const Diagnostic& diagnostic);

  // In every partition the run touched: `replace(partition, previous run or 0)` removes or
  // hides the earlier rows and returns how many there were, and the partition becomes this
  // run's. Returns the commit (warnings, partitions, rows replaced; rows stored as given).
  Result<IngestCommit> ReplacePartitions(
      int64_t rows_stored, const std::function<Result<int64_t>(int64_t, int64_t)>& replace);
  // Marks the run committed in the ingest log, with its counts.
  Status MarkCommitted(const IngestCommit& commit);

 private:
  IngestLedger(SqliteDb* db, const Clock* clock) : db_(db), clock_(clock) {}
  Status FinishFile();

  SqliteDb* db_;
  const Clock* clock_;
  int64_t ingest_id_ = 0, file_id_ = 0;
  std::string file_name_;
  Statement find_partition_, insert_partition_, insert_diagnostic_;
  BillingPartition scratch_, last_partition_;
  int64_t last_partition_id_ = -1;
  struct RunPartition {
    BillingPartition partition;
    int64_t files = 0;  // files of this run with rows in it
  };
  std::map<int64_t, BillingPartition> file_partitions_;  // touched by the current file
  std::map<int64_t, RunPartition> run_partitions_;       // touched by completed files
};

}  // namespace tally::sqlite
