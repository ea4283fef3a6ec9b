#include "store/clickhouse/clickhouse_allocations.h"

#include <map>
#include <vector>

#include "store/clickhouse/clickhouse_schema.h"
#include "store/clickhouse/tsv.h"
#include "store/sqlite/sqlite_allocation.h"

namespace tally::clickhouse {
namespace {

constexpr size_t kInsertBytes = 16u << 20;

// Claims a run id that no other call can ever write under.
Result<int64_t> ClaimRun(sqlite::SqliteDb* companion, std::string_view kind) {
  TALLY_ASSIGN_OR_RETURN(auto txn, sqlite::Transaction::Begin(companion));
  TALLY_ASSIGN_OR_RETURN(
      sqlite::Statement insert,
      companion->Prepare(
          "INSERT INTO clickhouse_runs(kind, started_at) VALUES(?, strftime('%s'))"));
  insert.BindText(1, kind);
  TALLY_RETURN_IF_ERROR(insert.Run());
  const int64_t run = companion->LastInsertRowId();
  TALLY_RETURN_IF_ERROR(txn->Commit());
  return run;
}

// The live (hour, run) pairs of [from, to), as an SQL condition ("0" when none).
Result<std::string> LiveHours(sqlite::SqliteDb* companion, int64_t from, int64_t to) {
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement q,
                         companion->Prepare("SELECT hour, run FROM clickhouse_allocation_runs "
                                            "WHERE hour >= ? AND hour < ? ORDER BY hour"));
  q.BindInt(1, from);
  q.BindInt(2, to);
  std::string pairs;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    pairs += (pairs.empty() ? "(" : ",(") + std::to_string(q.Int(0)) + "," +
             std::to_string(q.Int(1)) + ")";
  }
  if (pairs.empty()) return std::string("0");
  return "(hour, run) IN (" + pairs + ")";
}

std::string KeyExpression(AllocationColumn c) {
  switch (c) {
    case AllocationColumn::kSource:
      return "source";
    case AllocationColumn::kConsumer:
      return "consumer";
    case AllocationColumn::kAsset:
      return "asset";
    case AllocationColumn::kResource:
      return "resource";
    case AllocationColumn::kOwner:
      return "owner";
    case AllocationColumn::kService:
      return "service";
    case AllocationColumn::kKind:
      return "kind";
    case AllocationColumn::kHour:
      return "hour";
    case AllocationColumn::kDay:
      return "hour - ((hour % 86400) + 86400) % 86400";
  }
  return "''";
}

std::string KeyText(AllocationColumn c, const std::string& value) {
  switch (c) {
    case AllocationColumn::kKind:
      return std::string(AllocationKindName(static_cast<AllocationKind>(std::atoi(value.c_str()))));
    case AllocationColumn::kHour:
      return Timestamp::FromUnixSeconds(std::atoll(value.c_str())).ToString();
    case AllocationColumn::kDay:
      return Timestamp::FromUnixSeconds(std::atoll(value.c_str())).ToString().substr(0, 10);
    default:
      return value;
  }
}

}  // namespace

