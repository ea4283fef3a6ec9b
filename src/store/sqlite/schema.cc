#include "store/sqlite/schema.h"

#include <functional>
#include <vector>

#include "store/sqlite/allocation_blocks.h"
#include "store/sqlite/cost_rollup.h"
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/packed.h"
#include "store/sqlite/fact_blocks.h"
#include "store/sqlite/line_blocks.h"
#include "store/sqlite/series_columns.h"
#include "store/sqlite/series_key.h"
#include "tally/focus_schema.h"

namespace tally::sqlite {
namespace {

std::string ColumnList(FocusType a, FocusType b, std::string_view suffix) {
  std::string s;
  for (const FocusColumnInfo& info : AllFocusColumns()) {
    if (info.type != a && info.type != b) continue;
    if (!s.empty()) s += ", ";
    s += info.name;
    s += suffix;
  }
  return s;
}

// Version 1: FOCUS 1.2 cost lines. Later versions append migrations; never edit this one.
std::string MigrationV1() {
  return R"sql(
CREATE TABLE dict(id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
CREATE TABLE ingests(
  id INTEGER PRIMARY KEY, format TEXT NOT NULL, command TEXT NOT NULL,
  started_at INTEGER NOT NULL, committed_at INTEGER,
  rows_stored INTEGER NOT NULL DEFAULT 0, rows_replaced INTEGER NOT NULL DEFAULT 0);
CREATE TABLE source_files(
  id INTEGER PRIMARY KEY, ingest_id INTEGER NOT NULL, path TEXT NOT NULL,
  format TEXT NOT NULL, size INTEGER NOT NULL, abandoned INTEGER NOT NULL DEFAULT 0,
  extra_columns TEXT);
CREATE TABLE billing_partitions(
  id INTEGER PRIMARY KEY, provider TEXT NOT NULL, account TEXT NOT NULL,
  period_start INTEGER NOT NULL, ingest_id INTEGER NOT NULL,
  file_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE(provider, account, period_start));
CREATE TABLE diagnostics(
  ingest_id INTEGER NOT NULL, file_id INTEGER, line INTEGER NOT NULL, severity TEXT NOT NULL,
  column_name TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE cost_series(
  id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE,
  BillingPeriodStart INTEGER, BillingPeriodEnd INTEGER, )sql" +
         ColumnList(FocusType::kString, FocusType::kJson, " INTEGER") + R"sql();
CREATE TABLE cost_lines(
  series_id INTEGER NOT NULL, partition_id INTEGER NOT NULL, ingest_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL, line INTEGER NOT NULL, extras BLOB,
  ChargePeriodStart INTEGER, ChargePeriodEnd INTEGER, )sql" +
         ColumnList(FocusType::kDecimal, FocusType::kDecimal, "") + R"sql();
CREATE INDEX cost_lines_by_partition ON cost_lines(partition_id, ingest_id);
)sql";
}

// Version 2: hourly usage and capacity facts per source, with the consumers and assets they
// name. A source replaces its own facts hour by hour; usage_hours remembers which hours are
// complete so collectors resume and fill gaps.
std::string MigrationV2() {
  return R"sql(
CREATE TABLE usage_sources(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, last_run INTEGER,
  last_error TEXT NOT NULL DEFAULT '');
CREATE TABLE usage_hours(
  source_id INTEGER NOT NULL, hour INTEGER NOT NULL, complete INTEGER NOT NULL,
  PRIMARY KEY(source_id, hour)) WITHOUT ROWID;
CREATE TABLE consumers(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, namespace TEXT NOT NULL,
  pod TEXT NOT NULL, container TEXT NOT NULL, controller TEXT NOT NULL, labels TEXT NOT NULL);
CREATE TABLE assets(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, provider_id TEXT NOT NULL,
  instance_type TEXT NOT NULL, zone TEXT NOT NULL, labels TEXT NOT NULL);
CREATE TABLE usage_facts(
  source_id INTEGER NOT NULL, hour INTEGER NOT NULL, consumer_id INTEGER NOT NULL,
  asset_id INTEGER, resource TEXT NOT NULL, unit TEXT NOT NULL, request, usage);
CREATE INDEX usage_facts_by_source_hour ON usage_facts(source_id, hour);
CREATE INDEX usage_facts_by_hour ON usage_facts(hour);
CREATE TABLE capacity_facts(
  source_id INTEGER NOT NULL, hour INTEGER NOT NULL, asset_id INTEGER NOT NULL,
  resource TEXT NOT NULL, unit TEXT NOT NULL, capacity);
CREATE INDEX capacity_facts_by_source_hour ON capacity_facts(source_id, hour);
)sql";
}

// Marks dirty every hour of a billing period (32 days from its start covers any month) when its
// partition is added or replaced.
std::string PartitionDirtyTrigger(const char* name, const char* event) {
  return std::string("CREATE TRIGGER ") + name + " AFTER " + event +
         R"sql( ON billing_partitions BEGIN
  INSERT OR IGNORE INTO allocation_dirty(hour)
    WITH RECURSIVE h(x) AS (
      SELECT NEW.period_start - NEW.period_start % 3600
      UNION ALL SELECT x + 3600 FROM h WHERE x + 3600 < NEW.period_start + 32 * 86400)
    SELECT x FROM h;
END;
)sql";
}

// Version 3: allocation results per hour (names through dict), each hour's bill per source,
// the policy digest each hour was allocated under, and the hours whose inputs changed since
// (kept by triggers, so no writer can forget to mark them).
std::string MigrationV3() {
  return R"sql(
CREATE TABLE allocations(
  hour INTEGER NOT NULL, source INTEGER NOT NULL, consumer INTEGER NOT NULL,
  asset INTEGER NOT NULL, resource INTEGER NOT NULL, owner INTEGER NOT NULL,
  service INTEGER NOT NULL, kind INTEGER NOT NULL, cost, quantity);
CREATE INDEX allocations_by_hour ON allocations(hour);
CREATE TABLE allocation_bill(
  hour INTEGER NOT NULL, source TEXT NOT NULL, bill, PRIMARY KEY(hour, source)) WITHOUT ROWID;
CREATE TABLE allocation_hours(hour INTEGER PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE allocation_dirty(hour INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TRIGGER usage_hours_dirty AFTER INSERT ON usage_hours BEGIN
  INSERT OR IGNORE INTO allocation_dirty(hour) VALUES(NEW.hour);
END;
)sql" + PartitionDirtyTrigger("billing_partition_added", "INSERT") +
         PartitionDirtyTrigger("billing_partition_replaced", "UPDATE") + R"sql(
)sql";
}

// Version 4: allocations summed per day (same ids, kind), and the days summed. Showback reads
// whole days from here and only the edges of a window, and days not yet summed, from the hourly
// table. Existing hours are marked dirty, so the next allocation run sums their days.
std::string MigrationV4() {
  return R"sql(
CREATE TABLE allocations_daily(
  day INTEGER NOT NULL, source INTEGER NOT NULL, consumer INTEGER NOT NULL,
  asset INTEGER NOT NULL, resource INTEGER NOT NULL, owner INTEGER NOT NULL,
  service INTEGER NOT NULL, kind INTEGER NOT NULL, cost, quantity);
CREATE INDEX allocations_daily_by_day ON allocations_daily(day);
CREATE TABLE allocation_days(day INTEGER PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO allocation_dirty(hour) SELECT hour FROM allocation_hours;
)sql";
}

// Version 5: the cost rollup (cost_rollup.h), blocks of each cost metric summed per series,
// partition, run and UTC day or month, clustered by (grain, period) so a report reads its
// months and days in one range; the series' columns in blocks (series_columns.h); allocations
// as one block per hour and per day (allocation_blocks.h) and usage and capacity facts as one
// block per hour and source (fact_blocks.h) instead of a row each; cost_lines' 12 decimal
// columns packed into one `amounts` blob. All are filled
// from what is stored, and the allocation tables of v3 and v4 dropped.
std::string MigrationV5() {
  return R"sql(
CREATE TABLE cost_rollup(
  grain INTEGER NOT NULL, period INTEGER NOT NULL, partition_id INTEGER NOT NULL,
  ingest_id INTEGER NOT NULL, chunk INTEGER NOT NULL, cells INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(grain, period, partition_id, ingest_id, chunk)) WITHOUT ROWID;
CREATE TABLE cost_lines_v5(
  series_id INTEGER NOT NULL, partition_id INTEGER NOT NULL, ingest_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL, line INTEGER NOT NULL, extras BLOB,
  ChargePeriodStart INTEGER, ChargePeriodEnd INTEGER, amounts BLOB NOT NULL);
CREATE TABLE cost_series_columns(
  name TEXT NOT NULL, block INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(name, block)) WITHOUT ROWID;
CREATE TABLE allocation_blocks(hour INTEGER PRIMARY KEY, rows INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE usage_blocks(
  id INTEGER PRIMARY KEY, hour INTEGER NOT NULL, source_id INTEGER NOT NULL,
  facts INTEGER NOT NULL, data BLOB NOT NULL);
CREATE UNIQUE INDEX usage_blocks_by_hour ON usage_blocks(hour, source_id);
CREATE TABLE capacity_blocks(
  id INTEGER PRIMARY KEY, hour INTEGER NOT NULL, source_id INTEGER NOT NULL,
  facts INTEGER NOT NULL, data BLOB NOT NULL);
CREATE UNIQUE INDEX capacity_blocks_by_hour ON capacity_blocks(hour, source_id);
CREATE TABLE allocation_day_blocks(
  day INTEGER PRIMARY KEY, rows INTEGER NOT NULL, data BLOB NOT NULL);
)sql";
}

// cost_lines' 12 decimal columns become one blob of packed decimals (about half the bytes).
Status PackLineAmounts(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(
      Statement rows, db->Prepare("SELECT series_id, partition_id, ingest_id, file_id, line, "
                                  "extras, ChargePeriodStart, ChargePeriodEnd, " +
                                  DecimalColumnList() + " FROM cost_lines ORDER BY rowid"));
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db->Prepare("INSERT INTO cost_lines_v5 VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  std::string amounts;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    for (int c = 0; c < 8; ++c) insert.BindColumnOf(c + 1, rows, c);
    amounts.clear();
    for (size_t i = 0; i < kFocusDecimalCount; ++i) {
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> value,
                             ColumnDecimal(rows, static_cast<int>(8 + i)));
      AppendDecimal(value, &amounts);
    }
    insert.BindBlob(9, amounts.data(), static_cast<int>(amounts.size()));
    TALLY_RETURN_IF_ERROR(insert.Run());
  }
  return db->Exec(
      "DROP TABLE cost_lines; ALTER TABLE cost_lines_v5 RENAME TO cost_lines; "
      "CREATE INDEX cost_lines_by_partition ON cost_lines(partition_id, ingest_id);");
}

