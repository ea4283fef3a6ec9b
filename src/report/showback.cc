#include "report/showback.h"

#include <algorithm>
#include <unordered_map>

#include "common/owner_path.h"

namespace tally {
namespace {

// Where each query key is read from the store's rows: a stored column's position, or the
// consumer and asset positions an attribute is derived from.
struct KeyPlan {
  std::vector<AllocationColumn> scan;  // what the store groups by
  std::vector<size_t> position;        // per key, its column's index in `scan`
  size_t consumer = 0, asset = 0;      // for attribute keys
  size_t source = 0;                   // to tell estimated cost from billed
  bool attributes = false;
};

size_t Column(std::vector<AllocationColumn>* scan, AllocationColumn c) {
  auto it = std::find(scan->begin(), scan->end(), c);
  if (it != scan->end()) return static_cast<size_t>(it - scan->begin());
  scan->push_back(c);
  return scan->size() - 1;
}

KeyPlan Plan(const std::vector<ShowbackKey>& keys) {
  KeyPlan plan;
  for (const ShowbackKey& k : keys) {
    // A column, or the class of one: read from the scan. Namespace and labels: attributes.
    const bool scanned =
        k.kind == ShowbackKey::Kind::kColumn || k.kind == ShowbackKey::Kind::kResourceClass;
    plan.attributes |= !scanned;
    plan.position.push_back(scanned ? Column(&plan.scan, k.column) : 0);
  }
  if (plan.attributes) {
    plan.consumer = Column(&plan.scan, AllocationColumn::kConsumer);
    plan.asset = Column(&plan.scan, AllocationColumn::kAsset);
  }
  plan.source = Column(&plan.scan, AllocationColumn::kSource);
  return plan;
}

// The namespace and labels of consumers and assets, by name.
class Attributes {
 public:
  explicit Attributes(AllocationParties parties) {
    for (Consumer& c : parties.consumers) consumers_.emplace(c.name, std::move(c));
    for (Asset& a : parties.assets) assets_.emplace(a.name, std::move(a));
  }

  std::string Of(const ShowbackKey& k, const std::string& consumer, const std::string& asset) const {
    auto c = consumers_.find(consumer);
    if (k.kind == ShowbackKey::Kind::kNamespace) {
      return c == consumers_.end() ? "" : c->second.namespace_name;
    }
    if (k.kind == ShowbackKey::Kind::kController) {
      return c == consumers_.end() ? "" : c->second.controller;
    }
    if (c != consumers_.end()) {
      if (auto l = c->second.labels.find(k.label); l != c->second.labels.end()) return l->second;
    }
    if (auto a = assets_.find(asset); a != assets_.end()) {
      if (auto l = a->second.labels.find(k.label); l != a->second.labels.end()) return l->second;
    }
    return "";
  }

