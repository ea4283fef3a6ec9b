// SqliteCostIngest: one ingest run into the SQLite store, inside one write transaction. Rows
// are appended under a new ingest id as they arrive; Commit() then deletes, in each billing
// partition the run touched, the rows of earlier runs, and commits. A crash or an error before
// that leaves the store as it was.
//
// Dimension texts go through the dict table and rows with equal dimensions share a
// cost_series row, so a stored line is a few integers, kept in compressed blocks of one file
// and partition (line_blocks.h). Memory: two caches bounded in bytes, the blocks being filled
// (at most 64 MiB), and SQLite's page cache.
//
// Owned by the caller; borrows the SqliteDb, which must outlive it. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/strings.h"
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/cost_rollup.h"
#include "store/sqlite/dict_ids.h"
#include "store/sqlite/ingest_ledger.h"
#include "store/sqlite/line_blocks.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/store.h"

namespace tally::sqlite {

class SqliteCostIngest final : public CostIngest {
 public:
  static Result<std::unique_ptr<SqliteCostIngest>> Begin(SqliteDb* db, const IngestRun& run);

  Status BeginFile(const SourceFile& file) override;
  Status DeclareExtraColumns(const std::vector<std::string>& names) override;
  Status Add(const CostLine& line) override;
  Status AddDiagnostic(const Diagnostic& diagnostic) override;
  Status AbandonFile() override;
  Result<IngestCommit> Commit() override;

 private:
  explicit SqliteCostIngest(SqliteDb* db) : db_(db), dict_(db) {}
  Result<int64_t> SeriesId(const CostLine& line);
  Result<int64_t> InsertSeries(const CostLine& line);
  Result<int64_t> DictId(std::string_view value);

  SqliteDb* db_;
  std::unique_ptr<Transaction> txn_;
  std::unique_ptr<IngestLedger> ledger_;  // the run, its files and partitions
  int64_t ingest_id_ = 0;
  int64_t rows_stored_ = 0;
  int64_t first_new_series_ = 0;  // the first series id this run added (0: none)
  int64_t file_rows_ = 0;

  Statement find_series_, insert_series_;

  // Raw dimension text of a row -> cost_series id, a cache bounded in bytes: past the limit it is
  // cleared and refilled from the table. Dict text -> id is DictIds's, bounded the same way.
  std::unordered_map<std::string, int64_t> series_cache_;
  size_t series_cache_bytes_ = 0;
  DictIds dict_;
  std::string raw_key_, id_key_;
  std::string amounts_;  // the line's 12 decimals, packed (packed.h)
  LineBlockWriter lines_;  // the lines, in compressed blocks (line_blocks.h)

  // The rollup of the run's lines (cost_rollup.h), written out every kRollupFlushCells cells.
  // An abandoned file makes the run roll up from the stored lines at commit instead.
  CostRollupBuilder rollup_;
  bool rollup_from_lines_ = false;
  int64_t rollup_chunk_ = 0;
};

}  // namespace tally::sqlite
