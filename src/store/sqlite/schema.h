// The SQLite store's schema and its migrations. The version lives in PRAGMA user_version; each
// migration runs in its own transaction, so a crash leaves the store at a whole version.
//
// Layout (docs/store.md has the reasoning):
//   dict                 every distinct dimension text once (id, value)
//   cost_series          one row per distinct set of cost-line dimensions: its key (dict ids)
//                        and the key's hash, indexed (series_key.h; v6)
//   cost_line_blocks     the lines, up to 8,192 of one file and partition per row, column by
//                        column and zstd-compressed, their extra (native) columns a second frame
//                        (line_blocks.h; v6, before which cost_lines held a row per line)
//   cost_rollup          the cost metrics summed per series, partition, run and day or month
//   cost_series_columns  cost_series column by column, in blocks of series ids
//   gpu_devices          the newest reading of each physical GPU, by host and UUID (v7)
//   anomalies            anomalies found, once each, with their state (sqlite_alerts.cc; v9)
//   recommendations      recommendations while they hold, then archived with their reason and
//                        realized savings (sqlite_recommendations.cc; v10)
//   notifications        each alert sent, per receiver: no alert goes out twice (v9)
//   tokens, audit        API tokens by their secret's hash, and the hash-chained audit log
//                        (sqlite_access.cc; v11)
//   policy_targets       what policies did to each target: marked, pending, applied (v12),
//                        with the recommendations it came from (v13)
//   billing_partitions   (provider, account, billing period) -> the ingest run that owns it
//   ingests, source_files, diagnostics: what each run read and every problem it reported
//
// Not thread-safe (runs on one connection).
#pragma once

#include <string>

#include "store/sqlite/sqlite_db.h"

namespace tally::sqlite {

inline constexpr int kSchemaVersion = 13;

// Brings `db` to kSchemaVersion. Errors: kFailedPrecondition when the store was written by a
// newer tally; kIoError from SQLite.
Status Migrate(SqliteDb* db);

// Column names of the decimal columns of cost_lines before v5, in FocusColumn order.
std::string DecimalColumnList();

}  // namespace tally::sqlite
