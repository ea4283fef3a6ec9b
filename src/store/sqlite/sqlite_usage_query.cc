// Usage scans: the window's fact blocks read once, consumers, assets and sources resolved for the
// caller (report/usage_report groups them); and the asset inventory with its capacity.
#include <algorithm>
#include <unordered_map>

#include "store/sqlite/fact_blocks.h"
#include "store/sqlite/sqlite_usage.h"

namespace tally::sqlite {
namespace {

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

}  // namespace

Status ScanUsageFacts(SqliteDb* db, FactKind kind, std::optional<Timestamp> from,
                      std::optional<Timestamp> to, const std::optional<std::string>& resource,
                      const std::function<Status(const UsageFactView&)>& each) {
  TALLY_ASSIGN_OR_RETURN(auto consumer_list, LoadConsumers(db));
  TALLY_ASSIGN_OR_RETURN(auto asset_list, LoadAssets(db));
  TALLY_ASSIGN_OR_RETURN(auto sources, SourceNames(db));
  std::unordered_map<int64_t, Consumer> consumers(consumer_list.begin(), consumer_list.end());
  std::unordered_map<int64_t, Asset> assets(asset_list.begin(), asset_list.end());
  static const Consumer kNoConsumer;
  static const Asset kNoAsset;
  const FactTable table = kind == FactKind::kUsage ? FactTable::kUsage : FactTable::kCapacity;
  return ScanFactBlocks(
      db, table, from ? from->unix_seconds() : INT64_MIN, to ? to->unix_seconds() : INT64_MAX,
      [&](const StoredFact& f) {
        if (resource && f.resource != *resource) return Status::Ok();
        auto c = kind == FactKind::kUsage ? consumers.find(f.consumer_id) : consumers.end();
        auto a = assets.find(f.asset_id);
        UsageFactView view;
        view.consumer = c == consumers.end() ? &kNoConsumer : &c->second;
        view.asset = a == assets.end() ? &kNoAsset : &a->second;
        view.source = sources[f.source_id];
        view.resource = f.resource;
        view.unit = f.unit;
        view.hour = f.hour;
        view.request = f.request;
        view.usage = f.usage;
        return each(view);
      });
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
    out.push_back(AssetRecord{std::move(asset), {}, {}, {}});
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
  TALLY_RETURN_IF_ERROR(ScanFactBlocks(
      db, FactTable::kUsage, from ? from->unix_seconds() : INT64_MIN,
      to ? to->unix_seconds() : INT64_MAX, [&](const StoredFact& f) {
        auto it = index.find(f.asset_id);
        if (it == index.end()) return Status::Ok();
        out[it->second].held[std::string(f.resource)] += std::max(f.request, f.usage);
        return Status::Ok();
      }));
  return out;
}

}  // namespace tally::sqlite
