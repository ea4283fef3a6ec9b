#include "store/clickhouse/clickhouse_schema.h"

#include "store/clickhouse/tsv.h"

namespace tally::clickhouse {
namespace {

std::string CostColumns() {
  std::string out =
      "partition_id Int64, ingest_id Int64, file_id Int64, line Int64, tag_keys Array(String), "
      "tag_values Array(String), extra_names Array(String), extra_values Array(String)";
  for (const FocusColumnInfo& info : AllFocusColumns()) {
    out += ", " + Column(info.column) + " ";
    switch (info.type) {
      case FocusType::kString:
      case FocusType::kJson:
        out += "String";
        break;
      case FocusType::kDecimal:
        out += "Nullable(Decimal128(18))";
        break;
      case FocusType::kDateTime:
        out += "Int64";
        break;
    }
  }
  return out;
}

constexpr const char* kAllocationColumns =
    "hour Int64, run Int64, source String, consumer String, asset String, resource String, "
    "owner String, service String, kind UInt8, cost Decimal128(18), "
    "quantity Nullable(Decimal128(18))";

}  // namespace

std::string LocalAllocationTable(const ClickHouseClient& client) {
  return client.url().cluster.empty() ? "allocations" : "allocations_local";
}

Status CreateCompanionTables(sqlite::SqliteDb* companion) {
  return companion->Exec(
      "CREATE TABLE IF NOT EXISTS clickhouse_runs(id INTEGER PRIMARY KEY AUTOINCREMENT, "
      "kind TEXT NOT NULL, started_at INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS clickhouse_allocation_runs(hour INTEGER PRIMARY KEY, "
      "run INTEGER NOT NULL) WITHOUT ROWID;");
}

std::string Column(FocusColumn c) { return "`" + std::string(NameOf(c)) + "`"; }

std::string LocalCostTable(const ClickHouseClient& client) {
  return client.url().cluster.empty() ? "cost_lines" : "cost_lines_local";
}

Status CreateSchema(ClickHouseClient* client) {
  const ClickHouseUrl& url = client->url();
  const std::string local = LocalCostTable(*client);
  for (size_t shard = 0; shard < client->shards(); ++shard) {
    // The database may not exist yet: these two name it in the statement.
    TALLY_RETURN_IF_ERROR(
        client->Query(shard, "CREATE DATABASE IF NOT EXISTS " + url.database, false).status());
    TALLY_RETURN_IF_ERROR(client
                              ->Query(shard, "CREATE TABLE IF NOT EXISTS " + url.database + "." +
                                                 local + " (" + CostColumns() +
                                                 ") ENGINE = MergeTree() ORDER BY (partition_id, "
                                                 "ingest_id, " +
                                                 Column(FocusColumn::kChargePeriodStart) + ")")
                              .status());
    const std::string allocations = LocalAllocationTable(*client);
    TALLY_RETURN_IF_ERROR(client
                              ->Query(shard, "CREATE TABLE IF NOT EXISTS " + url.database + "." +
                                                 allocations + " (" + kAllocationColumns +
                                                 ") ENGINE = MergeTree() PARTITION BY "
                                                 "intDiv(hour, 86400) ORDER BY (hour, run, owner)")
                              .status());
    if (url.cluster.empty()) continue;
    TALLY_RETURN_IF_ERROR(client
                              ->Query(shard, "CREATE TABLE IF NOT EXISTS " + url.database +
                                                 ".allocations AS " + url.database + "." +
                                                 allocations + " ENGINE = Distributed(" +
                                                 url.cluster + ", " + url.database + ", " +
                                                 allocations + ", intDiv(hour, 3600))")
                              .status());
    TALLY_RETURN_IF_ERROR(client
                              ->Query(shard, "CREATE TABLE IF NOT EXISTS " + url.database +
                                                 ".cost_lines AS " + url.database + "." + local +
                                                 " ENGINE = Distributed(" + url.cluster + ", " +
                                                 url.database + ", " + local + ", partition_id)")
                              .status());
  }
  if (url.cluster.empty()) return Status::Ok();
  TALLY_ASSIGN_OR_RETURN(std::string shards,
                         client->Query(0,
                                       "SELECT count(DISTINCT shard_num) FROM system.clusters "
                                       "WHERE cluster = " +
                                           SqlString(url.cluster) + " FORMAT TabSeparated"));
  while (!shards.empty() && shards.back() == '\n') shards.pop_back();
  if (shards != std::to_string(client->shards())) {
    return FailedPrecondition(url.Redacted() + ": the cluster \"" + url.cluster + "\" has " +
                              (shards.empty() ? "no" : shards) + " shards and the URL lists " +
                              std::to_string(client->shards()) +
                              " endpoints: list every shard's HTTP endpoint, in the order of "
                              "remote_servers");
  }
  return Status::Ok();
}

}  // namespace tally::clickhouse
