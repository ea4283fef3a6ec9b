// Grouped usage queries: scans the window's fact blocks once, resolving consumers and assets
// through small caches, and sums request and usage per group in exact decimals.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/sqlite/fact_blocks.h"
#include "store/sqlite/sqlite_usage.h"

namespace tally::sqlite {
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

// The names of the usage sources, by id.
Result<std::unordered_map<int64_t, std::string>> SourceNames(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(Statement q, db->Prepare("SELECT id, name FROM usage_sources"));
  std::unordered_map<int64_t, std::string> names;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    names.emplace(q.Int(0), std::string(q.Text(1)));
  }
  return names;
}

int64_t From(const UsageQuery& query) { return query.from ? query.from->unix_seconds() : INT64_MIN; }
int64_t To(const UsageQuery& query) { return query.to ? query.to->unix_seconds() : INT64_MAX; }

}  // namespace

Result<UsageTable> QueryUsage(SqliteDb* db, const UsageQuery& query) {
  TALLY_ASSIGN_OR_RETURN(auto consumer_list, LoadConsumers(db));
  TALLY_ASSIGN_OR_RETURN(auto asset_list, LoadAssets(db));
  TALLY_ASSIGN_OR_RETURN(auto sources, SourceNames(db));
  std::unordered_map<int64_t, Consumer> consumers(consumer_list.begin(), consumer_list.end());
  std::unordered_map<int64_t, Asset> assets(asset_list.begin(), asset_list.end());
  static const Consumer kNoConsumer;
  static const Asset kNoAsset;
  Grouper groups(query);
  TALLY_RETURN_IF_ERROR(ScanFactBlocks(
      db, FactTable::kUsage, From(query), To(query), [&](const StoredFact& f) {
        if (query.resource && f.resource != *query.resource) return Status::Ok();
        auto c = consumers.find(f.consumer_id);
        const Consumer& consumer = c == consumers.end() ? kNoConsumer : c->second;
        auto a = assets.find(f.asset_id);
        const Asset& asset = a == assets.end() ? kNoAsset : a->second;
        BuildKey(query, consumer, asset, sources[f.source_id], f.resource, f.unit, f.hour,
                 &groups.key());
        groups.Add(f.request, f.usage);
        return Status::Ok();
      }));
  return std::move(groups).Table();
}

Result<UsageTable> QueryCapacity(SqliteDb* db, const UsageQuery& query) {
  TALLY_ASSIGN_OR_RETURN(auto asset_list, LoadAssets(db));
  TALLY_ASSIGN_OR_RETURN(auto sources, SourceNames(db));
  std::unordered_map<int64_t, Asset> assets(asset_list.begin(), asset_list.end());
  static const Consumer kNoConsumer;
  static const Asset kNoAsset;
  Grouper groups(query);
  TALLY_RETURN_IF_ERROR(ScanFactBlocks(
      db, FactTable::kCapacity, From(query), To(query), [&](const StoredFact& f) {
        auto a = assets.find(f.asset_id);
        const Asset& asset = a == assets.end() ? kNoAsset : a->second;
        BuildKey(query, kNoConsumer, asset, sources[f.source_id], f.resource, f.unit, f.hour,
                 &groups.key());
        groups.Add(f.request, Decimal());
        return Status::Ok();
      }));
  return std::move(groups).Table();
}

Result<std::vector<AssetRecord>> ListAssets(SqliteDb* db, std::optional<Timestamp> from,
                                            std::optional<Timestamp> to) {
  TALLY_ASSIGN_OR_RETURN(auto assets, LoadAssets(db));
  std::sort(assets.begin(), assets.end(),
            [](const auto& a, const auto& b) { return a.second.name < b.second.name; });
  std::vector<AssetRecord> out;
  std::unordered_map<int64_t, size_t> index;
  for (auto& [id, asset] : assets) {
    index.emplace(id, out.size());
    out.push_back(AssetRecord{std::move(asset), {}, {}});
  }
  TALLY_RETURN_IF_ERROR(ScanFactBlocks(
      db, FactTable::kCapacity, from ? from->unix_seconds() : INT64_MIN,
      to ? to->unix_seconds() : INT64_MAX, [&](const StoredFact& f) {
        auto it = index.find(f.asset_id);
        if (it == index.end()) return Status::Ok();
        AssetRecord& r = out[it->second];
        const std::string resource(f.resource);
        r.capacity[resource] += f.request;
        r.units[resource] = std::string(f.unit);
        return Status::Ok();
      }));
  return out;
}

}  // namespace tally::sqlite
