// The ClickHouse store's tables (docs/store.md, "ClickHouse"). On every shard:
//
//   cost_lines_local  MergeTree ORDER BY (partition_id, ingest_id, ChargePeriodStart): one row
//                     per cost line, every FOCUS column under its own name (strings '' for null,
//                     decimals Nullable(Decimal128(18)), date/times as Int64 unix seconds with
//                     kNoTime for null), the line's billing partition, ingest run and file (the
//                     companion's ids), its tags and extra columns as parallel arrays.
//   cost_lines        Distributed over the cluster's cost_lines_local, sharded by partition_id
//                     (so one partition's replacement stays on one shard); with one server and
//                     no cluster, cost_lines is the MergeTree itself.
//   allocations_local MergeTree PARTITION BY day ORDER BY (hour, run, owner): one row per
//                     allocation row (names as text, kind as its number, cost and quantity as
//                     Decimal128(18), quantity null when zero), under the run that wrote it;
//   allocations       Distributed over them, sharded by hour.
//
// Which run of each partition and of each hour is live lives in the companion
// (billing_partitions.ingest_id, clickhouse_allocation_runs): replacing is writing the new run's
// rows, then switching that id in one SQLite transaction.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "store/clickhouse/clickhouse_client.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/focus_schema.h"

namespace tally::clickhouse {

inline constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

// Creates the database and the tables on every shard when missing, and checks that the cluster
// has one shard per endpoint. Errors: the client's; kFailedPrecondition for a cluster that does
// not match the URL.
Status CreateSchema(ClickHouseClient* client);

// The tables rows are inserted into on each shard, and the ones reads go to.
std::string LocalCostTable(const ClickHouseClient& client);
inline std::string CostTable() { return "cost_lines"; }
std::string LocalAllocationTable(const ClickHouseClient& client);
inline std::string AllocationTable() { return "allocations"; }

// The companion's own tables (beside the SQLite store's schema): run ids claimed, and each
// allocated hour's live run.
Status CreateCompanionTables(sqlite::SqliteDb* companion);

// The shard of an hour's allocation rows.
inline size_t ShardOfHour(int64_t hour, size_t shards) {
  return static_cast<size_t>((hour / 3600) % static_cast<int64_t>(shards));
}

// The shard of a billing partition's rows.
inline size_t ShardOf(int64_t partition_id, size_t shards) {
  return static_cast<size_t>(partition_id) % shards;
}

// A FOCUS column's name as a ClickHouse identifier: `ServiceName`.
std::string Column(FocusColumn c);

}  // namespace tally::clickhouse
