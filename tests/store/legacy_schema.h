// Test helper: puts a store's cost_lines back into their layout before schema v5 (12 decimal
// columns instead of the packed `amounts`), rows included, so a test can check the migration.
#pragma once

#include <string>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/packed.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/focus_schema.h"

namespace tally::testing {

inline Status DowngradeCostLines(sqlite::SqliteDb* db) {
  std::string columns;
  for (const FocusColumnInfo& info : AllFocusColumns()) {
    if (info.type == FocusType::kDecimal) columns += std::string(", ") + std::string(info.name);
  }
  TALLY_RETURN_IF_ERROR(db->Exec(
      "CREATE TABLE cost_lines_v4(series_id INTEGER NOT NULL, partition_id INTEGER NOT NULL, "
      "ingest_id INTEGER NOT NULL, file_id INTEGER NOT NULL, line INTEGER NOT NULL, extras BLOB, "
      "ChargePeriodStart INTEGER, ChargePeriodEnd INTEGER" + columns + ")"));
  TALLY_ASSIGN_OR_RETURN(
      sqlite::Statement rows,
      db->Prepare("SELECT series_id, partition_id, ingest_id, file_id, line, extras, "
                  "ChargePeriodStart, ChargePeriodEnd, amounts FROM cost_lines ORDER BY rowid"));
  std::string params = "?, ?, ?, ?, ?, ?, ?, ?";
  for (size_t i = 0; i < kFocusDecimalCount; ++i) params += ", ?";
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement insert,
                         db->Prepare("INSERT INTO cost_lines_v4 VALUES(" + params + ")"));
  std::array<sqlite::DecimalBlob, kFocusDecimalCount> scratch{};
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    for (int c = 0; c < 8; ++c) insert.BindColumnOf(c + 1, rows, c);
    for (size_t i = 0; i < kFocusDecimalCount; ++i) {
      std::optional<Decimal> value;
      if (!sqlite::ReadPackedAt(rows.Blob(8), i, &value)) return Internal("corrupt amounts");
      sqlite::BindDecimal(&insert, static_cast<int>(9 + i), value, &scratch[i]);
    }
    TALLY_RETURN_IF_ERROR(insert.Run());
  }
  return db->Exec(
      "DROP TABLE cost_lines; ALTER TABLE cost_lines_v4 RENAME TO cost_lines; "
      "CREATE INDEX cost_lines_by_partition ON cost_lines(partition_id, ingest_id);");
}

}  // namespace tally::testing
