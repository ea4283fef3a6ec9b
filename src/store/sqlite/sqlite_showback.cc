// Showback and reconciliation over stored allocations: one scan of the window's rows, names
// resolved through the dict, sums in exact decimals.
#include <map>
#include <unordered_map>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/dict_ids.h"
#include "store/sqlite/sqlite_allocation.h"
#include "store/sqlite/sqlite_usage.h"

namespace tally::sqlite {
namespace {

constexpr const char* kColumns[] = {"source", "consumer", "asset", "resource",
                                    "owner",  "service",  "kind"};

int64_t From(const std::optional<Timestamp>& t) { return t ? t->unix_seconds() : INT64_MIN; }
int64_t To(const std::optional<Timestamp>& t) { return t ? t->unix_seconds() : INT64_MAX; }

}  // namespace

Result<ShowbackTable> QueryShowback(SqliteDb* db, const ShowbackQuery& query) {
  // Each key is a stored column, or a consumer attribute resolved through the consumers table.
  struct Key {
    int column = -1;        // index into kColumns
    std::string attribute;  // "namespace" or a label key
    bool label = false;
  };
  std::vector<Key> keys;
  bool needs_consumers = false;
  bool needs_hour = false;
  for (const std::string& name : query.group_by) {
    Key key;
    for (int c = 0; c < 7; ++c) {
      if (name == kColumns[c]) key.column = c;
    }
    if (name == "hour") key.column = 7, needs_hour = true;
    if (key.column < 0) {
      if (name == "namespace") {
        key.attribute = name;
      } else if (name.starts_with("label.") && name.size() > 6) {
        key.attribute = name.substr(6);
        key.label = true;
      } else {
        return InvalidArgument("unknown showback column \"" + name +
                               "\": use owner, consumer, asset, resource, service, source, "
                               "kind, hour, namespace or label.<key>");
      }
      needs_consumers = true;
    }
    keys.push_back(std::move(key));
  }
  std::unordered_map<std::string, Consumer> consumers;
  std::unordered_map<std::string, Asset> assets;
  if (needs_consumers) {
    TALLY_ASSIGN_OR_RETURN(auto list, LoadConsumers(db));
    for (auto& [id, c] : list) consumers.emplace(c.name, std::move(c));
    TALLY_ASSIGN_OR_RETURN(auto asset_list, LoadAssets(db));
    for (auto& [id, a] : asset_list) assets.emplace(a.name, std::move(a));
  }
  TALLY_ASSIGN_OR_RETURN(
      Statement q, db->Prepare("SELECT source, consumer, asset, resource, owner, service, kind, "
                               "cost, quantity, hour FROM allocations WHERE hour >= ? AND "
                               "hour < ? AND (?3 IS NULL OR resource = "
                               "(SELECT id FROM dict WHERE value = ?3))"));
  q.BindInt(1, From(query.from));
  q.BindInt(2, To(query.to));
  if (query.resource) q.BindText(3, *query.resource);
  DictIds dict(db);
  std::map<std::vector<std::string>, ShowbackRow> groups;
  ShowbackTable table;
  std::vector<std::string> key;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    std::string values[8];
    for (int c = 0; c < 6; ++c) {
      TALLY_ASSIGN_OR_RETURN(values[c], dict.Text(q.Int(c)));
    }
    values[6] = std::string(AllocationKindName(static_cast<AllocationKind>(q.Int(6))));
    if (needs_hour) values[7] = Timestamp::FromUnixSeconds(q.Int(9)).ToString();
    key.clear();
    for (const Key& k : keys) {
      if (k.column >= 0) {
        key.push_back(values[k.column]);
        continue;
      }
      auto c = consumers.find(values[1]);
      if (!k.label) {
        key.push_back(c == consumers.end() ? "" : c->second.namespace_name);
        continue;
      }
      std::string v;
      if (c != consumers.end()) {
        if (auto l = c->second.labels.find(k.attribute); l != c->second.labels.end()) v = l->second;
      }
      if (v.empty()) {
        if (auto a = assets.find(values[2]); a != assets.end()) {
          if (auto l = a->second.labels.find(k.attribute); l != a->second.labels.end())
            v = l->second;
        }
      }
      key.push_back(v);
    }
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> cost, ColumnDecimal(q, 7));
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> quantity, ColumnDecimal(q, 8));
    ShowbackRow& group = groups[key];
    group.cost += cost.value_or(Decimal());
    if (quantity) group.quantity[values[3]] += *quantity;
    table.total += cost.value_or(Decimal());
  }
  table.columns = query.group_by;
  for (auto& [k, group] : groups) {
    group.keys = k;
    table.rows.push_back(std::move(group));
  }
  TALLY_ASSIGN_OR_RETURN(
      Statement hours,
      db->Prepare("SELECT COUNT(*) FROM allocation_hours WHERE hour >= ? AND hour < ?"));
  hours.BindInt(1, From(query.from));
  hours.BindInt(2, To(query.to));
  TALLY_ASSIGN_OR_RETURN(bool has, hours.Step());
  table.hours = has ? hours.Int(0) : 0;
  return table;
}

Result<std::vector<ReconcileRow>> Reconcile(SqliteDb* db, std::optional<Timestamp> from,
                                            std::optional<Timestamp> to) {
  std::map<std::string, ReconcileRow> rows;
  TALLY_ASSIGN_OR_RETURN(
      Statement bills,
      db->Prepare("SELECT source, bill FROM allocation_bill WHERE hour >= ? AND hour < ?"));
  bills.BindInt(1, From(from));
  bills.BindInt(2, To(to));
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, bills.Step());
    if (!row) break;
    const std::string source(bills.Text(0));
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> bill, ColumnDecimal(bills, 1));
    ReconcileRow& r = rows[source];
    r.source = source;
    r.bill += bill.value_or(Decimal());
  }
  TALLY_ASSIGN_OR_RETURN(Statement q, db->Prepare("SELECT source, kind, cost FROM allocations "
                                                  "WHERE hour >= ? AND hour < ?"));
  q.BindInt(1, From(from));
  q.BindInt(2, To(to));
  DictIds dict(db);
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    TALLY_ASSIGN_OR_RETURN(std::string source, dict.Text(q.Int(0)));
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> cost, ColumnDecimal(q, 2));
    ReconcileRow& r = rows[source];
    r.source = source;
    switch (static_cast<AllocationKind>(q.Int(1))) {
      case AllocationKind::kDirect:
      case AllocationKind::kShared:
        r.allocated += cost.value_or(Decimal());
        break;
      case AllocationKind::kIdle:
        r.idle += cost.value_or(Decimal());
        break;
      case AllocationKind::kUnallocated:
        r.unallocated += cost.value_or(Decimal());
        break;
    }
  }
  std::vector<ReconcileRow> out;
  out.reserve(rows.size());
  for (auto& [source, r] : rows) out.push_back(std::move(r));
  return out;
}

}  // namespace tally::sqlite
