// The SQLite store's schema and its migrations. The version lives in PRAGMA user_version; each
// migration runs in its own transaction, so a crash leaves the store at a whole version.
//
// Layout (docs/store.md has the reasoning):
//   dict                 every distinct dimension text once (id, value)
//   cost_series          one row per distinct set of cost-line dimensions, as dict ids
//   cost_lines           narrow facts: series, partition, times, the 12 decimals packed into one
//                        blob (v5), and the row's extra (non-FOCUS) column values as one blob
//   cost_rollup          the cost metrics summed per series, partition, run and day or month
//   cost_series_columns  cost_series column by column, in blocks of series ids
//   billing_partitions   (provider, account, billing period) -> the ingest run that owns it
//   ingests, source_files, diagnostics: what each run read and every problem it reported
//
// Not thread-safe (runs on one connection).
#pragma once

#include <string>

#include "store/sqlite/sqlite_db.h"

namespace tally::sqlite {

inline constexpr int kSchemaVersion = 5;

// Brings `db` to kSchemaVersion. Errors: kFailedPrecondition when the store was written by a
// newer tally; kIoError from SQLite.
Status Migrate(SqliteDb* db);

// Column names of the decimal columns of cost_lines before v5, in FocusColumn order.
std::string DecimalColumnList();
// Column names of the dimension columns of cost_series, in FocusColumn order.
std::string DimColumnList();

}  // namespace tally::sqlite
