// Showback and reconciliation over stored allocations, names resolved through the dict, sums in
// exact decimals. Whole days of a window that are rolled up are read from allocations_daily
// (24 times fewer rows); the window's partial days at its edges, days not rolled up, and every
// query grouped by hour read the hourly rows.
#include <map>
#include <unordered_map>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/dict_ids.h"
#include "store/sqlite/sqlite_allocation.h"
#include "store/sqlite/sqlite_allocation_rollup.h"
#include "store/sqlite/sqlite_usage.h"

namespace tally::sqlite {
namespace {

// The stored columns a showback can group by, in the order both tables are read; then the
// hour and the day, derived from the time column.
constexpr const char* kColumns[] = {"source", "consumer", "asset", "resource",
                                    "owner",  "service",  "kind"};
constexpr int kHourColumn = 7;
constexpr int kDayColumn = 8;

// One group-by key: a stored column, or a consumer attribute resolved through the consumers
// table.
struct Key {
  int column = -1;        // index into kColumns, or kHourColumn, kDayColumn
  std::string attribute;  // "namespace" or a label key
  bool label = false;
};

Result<std::vector<Key>> ParseKeys(const std::vector<std::string>& group_by) {
  std::vector<Key> keys;
  for (const std::string& name : group_by) {
    Key key;
    for (int c = 0; c < 7; ++c) {
      if (name == kColumns[c]) key.column = c;
    }
    if (name == "hour") key.column = kHourColumn;
    if (name == "day") key.column = kDayColumn;
    if (key.column < 0) {
      if (name == "namespace") {
        key.attribute = name;
      } else if (name.starts_with("label.") && name.size() > 6) {
        key.attribute = name.substr(6);
        key.label = true;
      } else {
        return InvalidArgument("unknown showback column \"" + name +
                               "\": use owner, consumer, asset, resource, service, source, "
                               "kind, hour, day, namespace or label.<key>");
      }
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

// Sums rows of either table into groups.
class ShowbackSums {
 public:
  ShowbackSums(SqliteDb* db, std::vector<Key> keys) : db_(db), dict_(db), keys_(std::move(keys)) {}

  Status LoadAttributes() {
    for (const Key& k : keys_) {
      if (k.column >= 0) continue;
      TALLY_ASSIGN_OR_RETURN(auto list, LoadConsumers(db_));
      for (auto& [id, c] : list) consumers_.emplace(c.name, std::move(c));
      TALLY_ASSIGN_OR_RETURN(auto asset_list, LoadAssets(db_));
      for (auto& [id, a] : asset_list) assets_.emplace(a.name, std::move(a));
      break;
    }
    return Status::Ok();
  }

  // Reads every row of `q`: the 7 stored columns, cost, quantity, then the hour or day start.
  Status Add(Statement& q) {
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) return Status::Ok();
      std::string values[9];
      for (int c = 0; c < 6; ++c) {
        TALLY_ASSIGN_OR_RETURN(values[c], dict_.Text(q.Int(c)));
      }
      values[6] = std::string(AllocationKindName(static_cast<AllocationKind>(q.Int(6))));
      const int64_t time = q.Int(9);
      for (const Key& k : keys_) {
        if (k.column == kHourColumn)
          values[kHourColumn] = Timestamp::FromUnixSeconds(time).ToString();
        if (k.column == kDayColumn) {
          values[kDayColumn] = Timestamp::FromUnixSeconds(DayOf(time)).ToString().substr(0, 10);
        }
      }
      key_.clear();
      for (const Key& k : keys_)
        key_.push_back(k.column >= 0 ? values[k.column] : Attribute(k, values));
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> cost, ColumnDecimal(q, 7));
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> quantity, ColumnDecimal(q, 8));
      ShowbackRow& group = groups_[key_];
      group.cost += cost.value_or(Decimal());
      if (quantity) group.quantity[values[3]] += *quantity;
      total_ += cost.value_or(Decimal());
    }
  }

