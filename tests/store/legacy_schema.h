// Test helper: puts a store's cost lines and series back into their layout before schema v5
// (cost_lines with a row per line and 12 decimal columns; cost_series with a column per
// dimension and a unique key), rows included, and drops the tables of v7 and v8, so a test can check
// the migrations from there.
#pragma once

#include <string>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/line_blocks.h"
#include "store/sqlite/packed.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/series_key.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/focus_schema.h"

namespace tally::testing {

inline Status DowngradeCostSeries(sqlite::SqliteDb* db) {
  std::string columns, params;
  for (const FocusColumnInfo& info : AllFocusColumns()) {
    if (info.type != FocusType::kString && info.type != FocusType::kJson) continue;
    columns += std::string(", ") + std::string(info.name) + " INTEGER";
    params += ", ?";
  }
  TALLY_RETURN_IF_ERROR(db->Exec(
      "CREATE TABLE cost_series_v5(id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, "
      "BillingPeriodStart INTEGER, BillingPeriodEnd INTEGER" + columns + ")"));
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement rows, db->Prepare("SELECT id, key FROM cost_series"));
  TALLY_ASSIGN_OR_RETURN(
      sqlite::Statement insert,
      db->Prepare("INSERT INTO cost_series_v5 VALUES(?, ?, ?, ?" + params + ")"));
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    sqlite::SeriesKey key;
    if (!sqlite::DecodeSeriesKey(rows.Blob(1), &key)) return Internal("corrupt key");
    insert.BindInt(1, rows.Int(0));
    insert.BindColumnOf(2, rows, 1);
    int param = 3;
    for (const auto& t : {key.period_start, key.period_end}) {
      if (t) {
        insert.BindInt(param++, *t);
      } else {
        insert.BindNull(param++);
      }
    }
    for (int64_t id : key.dims) {
      if (id != 0) {
        insert.BindInt(param++, id);
      } else {
        insert.BindNull(param++);
      }
    }
    TALLY_RETURN_IF_ERROR(insert.Run());
  }
  return db->Exec("DROP TABLE cost_series; ALTER TABLE cost_series_v5 RENAME TO cost_series;");
}

inline Status DowngradeCostLines(sqlite::SqliteDb* db) {
  TALLY_RETURN_IF_ERROR(DowngradeCostSeries(db));
  std::string columns;
  for (const FocusColumnInfo& info : AllFocusColumns()) {
    if (info.type == FocusType::kDecimal) columns += std::string(", ") + std::string(info.name);
  }
  TALLY_RETURN_IF_ERROR(db->Exec(
      "CREATE TABLE cost_lines(series_id INTEGER NOT NULL, partition_id INTEGER NOT NULL, "
      "ingest_id INTEGER NOT NULL, file_id INTEGER NOT NULL, line INTEGER NOT NULL, extras BLOB, "
      "ChargePeriodStart INTEGER, ChargePeriodEnd INTEGER" + columns + ")"));
  std::string params = "?, ?, ?, ?, ?, ?, ?, ?";
  for (size_t i = 0; i < kFocusDecimalCount; ++i) params += ", ?";
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement insert,
                         db->Prepare("INSERT INTO cost_lines VALUES(" + params + ")"));
  std::array<sqlite::DecimalBlob, kFocusDecimalCount> scratch{};
  sqlite::LineFilter all;
  all.extras = true;
  TALLY_RETURN_IF_ERROR(sqlite::ScanLineBlocks(
      db, all, [&](const sqlite::LineBlockInfo& block, const sqlite::StoredLine& line) {
        insert.BindInt(1, line.series_id);
        insert.BindInt(2, block.partition_id);
        insert.BindInt(3, block.ingest_id);
        insert.BindInt(4, block.file_id);
        insert.BindInt(5, line.line);
        if (line.extras.empty()) {
          insert.BindNull(6);
        } else {
          insert.BindBlob(6, line.extras.data(), static_cast<int>(line.extras.size()));
        }
        int param = 7;
        for (const auto& t : {line.start, line.end}) {
          if (t) {
            insert.BindInt(param++, *t);
          } else {
            insert.BindNull(param++);
          }
        }
        for (size_t i = 0; i < kFocusDecimalCount; ++i) {
          std::optional<Decimal> value;
          if (!sqlite::ReadPackedAt(line.amounts, i, &value)) return Internal("corrupt amounts");
          sqlite::BindDecimal(&insert, static_cast<int>(9 + i), value, &scratch[i]);
        }
        return insert.Run();
      }));
  return db->Exec(
      "DROP TABLE cost_line_blocks; DROP TABLE gpu_devices; DROP TABLE usage_addresses; "
      "DROP TABLE flow_files; DROP TABLE flows; DROP TABLE anomalies; DROP TABLE notifications; "
      "DROP TABLE recommendations; DROP TABLE tokens; DROP TABLE audit; "
      "DROP TABLE policy_targets; "
      "CREATE INDEX cost_lines_by_partition ON cost_lines(partition_id, ingest_id);");
}

}  // namespace tally::testing
