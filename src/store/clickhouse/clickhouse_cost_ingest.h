// One cost ingest run on ClickHouse (CostStore::BeginCostIngest). The run's id is claimed in
// the companion first, in a transaction of its own, so no later run can ever reuse it; then the
// companion's write transaction is held for the run (writers serialize as on SQLite) while:
//   - each line goes, as TabSeparated, to the shard of its billing partition, in inserts of
//     about 16 MiB into cost_lines_local, tagged with its partition, run and file;
//   - files, their extra columns, diagnostics and new billing partitions go to the companion as
//     SQLite's ingest writes them.
// Commit switches each partition the run touched to this run (billing_partitions.ingest_id, in
// the companion transaction, which marks its hours for allocation as on SQLite), then deletes
// the replaced rows with ALTER TABLE ... DELETE. Until the switch nothing of the run is visible:
// reads keep only the live run of each partition and leave abandoned files out. A run that
// dies leaves rows no reader sees (docs/store.md, "ClickHouse": failure modes).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/clickhouse/clickhouse_client.h"
#include "store/sqlite/ingest_ledger.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/store.h"

namespace tally::clickhouse {

class ClickHouseCostIngest final : public CostIngest {
 public:
  static Result<std::unique_ptr<ClickHouseCostIngest>> Begin(ClickHouseClient* client,
                                                             sqlite::SqliteDb* companion,
                                                             const IngestRun& run);

  Status BeginFile(const SourceFile& file) override;
  Status DeclareExtraColumns(const std::vector<std::string>& names) override;
  Status Add(const CostLine& line) override;
  Status AddDiagnostic(const Diagnostic& diagnostic) override;
  Status AbandonFile() override;
  Result<IngestCommit> Commit() override;

 private:
  ClickHouseCostIngest(ClickHouseClient* client, sqlite::SqliteDb* companion)
      : client_(client), companion_(companion), rows_(client->shards()) {}
  Status Flush(size_t shard);
  // The tags of a Tags text, as two arrays: cached, most lines share a few tag sets.
  const std::string& TagArrays(std::string_view tags);

  ClickHouseClient* client_;
  sqlite::SqliteDb* companion_;
  std::unique_ptr<sqlite::IngestLedger> ledger_;  // the run, its files and partitions
  std::unique_ptr<sqlite::Transaction> txn_;
  int64_t ingest_id_ = 0;
  std::vector<std::string> extra_names_;
  std::vector<std::string> rows_;  // per shard, not yet sent
  int64_t rows_stored_ = 0, file_rows_ = 0;
  std::vector<int64_t> abandoned_;  // file ids
  // Tags text -> its arrays as TabSeparated, bounded in bytes (a bill of ever new tag sets
  // starts it over, as the SQLite ingest's series cache does).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> tag_arrays_;
  size_t tag_bytes_ = 0;
  std::vector<std::string_view> extra_names_of_line_, extra_values_of_line_;  // reused per line
};

}  // namespace tally::clickhouse