 private:
  std::unordered_map<std::string, Consumer> consumers_;
  std::unordered_map<std::string, Asset> assets_;
};

struct KeysHash {
  size_t operator()(const std::vector<std::string>& keys) const {
    size_t h = 0;
    for (const std::string& k : keys) h = h * 31 + std::hash<std::string>{}(k);
    return h;
  }
};

}  // namespace

Result<ShowbackTable> QueryShowback(AllocationStore& store, const ShowbackQuery& query) {
  // The filters' keys are planned after the groups' and read the same way.
  std::vector<ShowbackKey> keys_read = query.group_by;
  for (const ShowbackFilter& f : query.where) keys_read.push_back(f.key);
  // A scope reads the owner too, and keeps the rows inside it.
  if (!query.owner_within.empty()) keys_read.push_back(ShowbackKey::Of(AllocationColumn::kOwner));
  const KeyPlan plan = Plan(keys_read);
  auto in_scope = [&](const ShowbackRow& row) {
    if (query.owner_within.empty()) return true;
    const std::string& owner = row.keys[plan.position.back()];
    return std::any_of(query.owner_within.begin(), query.owner_within.end(),
                       [&](const std::string& root) { return IsOwnerWithin(owner, root); });
  };
  TALLY_ASSIGN_OR_RETURN(ShowbackTable scanned,
                         store.SumAllocations(AllocationScan{plan.scan, query.from, query.to,
                                                             query.resource}));
  ShowbackTable table;
  for (const ShowbackKey& k : query.group_by) table.columns.push_back(k.Name());
  table.hours = scanned.hours;
  std::optional<Attributes> attributes;
  if (plan.attributes) {
    TALLY_ASSIGN_OR_RETURN(AllocationParties parties, store.ListParties());
    attributes.emplace(std::move(parties));
  }
  std::unordered_map<std::vector<std::string>, size_t, KeysHash> index;  // keys -> row
  auto value_of = [&](const ShowbackRow& row, size_t i) -> std::string {
    const ShowbackKey& k = keys_read[i];
    if (k.kind == ShowbackKey::Kind::kResourceClass) {
      return std::string(ResourceClassOf(row.keys[plan.position[i]]));
    }
    return k.kind == ShowbackKey::Kind::kColumn
               ? row.keys[plan.position[i]]
               : attributes->Of(k, row.keys[plan.consumer], row.keys[plan.asset]);
  };
  for (ShowbackRow& row : scanned.rows) {
    bool kept = true;
    for (size_t f = 0; f < query.where.size() && kept; ++f) {
      const std::vector<std::string>& values = query.where[f].values;
      kept = std::find(values.begin(), values.end(),
                       value_of(row, query.group_by.size() + f)) != values.end();
    }
    if (!kept || !in_scope(row)) continue;
    if (!table.total.CheckedAdd(row.cost)) return InvalidArgument("a showback sum overflows");
    std::vector<std::string> keys;
    keys.reserve(query.group_by.size());
    for (size_t i = 0; i < query.group_by.size(); ++i) keys.push_back(value_of(row, i));
    const Decimal estimated = row.keys[plan.source] == kEstimateSource ? row.cost : Decimal();
    table.estimated += estimated;
    auto [it, added] = index.try_emplace(keys, table.rows.size());
    if (added) {
      table.rows.push_back(
          ShowbackRow{std::move(keys), row.cost, std::move(row.quantity), estimated});
      continue;
    }
    ShowbackRow& into = table.rows[it->second];
    if (!into.cost.CheckedAdd(row.cost)) return InvalidArgument("a showback sum overflows");
    into.estimated += estimated;
    for (const auto& [resource, amount] : row.quantity) into.quantity[resource] += amount;
  }
  // Time keys (hour, day) in order; within them, the largest cost first, then by name.
  std::vector<size_t> time_keys;
  for (size_t i = 0; i < query.group_by.size(); ++i) {
    const ShowbackKey& k = query.group_by[i];
    if (k.kind == ShowbackKey::Kind::kColumn &&
        (k.column == AllocationColumn::kHour || k.column == AllocationColumn::kDay)) {
      time_keys.push_back(i);
    }
  }
  std::sort(table.rows.begin(), table.rows.end(), [&](const ShowbackRow& a, const ShowbackRow& b) {
    for (size_t i : time_keys) {
      if (a.keys[i] != b.keys[i]) return a.keys[i] < b.keys[i];
    }
    if (a.cost != b.cost) return b.cost < a.cost;
    return a.keys < b.keys;
  });
  return table;
}

Result<std::vector<ReconcileRow>> Reconcile(AllocationStore& store, std::optional<Timestamp> from,
                                            std::optional<Timestamp> to) {
  std::map<std::string, ReconcileRow> rows;
  TALLY_ASSIGN_OR_RETURN(std::vector<SourceBill> bills, store.ListBills(from, to));
  for (SourceBill& b : bills) {
    ReconcileRow& r = rows[b.source];
    r.source = b.source;
    r.hours = b.hours;
    r.first_hour = b.first_hour;
    r.last_hour = b.last_hour;
    r.bill = b.bill;
  }
  TALLY_ASSIGN_OR_RETURN(
      ShowbackTable by_kind,
      store.SumAllocations(AllocationScan{{AllocationColumn::kSource, AllocationColumn::kKind},
                                          from, to, std::nullopt}));
  for (const ShowbackRow& s : by_kind.rows) {
    ReconcileRow& r = rows[s.keys[0]];
    r.source = s.keys[0];
    const std::string& kind = s.keys[1];
    if (kind == AllocationKindName(AllocationKind::kIdle)) {
      r.idle += s.cost;
    } else if (kind == AllocationKindName(AllocationKind::kUnallocated)) {
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

}  // namespace tally