Status StoreAllocations(ClickHouseClient* client, sqlite::SqliteDb* companion,
                        std::span<const AllocatedHour> hours, std::string_view digest) {
  if (hours.empty()) return Status::Ok();
  TALLY_ASSIGN_OR_RETURN(int64_t run, ClaimRun(companion, "allocation"));
  const std::string table = LocalAllocationTable(*client);
  std::vector<std::string> rows(client->shards());
  const std::string run_text = std::to_string(run);
  for (const AllocatedHour& h : hours) {
    const int64_t hour = h.hour.unix_seconds();
    const size_t shard = ShardOfHour(hour, client->shards());
    std::string& out = rows[shard];
    const std::string hour_text = std::to_string(hour);
    for (const AllocationRow& r : h.rows) {
      out += hour_text;
      out += '\t';
      out += run_text;
      for (std::string_view text :
           {r.source, r.consumer, r.asset, r.resource, r.owner, r.service}) {
        out += '\t';
        AppendTsvString(text, &out);
      }
      out += '\t';
      out += std::to_string(static_cast<int>(r.kind));
      out += '\t';
      r.cost.AppendTo(&out);
      out += '\t';
      if (r.quantity.is_zero()) {
        out += "\\N";
      } else {
        r.quantity.AppendTo(&out);
      }
      out += '\n';
    }
    if (out.size() >= kInsertBytes) {
      TALLY_RETURN_IF_ERROR(client->Insert(shard, table, out));
      out.clear();
    }
  }
  for (size_t shard = 0; shard < rows.size(); ++shard) {
    if (!rows[shard].empty()) TALLY_RETURN_IF_ERROR(client->Insert(shard, table, rows[shard]));
  }
  // The switch: the bookkeeping and the hours' live run, in one companion transaction.
  std::vector<std::pair<int64_t, int64_t>> replaced;
  {
    TALLY_ASSIGN_OR_RETURN(auto txn, sqlite::Transaction::Begin(companion));
    TALLY_ASSIGN_OR_RETURN(
        sqlite::Statement previous,
        companion->Prepare("SELECT run FROM clickhouse_allocation_runs WHERE hour = ?"));
    TALLY_ASSIGN_OR_RETURN(
        sqlite::Statement live,
        companion->Prepare("INSERT OR REPLACE INTO "
                           "clickhouse_allocation_runs(hour, run) VALUES(?, ?)"));
    for (const AllocatedHour& h : hours) {
      const int64_t hour = h.hour.unix_seconds();
      previous.BindInt(1, hour);
      TALLY_ASSIGN_OR_RETURN(bool found, previous.Step());
      if (found) replaced.emplace_back(hour, previous.Int(0));
      previous.Reset();
      live.BindInt(1, hour);
      live.BindInt(2, run);
      TALLY_RETURN_IF_ERROR(live.Run());
    }
    TALLY_RETURN_IF_ERROR(sqlite::StoreAllocationsIn(companion, hours, digest, false));
    TALLY_RETURN_IF_ERROR(txn->Commit());
  }
  // The replaced runs' rows, which no reader sees any more; a failure leaves them unseen.
  std::vector<std::string> gone(client->shards());
  for (const auto& [hour, old] : replaced) {
    std::string& list = gone[ShardOfHour(hour, client->shards())];
    list += (list.empty() ? "(" : ",(") + std::to_string(hour) + "," + std::to_string(old) + ")";
  }
  for (size_t shard = 0; shard < gone.size(); ++shard) {
    if (gone[shard].empty()) continue;
    (void)client->Query(
        shard, "ALTER TABLE " + table + " DELETE WHERE (hour, run) IN (" + gone[shard] + ")");
  }
  return Status::Ok();
}

Result<ShowbackTable> SumAllocations(ClickHouseClient* client, sqlite::SqliteDb* companion,
                                     const AllocationScan& scan) {
  const int64_t from = scan.from ? scan.from->unix_seconds() : INT64_MIN;
  const int64_t to = scan.to ? scan.to->unix_seconds() : INT64_MAX;
  TALLY_ASSIGN_OR_RETURN(std::string where, LiveHours(companion, from, to));
  if (scan.resource) where += " AND resource = " + SqlString(*scan.resource);
  std::string select, group;
  for (size_t i = 0; i < scan.group_by.size(); ++i) {
    const std::string alias = "k" + std::to_string(i) + "_";
    select += KeyExpression(scan.group_by[i]) + " AS " + alias + ", ";
    group += alias + ", ";
  }
  TALLY_ASSIGN_OR_RETURN(std::string body,
                         client->Query(0, "SELECT " + select +
                                              "resource AS r_, sum(cost), "
                                              "sum(quantity) FROM " +
                                              AllocationTable() + " WHERE " + where + " GROUP BY " +
                                              group + "r_ FORMAT TabSeparated"));
  ShowbackTable table;
  for (AllocationColumn c : scan.group_by) table.columns.emplace_back(AllocationColumnName(c));
  std::map<std::vector<std::string>, ShowbackRow> groups;
  const size_t width = scan.group_by.size();
  Status status = ForEachTsvLine(body, [&](const std::vector<std::optional<std::string>>& f) {
    if (f.size() != width + 3) return Internal("clickhouse: a showback sum came back malformed");
    std::vector<std::string> keys;
    for (size_t i = 0; i < width; ++i) keys.push_back(KeyText(scan.group_by[i], f[i].value_or("")));
    ShowbackRow& row = groups[keys];
    TALLY_ASSIGN_OR_RETURN(Decimal cost, Decimal::Parse(f[width + 1].value_or("0")));
    if (!row.cost.CheckedAdd(cost) || !table.total.CheckedAdd(cost)) {
      return InvalidArgument("a showback sum overflows");
    }
    if (f[width + 2]) {
      TALLY_ASSIGN_OR_RETURN(Decimal quantity, Decimal::Parse(*f[width + 2]));
      row.quantity[f[width].value_or("")] += quantity;
    }
    return Status::Ok();
  });
  TALLY_RETURN_IF_ERROR(status);
  table.rows.reserve(groups.size());
  for (auto& [keys, row] : groups) {
    row.keys = keys;
    table.rows.push_back(std::move(row));
  }
  TALLY_ASSIGN_OR_RETURN(
      sqlite::Statement hours,
      companion->Prepare("SELECT COUNT(*) FROM allocation_hours WHERE hour >= ? AND hour < ?"));
  hours.BindInt(1, from);
  hours.BindInt(2, to);
  TALLY_ASSIGN_OR_RETURN(bool has, hours.Step());
  table.hours = has ? hours.Int(0) : 0;
  return table;
}

}  // namespace tally::clickhouse