// The rollup is filled from the line blocks, so by v6.
Status FillV5(SqliteDb* db) {
  TALLY_RETURN_IF_ERROR(PackLineAmounts(db));
  TALLY_RETURN_IF_ERROR(WriteSeriesColumns(db, 0));
  TALLY_RETURN_IF_ERROR(MoveFactRowsIntoBlocks(db));
  return MoveAllocationRowsIntoBlocks(db);
}

// Version 6: cost lines as compressed blocks (line_blocks.h), about a tenth of the bytes for
// bills with many native columns, and the rollup rebuilt from them; cost_series as its key and
// the key's hash (series_key.h) instead of a column per dimension and a unique index over the
// keys, and the series columns compressed.
std::string MigrationV6() {
  return R"sql(
CREATE TABLE cost_series_v6(id INTEGER PRIMARY KEY, hash INTEGER NOT NULL, key BLOB NOT NULL);
CREATE TABLE cost_line_blocks(
  id INTEGER PRIMARY KEY, partition_id INTEGER NOT NULL, ingest_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL, rows INTEGER NOT NULL, min_start INTEGER, max_start INTEGER,
  max_end INTEGER, undated INTEGER NOT NULL, data BLOB NOT NULL, extras BLOB);
CREATE INDEX cost_line_blocks_by_partition ON cost_line_blocks(partition_id, ingest_id);
CREATE INDEX cost_line_blocks_by_file ON cost_line_blocks(file_id);
)sql";
}

