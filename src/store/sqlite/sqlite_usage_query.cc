// Grouped usage queries: scans the window's facts once, resolving consumers and assets through
// small caches, and sums request and usage per group in exact decimals.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/sqlite/decimal_codec.h"
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

}  // namespace

Result<UsageTable> QueryUsage(SqliteDb* db, const UsageQuery& query) {
  TALLY_ASSIGN_OR_RETURN(auto consumer_list, LoadConsumers(db));
  TALLY_ASSIGN_OR_RETURN(auto asset_list, LoadAssets(db));
  std::unordered_map<int64_t, Consumer> consumers(consumer_list.begin(), consumer_list.end());
  std::unordered_map<int64_t, Asset> assets(asset_list.begin(), asset_list.end());
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db->Prepare("SELECT s.name, f.consumer_id, f.asset_id, f.resource, f.unit, f.request, "
                  "f.usage, f.hour FROM usage_facts f JOIN usage_sources s ON s.id = f.source_id "
                  "WHERE f.hour >= ? AND f.hour < ? AND (?3 IS NULL OR f.resource = ?3)"));
  q.BindInt(1, query.from ? query.from->unix_seconds() : INT64_MIN);
  q.BindInt(2, query.to ? query.to->unix_seconds() : INT64_MAX);
  if (query.resource) q.BindText(3, *query.resource);

  static const Consumer kNoConsumer;
  static const Asset kNoAsset;
  Grouper groups(query);
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    auto c = consumers.find(q.Int(1));
    const Consumer& consumer = c == consumers.end() ? kNoConsumer : c->second;
    const Asset* asset = &kNoAsset;
    if (!q.IsNull(2)) {
      auto a = assets.find(q.Int(2));
      if (a != assets.end()) asset = &a->second;
    }
    BuildKey(query, consumer, *asset, q.Text(0), q.Text(3), q.Text(4), q.Int(7), &groups.key());
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> request, ColumnDecimal(q, 5));
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> usage, ColumnDecimal(q, 6));
    groups.Add(request.value_or(Decimal()), usage.value_or(Decimal()));
  }
  return std::move(groups).Table();
}

Result<UsageTable> QueryCapacity(SqliteDb* db, const UsageQuery& query) {
  TALLY_ASSIGN_OR_RETURN(auto asset_list, LoadAssets(db));
  std::unordered_map<int64_t, Asset> assets(asset_list.begin(), asset_list.end());
  TALLY_ASSIGN_OR_RETURN(
      Statement q, db->Prepare("SELECT s.name, c.asset_id, c.resource, c.unit, c.capacity, c.hour "
                               "FROM capacity_facts c JOIN usage_sources s ON s.id = c.source_id "
                               "WHERE c.hour >= ? AND c.hour < ?"));
  q.BindInt(1, query.from ? query.from->unix_seconds() : INT64_MIN);
  q.BindInt(2, query.to ? query.to->unix_seconds() : INT64_MAX);
  static const Consumer kNoConsumer;
  static const Asset kNoAsset;
  Grouper groups(query);
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    auto a = assets.find(q.Int(1));
    const Asset& asset = a == assets.end() ? kNoAsset : a->second;
    BuildKey(query, kNoConsumer, asset, q.Text(0), q.Text(2), q.Text(3), q.Int(5), &groups.key());
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> capacity, ColumnDecimal(q, 4));
    groups.Add(capacity.value_or(Decimal()), Decimal());
  }
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
  TALLY_ASSIGN_OR_RETURN(
      Statement capacity,
      db->Prepare("SELECT asset_id, resource, unit, capacity FROM capacity_facts "
                  "WHERE hour >= ? AND hour < ?"));
  capacity.BindInt(1, from ? from->unix_seconds() : INT64_MIN);
  capacity.BindInt(2, to ? to->unix_seconds() : INT64_MAX);
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, capacity.Step());
    if (!row) break;
    auto it = index.find(capacity.Int(0));
    if (it == index.end()) continue;
    AssetRecord& r = out[it->second];
    const std::string resource(capacity.Text(1));
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> amount, ColumnDecimal(capacity, 3));
    r.capacity[resource] += amount.value_or(Decimal());
    r.units[resource] = std::string(capacity.Text(2));
  }
  return out;
}

}  // namespace tally::sqlite
