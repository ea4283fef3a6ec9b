#include "report/usage_report.h"

#include <map>

namespace tally {
namespace {

// A consumer's label, else its asset's: "label.team" finds a team wherever it is set.
std::string LabelOf(const Consumer& consumer, const Asset& asset, const std::string& key) {
  if (auto it = consumer.labels.find(key); it != consumer.labels.end()) return it->second;
  if (auto it = asset.labels.find(key); it != asset.labels.end()) return it->second;
  return "";
}

struct Sums {
  Decimal request;
  Decimal usage;
  int64_t facts = 0;
};

// One fact's group key: the query's keys, then its resource and unit.
void BuildKey(const UsageQuery& query, const Consumer& consumer, const Asset& asset,
              std::string_view source, std::string_view resource, std::string_view unit,
              int64_t hour, std::vector<std::string>* key) {
  using Kind = UsageGroupKey::Kind;
  key->clear();
  for (const UsageGroupKey& g : query.group_by) {
    switch (g.kind) {
      case Kind::kConsumer:
        key->push_back(consumer.name);
        break;
      case Kind::kNamespace:
        key->push_back(consumer.namespace_name);
        break;
      case Kind::kPod:
        key->push_back(consumer.pod);
        break;
      case Kind::kContainer:
        key->push_back(consumer.container);
        break;
      case Kind::kController:
        key->push_back(consumer.controller);
        break;
      case Kind::kAsset:
        key->push_back(asset.name);
        break;
      case Kind::kResource:
        key->emplace_back(resource);
        break;
      case Kind::kUnit:
        key->emplace_back(unit);
        break;
      case Kind::kSource:
        key->emplace_back(source);
        break;
      case Kind::kLabel:
        key->push_back(LabelOf(consumer, asset, g.label_key));
        break;
      case Kind::kDay:
        key->push_back(Timestamp::FromUnixSeconds(hour).ToString().substr(0, 10));
        break;
      case Kind::kHour:
        key->push_back(Timestamp::FromUnixSeconds(hour).ToString());
        break;
    }
  }
  key->emplace_back(resource);
  key->emplace_back(unit);
}

// Sums facts into groups and turns them into the table.
class Grouper {
 public:
  explicit Grouper(const UsageQuery& query) : query_(query) {}
  std::vector<std::string>& key() { return key_; }
  void Add(Decimal request, Decimal usage) {
    Sums& sums = groups_[key_];
    sums.request += request;
    sums.usage += usage;
    ++sums.facts;
    ++facts_;
  }
  UsageTable Table() && {
    UsageTable table;
    table.facts = facts_;
    for (const UsageGroupKey& g : query_.group_by) table.columns.push_back(g.header);
    table.columns.emplace_back("resource");
    table.columns.emplace_back("unit");
    for (auto& [k, sums] : groups_) {
      table.rows.push_back(UsageRow{k, sums.request, sums.usage, sums.facts});
    }
    return table;
  }

 private:
  const UsageQuery& query_;
  std::vector<std::string> key_;
  std::map<std::vector<std::string>, Sums> groups_;
  int64_t facts_ = 0;
};

// Groups the facts of `kind` (capacity facts carry their amount in request, usage zero), of
// the query's resource only when it names one: usage and capacity alike.
Result<UsageTable> GroupFacts(UsageStore& store, const UsageQuery& query, FactKind kind) {
  Grouper groups(query);
  TALLY_RETURN_IF_ERROR(store.ScanUsageFacts(
      kind, query.from, query.to, query.resource, [&](const UsageFactView& f) {
        BuildKey(query, *f.consumer, *f.asset, f.source, f.resource, f.unit, f.hour,
                 &groups.key());
        groups.Add(f.request, f.usage);
        return Status::Ok();
      }));
  return std::move(groups).Table();
}

}  // namespace

Result<UsageTable> QueryUsage(UsageStore& store, const UsageQuery& query) {
  return GroupFacts(store, query, FactKind::kUsage);
}

Result<UsageTable> QueryCapacity(UsageStore& store, const UsageQuery& query) {
  return GroupFacts(store, query, FactKind::kCapacity);
}

Decimal WholeUnits(Decimal amount, std::string_view unit) {
  const size_t slash = unit.rfind('/');
  if (slash == std::string_view::npos) return amount;
  auto parts = Decimal::Parse(unit.substr(slash + 1));
  if (!parts.ok() || *parts <= Decimal()) return amount;
  return *amount.Divide(*parts);
}

}  // namespace tally