Status HashSeriesKeys(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(Statement rows, db->Prepare("SELECT id, key FROM cost_series ORDER BY id"));
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db->Prepare("INSERT INTO cost_series_v6(id, hash, key) VALUES(?, ?, ?)"));
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    insert.BindInt(1, rows.Int(0));
    insert.BindInt(2, SeriesKeyHash(rows.Blob(1)));
    insert.BindColumnOf(3, rows, 1);
    TALLY_RETURN_IF_ERROR(insert.Run());
  }
  return db->Exec(
      "DROP TABLE cost_series; ALTER TABLE cost_series_v6 RENAME TO cost_series; "
      "CREATE INDEX cost_series_by_hash ON cost_series(hash);");
}

Status FillV6(SqliteDb* db) {
  TALLY_RETURN_IF_ERROR(HashSeriesKeys(db));
  TALLY_RETURN_IF_ERROR(WriteSeriesColumns(db, 0));
  TALLY_RETURN_IF_ERROR(MoveLinesIntoBlocks(db));
  return RollUpAll(db);
}

// Version 7: the newest reading of each physical GPU (sqlite_gpu.h), by host and UUID.
std::string MigrationV7() {
  return R"sql(
CREATE TABLE gpu_devices(
  host TEXT NOT NULL, uuid TEXT NOT NULL, observed_at INTEGER NOT NULL, reading TEXT NOT NULL,
  PRIMARY KEY(host, uuid)) WITHOUT ROWID;
)sql";
}