  ShowbackTable Table(const std::vector<std::string>& columns) && {
    ShowbackTable table;
    table.columns = columns;
    table.total = total_;
    for (auto& [k, group] : groups_) {
      group.keys = k;
      table.rows.push_back(std::move(group));
    }
    return table;
  }

 private:
  // The consumer's namespace or label; a label falls back to the asset's.
  std::string Attribute(const Key& k, const std::string* values) const {
    auto c = consumers_.find(values[1]);
    if (!k.label) return c == consumers_.end() ? "" : c->second.namespace_name;
    if (c != consumers_.end()) {
      if (auto l = c->second.labels.find(k.attribute); l != c->second.labels.end())
        return l->second;
    }
    if (auto a = assets_.find(values[2]); a != assets_.end()) {
      if (auto l = a->second.labels.find(k.attribute); l != a->second.labels.end())
        return l->second;
    }
    return "";
  }

  SqliteDb* db_;
  DictIds dict_;
  std::vector<Key> keys_;
  std::unordered_map<std::string, Consumer> consumers_;
  std::unordered_map<std::string, Asset> assets_;
  std::map<std::vector<std::string>, ShowbackRow> groups_;
  std::vector<std::string> key_;
  Decimal total_;
};

// Where to read [from, to): the rolled-up days inside it from the daily table, the rest hour by
// hour. `hourly` windows are merged where they touch.
struct ReadPlan {
  std::vector<std::pair<int64_t, int64_t>> daily;   // [first day, end) of rolled days
  std::vector<std::pair<int64_t, int64_t>> hourly;  // [from, to) in seconds
};

Result<ReadPlan> PlanRead(SqliteDb* db, int64_t from, int64_t to, bool by_hour) {
  ReadPlan plan;
  auto add_hourly = [&](int64_t a, int64_t b) {
    if (a >= b) return;
    if (!plan.hourly.empty() && plan.hourly.back().second == a) {
      plan.hourly.back().second = b;
    } else {
      plan.hourly.emplace_back(a, b);
    }
  };
  if (by_hour) {
    add_hourly(from, to);
    return plan;
  }
  TALLY_ASSIGN_OR_RETURN(Statement days,
                         db->Prepare("SELECT day FROM allocation_days WHERE day >= ? AND "
                                     "day <= ? ORDER BY day"));
  days.BindInt(1, from);
  days.BindInt(2, to - kDay);  // whole days only
  int64_t cursor = from;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, days.Step());
    if (!row) break;
    const int64_t day = days.Int(0);
    add_hourly(cursor, day);
    if (!plan.daily.empty() && plan.daily.back().second == day) {
      plan.daily.back().second = day + kDay;
    } else {
      plan.daily.emplace_back(day, day + kDay);
    }
    cursor = day + kDay;
  }
  add_hourly(cursor, to);
  return plan;
}

// [from, to) of the query, with open ends closed at the allocated hours.
Result<std::optional<std::pair<int64_t, int64_t>>> Bounds(SqliteDb* db,
                                                          const ShowbackQuery& query) {
  TALLY_ASSIGN_OR_RETURN(Statement q,
                         db->Prepare("SELECT MIN(hour), MAX(hour) + 3600 FROM allocation_hours"));
  TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row || q.IsNull(0)) return std::optional<std::pair<int64_t, int64_t>>();
  const int64_t from = query.from ? query.from->unix_seconds() : q.Int(0);
  const int64_t to = query.to ? query.to->unix_seconds() : q.Int(1);
  return std::optional<std::pair<int64_t, int64_t>>({from, std::max(from, to)});
}

constexpr const char* kResourceFilter =
    " AND (?3 IS NULL OR resource = (SELECT id FROM dict WHERE value = ?3))";

}  // namespace

