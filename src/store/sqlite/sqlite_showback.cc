// Showback and reconciliation over stored allocation blocks, grouped by ids and named through the
// dict once per group, sums in exact decimals. Whole days of a window that are rolled up are
// read from the day blocks (24 times fewer rows); the window's partial days at its edges, days
// not rolled up, and every query grouped by hour read the hour blocks.
#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "store/sqlite/allocation_blocks.h"
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

// Sums rows of either grain into groups, keyed by ids (dict ids, kind, time, or an attribute's
// index) until the end, when the groups' keys are turned into text once.
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

  // One stored row of the hour or day starting at `time`.
  Status Add(int64_t time, const StoredAllocation& row) {
    key_.clear();
    for (const Key& k : keys_) {
      if (k.column >= 0 && k.column < 6) {
        key_.push_back(row.ids[static_cast<size_t>(k.column)]);
      } else if (k.column == 6) {
        key_.push_back(row.kind);
      } else if (k.column == kHourColumn) {
        key_.push_back(time);
      } else if (k.column == kDayColumn) {
        key_.push_back(DayStart(time));
      } else {
        TALLY_ASSIGN_OR_RETURN(int64_t attribute, AttributeIndex(k, row.ids[1], row.ids[2]));
        key_.push_back(attribute);
      }
    }
    Group& group = groups_[key_];
    if (!group.cost.CheckedAdd(row.cost)) return InvalidArgument("a showback sum overflows");
    if (row.quantity) group.quantity[row.ids[kResourceId]] += *row.quantity;
    total_ += row.cost;
    return Status::Ok();
  }

  Result<ShowbackTable> Table(const std::vector<std::string>& columns) && {
    ShowbackTable table;
    table.columns = columns;
    table.total = total_;
    for (auto& [ids, group] : groups_) {
      ShowbackRow row;
      for (size_t i = 0; i < keys_.size(); ++i) {
        TALLY_ASSIGN_OR_RETURN(std::string text, KeyText(keys_[i], ids[i]));
        row.keys.push_back(std::move(text));
      }
      row.cost = group.cost;
      for (const auto& [resource, amount] : group.quantity) {
        TALLY_ASSIGN_OR_RETURN(std::string name, dict_.Text(resource));
        row.quantity[name] += amount;
      }
      table.rows.push_back(std::move(row));
    }
    std::sort(table.rows.begin(), table.rows.end(),
              [](const ShowbackRow& a, const ShowbackRow& b) { return a.keys < b.keys; });
    return table;
  }

 private:
  struct Group {
    Decimal cost;
    std::map<int64_t, Decimal> quantity;  // by resource dict id
  };
  struct IdsHash {
    size_t operator()(const std::vector<int64_t>& v) const {
      uint64_t h = 0xcbf29ce484222325ull;
      for (int64_t x : v) h = (h ^ static_cast<uint64_t>(x)) * 0x100000001b3ull;
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };

  Result<std::string> KeyText(const Key& k, int64_t id) {
    if (k.column >= 0 && k.column < 6) return dict_.Text(id);
    if (k.column == 6) return std::string(AllocationKindName(static_cast<AllocationKind>(id)));
    if (k.column == kHourColumn) return Timestamp::FromUnixSeconds(id).ToString();
    if (k.column == kDayColumn) return Timestamp::FromUnixSeconds(id).ToString().substr(0, 10);
    return attributes_[static_cast<size_t>(id)];
  }

  // The index in attributes_ of the consumer's namespace or label (a label falls back to the
  // asset's), for key `k`, per (key, consumer, asset).
  Result<int64_t> AttributeIndex(const Key& k, int64_t consumer, int64_t asset) {
    const auto cache_key = std::make_tuple(&k, consumer, asset);
    if (auto it = attribute_of_.find(cache_key); it != attribute_of_.end()) return it->second;
    TALLY_ASSIGN_OR_RETURN(std::string consumer_name, dict_.Text(consumer));
    TALLY_ASSIGN_OR_RETURN(std::string asset_name, dict_.Text(asset));
    std::string text = Attribute(k, consumer_name, asset_name);
    // One index per distinct text, so rows with the same value group together.
    auto [it, added] =
        attribute_index_.try_emplace(text, static_cast<int64_t>(attributes_.size()));
    if (added) attributes_.push_back(std::move(text));
    attribute_of_.emplace(cache_key, it->second);
    return it->second;
  }

  std::string Attribute(const Key& k, const std::string& consumer,
                        const std::string& asset) const {
    auto c = consumers_.find(consumer);
    if (!k.label) return c == consumers_.end() ? "" : c->second.namespace_name;
    if (c != consumers_.end()) {
      if (auto l = c->second.labels.find(k.attribute); l != c->second.labels.end())
        return l->second;
    }
    if (auto a = assets_.find(asset); a != assets_.end()) {
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
  std::map<std::tuple<const Key*, int64_t, int64_t>, int64_t> attribute_of_;
  std::vector<std::string> attributes_;
  std::unordered_map<std::string, int64_t> attribute_index_;
  std::unordered_map<std::vector<int64_t>, Group, IdsHash> groups_;
  std::vector<int64_t> key_;
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

}  // namespace

Result<ShowbackTable> QueryShowback(SqliteDb* db, const ShowbackQuery& query) {
  TALLY_RETURN_IF_ERROR(db->ReadMapped());
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
  // Only the rows of one resource, when asked (its dict id; none match an unknown name).
  std::optional<int64_t> resource;
  if (query.resource) {
    TALLY_ASSIGN_OR_RETURN(Statement find, db->Prepare("SELECT id FROM dict WHERE value = ?"));
    find.BindText(1, *query.resource);
    TALLY_ASSIGN_OR_RETURN(bool found, find.Step());
    resource = found ? find.Int(0) : -1;
  }
  auto add = [&](int64_t time, const StoredAllocation& row) -> Status {
    if (resource && row.ids[kResourceId] != *resource) return Status::Ok();
    return sums.Add(time, row);
  };
  for (const auto& [a, b] : plan.daily) {
    TALLY_RETURN_IF_ERROR(ScanAllocationBlocks(db, AllocationGrain::kDay, a, b, add));
  }
  for (const auto& [a, b] : plan.hourly) {
    TALLY_RETURN_IF_ERROR(ScanAllocationBlocks(db, AllocationGrain::kHour, a, b, add));
  }
  TALLY_ASSIGN_OR_RETURN(ShowbackTable table, std::move(sums).Table(query.group_by));
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