// Version 8: network flows (sqlite_network.h), per flow log file so that reading a file again
// replaces it, and the addresses consumers held, per usage source and hour.
std::string MigrationV8() {
  return R"sql(
CREATE TABLE usage_addresses(
  source_id INTEGER NOT NULL, hour INTEGER NOT NULL, ip TEXT NOT NULL,
  consumer_id INTEGER NOT NULL, zone TEXT NOT NULL, region TEXT NOT NULL,
  node INTEGER NOT NULL);
CREATE INDEX usage_addresses_by_source ON usage_addresses(source_id, hour);
CREATE INDEX usage_addresses_by_hour ON usage_addresses(hour);
CREATE TABLE flow_files(
  id INTEGER PRIMARY KEY, source TEXT NOT NULL, path TEXT NOT NULL UNIQUE,
  records INTEGER NOT NULL, nodata INTEGER NOT NULL, skipdata INTEGER NOT NULL,
  rejected_lines INTEGER NOT NULL);
CREATE TABLE flows(
  file_id INTEGER NOT NULL, hour INTEGER NOT NULL, interface TEXT NOT NULL, src TEXT NOT NULL,
  dst TEXT NOT NULL, class TEXT NOT NULL, consumer TEXT NOT NULL, bytes INTEGER NOT NULL,
  packets INTEGER NOT NULL);
CREATE INDEX flows_by_file ON flows(file_id);
CREATE INDEX flows_by_hour ON flows(hour);
)sql";
}

// Version 9: anomalies found (stored once, with a state people set) and notifications sent
// (one row per alert and receiver: what keeps an alert from going out twice).
std::string MigrationV9() {
  return R"sql(
CREATE TABLE anomalies(
  id TEXT PRIMARY KEY, dimension TEXT NOT NULL, keys TEXT NOT NULL, currency TEXT NOT NULL,
  period INTEGER NOT NULL, step INTEGER NOT NULL, actual TEXT NOT NULL, expected TEXT NOT NULL,
  impact TEXT NOT NULL, root_cause TEXT NOT NULL, owner TEXT NOT NULL, state TEXT NOT NULL,
  detected_at INTEGER NOT NULL, state_at INTEGER) WITHOUT ROWID;
CREATE INDEX anomalies_by_period ON anomalies(period);
CREATE TABLE notifications(
  alert TEXT NOT NULL, receiver TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
  error TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(alert, receiver)) WITHOUT ROWID;
)sql";
}