Result<ShowbackTable> QueryShowback(SqliteDb* db, const ShowbackQuery& query) {
  TALLY_ASSIGN_OR_RETURN(std::vector<Key> keys, ParseKeys(query.group_by));
  bool by_hour = false;
  for (const Key& k : keys) by_hour |= k.column == kHourColumn;
  ShowbackSums sums(db, std::move(keys));
  TALLY_RETURN_IF_ERROR(sums.LoadAttributes());
  TALLY_ASSIGN_OR_RETURN(auto bounds, Bounds(db, query));
  ReadPlan plan;
  if (bounds) {
    TALLY_ASSIGN_OR_RETURN(plan, PlanRead(db, bounds->first, bounds->second, by_hour));
  }
  TALLY_ASSIGN_OR_RETURN(
      Statement hourly,
      db->Prepare(std::string("SELECT source, consumer, asset, resource, owner, service, kind, "
                              "cost, quantity, hour FROM allocations WHERE hour >= ? AND "
                              "hour < ?") +
                  kResourceFilter));
  TALLY_ASSIGN_OR_RETURN(
      Statement daily,
      db->Prepare(std::string("SELECT source, consumer, asset, resource, owner, service, kind, "
                              "cost, quantity, day FROM allocations_daily WHERE day >= ? AND "
                              "day < ?") +
                  kResourceFilter));
  auto read = [&](Statement& q, const std::vector<std::pair<int64_t, int64_t>>& spans) -> Status {
    for (const auto& [a, b] : spans) {
      q.Reset();
      q.BindInt(1, a);
      q.BindInt(2, b);
      if (query.resource) q.BindText(3, *query.resource);
      TALLY_RETURN_IF_ERROR(sums.Add(q));
    }
    return Status::Ok();
  };
  TALLY_RETURN_IF_ERROR(read(daily, plan.daily));
  TALLY_RETURN_IF_ERROR(read(hourly, plan.hourly));
  ShowbackTable table = std::move(sums).Table(query.group_by);
  TALLY_ASSIGN_OR_RETURN(
      Statement hours,
      db->Prepare("SELECT COUNT(*) FROM allocation_hours WHERE hour >= ? AND hour < ?"));
  hours.BindInt(1, query.from ? query.from->unix_seconds() : INT64_MIN);
  hours.BindInt(2, query.to ? query.to->unix_seconds() : INT64_MAX);
  TALLY_ASSIGN_OR_RETURN(bool has, hours.Step());
  table.hours = has ? hours.Int(0) : 0;
  return table;
}

Result<std::vector<ReconcileRow>> Reconcile(SqliteDb* db, std::optional<Timestamp> from,
                                            std::optional<Timestamp> to) {
  std::map<std::string, ReconcileRow> rows;
  TALLY_ASSIGN_OR_RETURN(
      Statement bills,
      db->Prepare("SELECT source, bill, hour FROM allocation_bill WHERE hour >= ? AND hour < ?"));
  bills.BindInt(1, from ? from->unix_seconds() : INT64_MIN);
  bills.BindInt(2, to ? to->unix_seconds() : INT64_MAX);
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, bills.Step());
    if (!row) break;
    const std::string source(bills.Text(0));
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> bill, ColumnDecimal(bills, 1));
    ReconcileRow& r = rows[source];
    r.source = source;
    r.bill += bill.value_or(Decimal());
    const Timestamp hour = Timestamp::FromUnixSeconds(bills.Int(2));
    ++r.hours;
    if (!r.first_hour || hour < *r.first_hour) r.first_hour = hour;
    if (!r.last_hour || *r.last_hour < hour) r.last_hour = hour;
  }
  TALLY_ASSIGN_OR_RETURN(ShowbackTable by_kind,
                         QueryShowback(db, ShowbackQuery{{"source", "kind"}, from, to, {}}));
  for (const ShowbackRow& s : by_kind.rows) {
    ReconcileRow& r = rows[s.keys[0]];
    r.source = s.keys[0];
    const std::string& kind = s.keys[1];
    if (kind == "idle") {
      r.idle += s.cost;
    } else if (kind == "unallocated") {
      r.unallocated += s.cost;
    } else {
      r.allocated += s.cost;  // direct and shared
    }
  }
  std::vector<ReconcileRow> out;
  out.reserve(rows.size());
  for (auto& [source, r] : rows) out.push_back(std::move(r));
  return out;
}

}  // namespace tally::sqlite