// Version 10: recommendations while they hold, and archived with why and what they saved.
std::string MigrationV10() {
  return R"sql(
CREATE TABLE recommendations(
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, consumer TEXT NOT NULL, asset TEXT NOT NULL,
  owner TEXT NOT NULL, monthly_savings TEXT NOT NULL, baseline TEXT NOT NULL,
  evidence TEXT NOT NULL, action TEXT NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL,
  realized TEXT, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  archived_at INTEGER) WITHOUT ROWID;
CREATE INDEX recommendations_by_state ON recommendations(state);
)sql";
}

// Version 11: API tokens (their secret's hash only) and the audit log, hash-chained
// (sqlite_access.cc).
std::string MigrationV11() {
  return R"sql(
CREATE TABLE tokens(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, owners TEXT NOT NULL,
  write_sources TEXT NOT NULL, secret_hash TEXT NOT NULL, created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL, expires_at INTEGER, revoked_at INTEGER) WITHOUT ROWID;
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)sql";
}

// Version 12: what policies did to each target (sqlite_access.cc).
std::string MigrationV12() {
  return R"sql(
CREATE TABLE policy_targets(
  id TEXT PRIMARY KEY, policy TEXT NOT NULL, resource TEXT NOT NULL, target TEXT NOT NULL,
  owner TEXT NOT NULL, state TEXT NOT NULL, due_at INTEGER, decided_by TEXT NOT NULL,
  savings TEXT NOT NULL, detail TEXT NOT NULL, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX policy_targets_by_state ON policy_targets(state);
)sql";
}

// Version 13: the recommendations a policy target came from, as a JSON array.
std::string MigrationV13() {
  return "ALTER TABLE policy_targets ADD COLUMN recommendations TEXT NOT NULL DEFAULT '[]';";
}

struct Migration {
  std::function<std::string()> sql;
  std::function<Status(SqliteDb*)> fill;  // then run in the same transaction, if set
};

}  // namespace

std::string DecimalColumnList() { return ColumnList(FocusType::kDecimal, FocusType::kDecimal, ""); }

Status Migrate(SqliteDb* db) {
  const std::vector<Migration> migrations = {
      {MigrationV1, nullptr}, {MigrationV2, nullptr}, {MigrationV3, nullptr},
      {MigrationV4, nullptr}, {MigrationV5, FillV5}, {MigrationV6, FillV6},
      {MigrationV7, nullptr}, {MigrationV8, nullptr}, {MigrationV9, nullptr},
      {MigrationV10, nullptr}, {MigrationV11, nullptr}, {MigrationV12, nullptr},
      {MigrationV13, nullptr}};
  {  // Most opens find the store current: no write transaction for them.
    TALLY_ASSIGN_OR_RETURN(Statement version_query, db->Prepare("PRAGMA user_version"));
    TALLY_ASSIGN_OR_RETURN(bool has_row, version_query.Step());
    if (has_row && version_query.Int(0) == kSchemaVersion) return Status::Ok();
  }
  for (;;) {
    // The version is read again inside the write transaction, so two processes opening a new
    // store at once cannot both migrate it.
    TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
    TALLY_ASSIGN_OR_RETURN(Statement version_query, db->Prepare("PRAGMA user_version"));
    TALLY_ASSIGN_OR_RETURN(bool has_row, version_query.Step());
    const int64_t version = has_row ? version_query.Int(0) : 0;
    version_query.Reset();
    if (version > kSchemaVersion) {
      return FailedPrecondition("sqlite:" + db->path() + ": schema version " +
                                std::to_string(version) + " is newer than this tally knows (" +
                                std::to_string(kSchemaVersion) + "); upgrade tally");
    }
    if (version == kSchemaVersion) return txn->Commit();
    const Migration& next = migrations[static_cast<size_t>(version)];
    TALLY_RETURN_IF_ERROR(db->Exec(next.sql()));
    if (next.fill) TALLY_RETURN_IF_ERROR(next.fill(db));
    TALLY_RETURN_IF_ERROR(db->Exec("PRAGMA user_version = " + std::to_string(version + 1)));
    TALLY_RETURN_IF_ERROR(txn->Commit());
  }
}

}  // namespace tally::sqlite
