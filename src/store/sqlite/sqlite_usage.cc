#include "store/sqlite/sqlite_usage.h"

#include <map>
#include <unordered_set>
#include <nlohmann/json.hpp>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/fact_blocks.h"
#include "store/sqlite/sqlite_network.h"

namespace tally::sqlite {
namespace {

std::string LabelsJson(const Labels& labels) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : labels) j[k] = v;
  return j.dump();
}

Result<int64_t> SourceId(SqliteDb* db, std::string_view source) {
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db->Prepare("INSERT OR IGNORE INTO usage_sources(name) VALUES(?)"));
  insert.BindText(1, source);
  TALLY_RETURN_IF_ERROR(insert.Run());
  TALLY_ASSIGN_OR_RETURN(Statement find,
                         db->Prepare("SELECT id FROM usage_sources WHERE name = ?"));
  find.BindText(1, source);
  TALLY_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return Internal("sqlite: usage source vanished");
  return find.Int(0);
}

// Upserts consumers (latest attributes win) and returns their ids in batch order.
Result<std::vector<int64_t>> StoreConsumers(SqliteDb* db, const std::vector<Consumer>& consumers) {
  TALLY_ASSIGN_OR_RETURN(
      Statement upsert,
      db->Prepare("INSERT INTO consumers(name, namespace, pod, container, controller, labels) "
                  "VALUES(?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET "
                  // A source that knows less (no labels, no pod) does not erase what another
                  // source told.
                  "namespace=iif(excluded.namespace='', namespace, excluded.namespace), "
                  "pod=iif(excluded.pod='', pod, excluded.pod), "
                  "container=iif(excluded.container='', container, excluded.container), "
                  "controller=iif(excluded.controller='', controller, excluded.controller), "
                  "labels=iif(excluded.labels='{}', labels, excluded.labels) RETURNING id"));
  std::vector<int64_t> ids;
  ids.reserve(consumers.size());
  for (const Consumer& c : consumers) {
    const std::string labels = LabelsJson(c.labels);
    upsert.BindText(1, c.name);
    upsert.BindText(2, c.namespace_name);
    upsert.BindText(3, c.pod);
    upsert.BindText(4, c.container);
    upsert.BindText(5, c.controller);
    upsert.BindText(6, labels);
    TALLY_ASSIGN_OR_RETURN(bool row, upsert.Step());
    if (!row) return Internal("sqlite: consumer upsert returned no id");
    ids.push_back(upsert.Int(0));
    upsert.Reset();
  }
  return ids;
}

Result<std::vector<int64_t>> StoreAssets(SqliteDb* db, const std::vector<Asset>& assets) {
  TALLY_ASSIGN_OR_RETURN(
      Statement upsert,
      db->Prepare("INSERT INTO assets(name, provider_id, instance_type, zone, labels) "
                  "VALUES(?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET "
                  "provider_id=iif(excluded.provider_id='', provider_id, excluded.provider_id), "
                  "instance_type=iif(excluded.instance_type='', instance_type, "
                  "excluded.instance_type), zone=iif(excluded.zone='', zone, excluded.zone), "
                  "labels=iif(excluded.labels='{}', labels, excluded.labels) RETURNING id"));
  std::vector<int64_t> ids;
  ids.reserve(assets.size());
  for (const Asset& a : assets) {
    const std::string labels = LabelsJson(a.labels);
    upsert.BindText(1, a.name);
    upsert.BindText(2, a.provider_id);
    upsert.BindText(3, a.instance_type);
    upsert.BindText(4, a.zone);
    upsert.BindText(5, labels);
    TALLY_ASSIGN_OR_RETURN(bool row, upsert.Step());
    if (!row) return Internal("sqlite: asset upsert returned no id");
    ids.push_back(upsert.Int(0));
    upsert.Reset();
  }
  return ids;
}

// Deletes the source's facts and hour marks in the window; returns how many usage facts went.
Result<int64_t> DeleteHours(SqliteDb* db, int64_t source_id, TimeWindow hours) {
  TALLY_ASSIGN_OR_RETURN(int64_t replaced,
                         DeleteFactBlocks(db, source_id, hours.start.unix_seconds(),
                                          hours.end.unix_seconds()));
  TALLY_ASSIGN_OR_RETURN(Statement del,
                         db->Prepare("DELETE FROM usage_hours WHERE source_id = ? AND hour >= ? "
                                     "AND hour < ?"));
  del.BindInt(1, source_id);
  del.BindInt(2, hours.start.unix_seconds());
  del.BindInt(3, hours.end.unix_seconds());
  TALLY_RETURN_IF_ERROR(del.Run());
  return replaced;
}

Status StoreBatch(SqliteDb* db, const UsageBatch& batch, UsageCommit* commit);

Labels ParseLabels(std::string_view json) {
  Labels labels;
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return labels;
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) labels.emplace(k, v.get<std::string>());
  }
  return labels;
}

}  // namespace

Result<std::vector<std::pair<int64_t, Consumer>>> LoadConsumers(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(Statement q, db->Prepare("SELECT id, name, namespace, pod, container, "
                                                  "controller, labels FROM consumers ORDER BY id"));
  std::vector<std::pair<int64_t, Consumer>> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.emplace_back(
        q.Int(0), Consumer{std::string(q.Text(1)), std::string(q.Text(2)), std::string(q.Text(3)),
                           std::string(q.Text(4)), std::string(q.Text(5)), ParseLabels(q.Text(6))});
  }
  return out;
}

Result<std::vector<std::pair<int64_t, Asset>>> LoadAssets(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(Statement q, db->Prepare("SELECT id, name, provider_id, instance_type, "
                                                  "zone, labels FROM assets ORDER BY id"));
  std::vector<std::pair<int64_t, Asset>> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.emplace_back(q.Int(0),
                     Asset{std::string(q.Text(1)), std::string(q.Text(2)), std::string(q.Text(3)),
                           std::string(q.Text(4)), ParseLabels(q.Text(5))});
  }
  return out;
}

Result<UsageCommit> StoreUsageBatches(SqliteDb* db, std::span<const UsageBatch> batches) {
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  UsageCommit commit;
  for (const UsageBatch& batch : batches) TALLY_RETURN_IF_ERROR(StoreBatch(db, batch, &commit));
  TALLY_RETURN_IF_ERROR(txn->Commit());
  return commit;
}

Result<UsageCommit> StoreUsageStream(SqliteDb* db,
                                     const std::function<Result<bool>(UsageBatch*)>& next) {
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  UsageCommit commit;
  UsageBatch batch("", {});
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool more, next(&batch));
    if (!more) break;
    TALLY_RETURN_IF_ERROR(StoreBatch(db, batch, &commit));
  }
  TALLY_RETURN_IF_ERROR(txn->Commit());
  return commit;
}

namespace {

// Marks every hour of the batch's window collected (complete or not, as the batch says);
// `on_conflict` is appended to the insert.
Status MarkHours(SqliteDb* db, int64_t source_id, const UsageBatch& batch,
                 const std::string& on_conflict, UsageCommit* commit) {
  TALLY_ASSIGN_OR_RETURN(
      Statement mark,
      db->Prepare("INSERT INTO usage_hours(source_id, hour, complete) VALUES(?,?,?)" +
                  on_conflict));
  for (int64_t h = batch.hours().start.unix_seconds(); h < batch.hours().end.unix_seconds();
       h += 3600) {
    mark.BindInt(1, source_id);
    mark.BindInt(2, h);
    mark.BindInt(3, batch.complete() ? 1 : 0);
    TALLY_RETURN_IF_ERROR(mark.Run());
    ++commit->hours;
  }
  return Status::Ok();
}

// A kConsumers batch: the batch's consumers' earlier facts in its window go, other consumers'
// stay, and only the hours that change are rewritten and marked for allocation. Every hour of
// the window is marked collected (complete or not, as the batch says).
Status StoreConsumerBatch(SqliteDb* db, const UsageBatch& batch, int64_t source_id,
                          UsageCommit* commit) {
  if (!batch.capacity().empty() || !batch.addresses().empty()) {
    return InvalidArgument("a batch that replaces consumers carries no capacity or addresses");
  }
  const int64_t from = batch.hours().start.unix_seconds();
  const int64_t to = batch.hours().end.unix_seconds();
  TALLY_ASSIGN_OR_RETURN(std::vector<int64_t> consumer_ids, StoreConsumers(db, batch.consumers()));
  TALLY_ASSIGN_OR_RETURN(std::vector<int64_t> asset_ids, StoreAssets(db, batch.assets()));
  const std::unordered_set<int64_t> replaced(consumer_ids.begin(), consumer_ids.end());
  struct Hour {
    FactBlockWriter facts{FactTable::kUsage};
    bool changed = false;
  };
  std::map<int64_t, Hour> hours;
  TALLY_RETURN_IF_ERROR(ScanSourceFactBlocks(
      db, FactTable::kUsage, source_id, from, to, [&](const StoredFact& f) {
        Hour& hour = hours[f.hour];
        if (replaced.contains(f.consumer_id)) {
          hour.changed = true;
          ++commit->facts_replaced;
        } else {
          hour.facts.Add(f.consumer_id, f.asset_id, f.resource, f.unit, f.request, f.usage);
        }
        return Status::Ok();
      }));
  for (const UsageFact& f : batch.usage()) {
    Hour& hour = hours[f.hour.unix_seconds()];
    hour.changed = true;
    hour.facts.Add(consumer_ids[f.consumer], f.asset == kNoAsset ? 0 : asset_ids[f.asset],
                   f.resource, f.unit, f.request, f.usage);
    ++commit->facts_stored;
  }
  TALLY_ASSIGN_OR_RETURN(Statement dirty,
                         db->Prepare("INSERT OR IGNORE INTO allocation_dirty(hour) VALUES(?)"));
  for (const auto& [h, hour] : hours) {
    if (!hour.changed) continue;
    if (hour.facts.count() == 0) {
      TALLY_RETURN_IF_ERROR(DeleteFactBlocks(db, source_id, h, h + 3600).status());
    } else {
      TALLY_RETURN_IF_ERROR(PutFactBlock(db, FactTable::kUsage, source_id, h, hour.facts));
    }
    dirty.BindInt(1, h);
    TALLY_RETURN_IF_ERROR(dirty.Run());
  }
  // An upsert, so that marking an hour again does not fire the insert trigger that would mark
  // it for allocation: only changed hours are.
  return MarkHours(db, source_id, batch, " ON CONFLICT(source_id, hour) DO UPDATE SET "
                                         "complete = excluded.complete", commit);
}

Status StoreBatch(SqliteDb* db, const UsageBatch& batch, UsageCommit* commit) {
  const TimeWindow hours = batch.hours();
  if (hours.start != hours.start.StartOfHour() || hours.end != hours.end.StartOfHour() ||
      hours.end < hours.start) {
    return InvalidArgument("usage batch window is not whole hours: " + hours.start.ToString() +
                           " to " + hours.end.ToString());
  }
  for (const UsageFact& f : batch.usage()) {
    if (!hours.Contains(f.hour)) {
      return InvalidArgument("usage fact for hour " + f.hour.ToString() +
                             " outside the batch window");
    }
  }
  TALLY_ASSIGN_OR_RETURN(int64_t source_id, SourceId(db, batch.source()));
  if (batch.replace() == UsageReplace::kConsumers) {
    return StoreConsumerBatch(db, batch, source_id, commit);
  }
  TALLY_ASSIGN_OR_RETURN(int64_t replaced, DeleteHours(db, source_id, hours));
  commit->facts_replaced += replaced;
  TALLY_ASSIGN_OR_RETURN(std::vector<int64_t> consumer_ids, StoreConsumers(db, batch.consumers()));
  TALLY_ASSIGN_OR_RETURN(std::vector<int64_t> asset_ids, StoreAssets(db, batch.assets()));

  // One block per hour, for usage and for capacity.
  std::map<int64_t, FactBlockWriter> usage_blocks, capacity_blocks;
  for (const UsageFact& f : batch.usage()) {
    auto it = usage_blocks.try_emplace(f.hour.unix_seconds(), FactTable::kUsage).first;
    it->second.Add(consumer_ids[f.consumer], f.asset == kNoAsset ? 0 : asset_ids[f.asset],
                   f.resource, f.unit, f.request, f.usage);
    ++commit->facts_stored;
  }
  for (const CapacityFact& f : batch.capacity()) {
    if (!hours.Contains(f.hour)) {
      return InvalidArgument("capacity fact for hour " + f.hour.ToString() +
                             " outside the batch window");
    }
    auto it = capacity_blocks.try_emplace(f.hour.unix_seconds(), FactTable::kCapacity).first;
    it->second.Add(0, asset_ids[f.asset], f.resource, f.unit, f.capacity, Decimal());
  }
  for (const auto& [hour, block] : usage_blocks) {
    TALLY_RETURN_IF_ERROR(PutFactBlock(db, FactTable::kUsage, source_id, hour, block));
  }
  for (const auto& [hour, block] : capacity_blocks) {
    TALLY_RETURN_IF_ERROR(PutFactBlock(db, FactTable::kCapacity, source_id, hour, block));
  }
  TALLY_RETURN_IF_ERROR(ReplaceAddresses(db, source_id, batch, consumer_ids));
  return MarkHours(db, source_id, batch, "", commit);
}

}  // namespace

Result<std::vector<Timestamp>> CompleteUsageHours(SqliteDb* db, std::string_view source,
                                                  TimeWindow window) {
  TALLY_ASSIGN_OR_RETURN(Statement q,
                         db->Prepare("SELECT h.hour FROM usage_hours h JOIN usage_sources s ON "
                                     "s.id = h.source_id WHERE s.name = ? AND h.complete = 1 AND "
                                     "h.hour >= ? AND h.hour < ? ORDER BY h.hour"));
  q.BindText(1, source);
  q.BindInt(2, window.start.unix_seconds());
  q.BindInt(3, window.end.unix_seconds());
  std::vector<Timestamp> hours;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    hours.push_back(Timestamp::FromUnixSeconds(q.Int(0)));
  }
  return hours;
}

Status RecordUsageRun(SqliteDb* db, std::string_view source, Timestamp at, std::string_view error) {
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  TALLY_ASSIGN_OR_RETURN(int64_t source_id, SourceId(db, source));
  TALLY_ASSIGN_OR_RETURN(
      Statement update,
      db->Prepare("UPDATE usage_sources SET last_run = ?, last_error = ? WHERE id = ?"));
  update.BindInt(1, at.unix_seconds());
  update.BindText(2, error);
  update.BindInt(3, source_id);
  TALLY_RETURN_IF_ERROR(update.Run());
  return txn->Commit();
}

Result<std::vector<UsageSourceRecord>> ListUsageSources(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db->Prepare("SELECT s.name, s.last_run, s.last_error, COUNT(h.hour), MIN(h.hour), "
                  "MAX(h.hour), (SELECT COALESCE(SUM(facts), 0) FROM usage_blocks f WHERE "
                  "f.source_id = s.id) + (SELECT COALESCE(SUM(facts), 0) FROM capacity_blocks c "
                  "WHERE c.source_id = s.id) "
                  "FROM usage_sources s LEFT JOIN usage_hours h ON "
                  "h.source_id = s.id AND h.complete = 1 GROUP BY s.id ORDER BY s.name"));
  std::vector<UsageSourceRecord> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    UsageSourceRecord r;
    r.name = std::string(q.Text(0));
    if (!q.IsNull(1)) r.last_run = Timestamp::FromUnixSeconds(q.Int(1));
    r.last_error = std::string(q.Text(2));
    r.complete_hours = q.Int(3);
    if (!q.IsNull(4)) r.first_hour = Timestamp::FromUnixSeconds(q.Int(4));
    if (!q.IsNull(5)) r.last_hour = Timestamp::FromUnixSeconds(q.Int(5));
    r.facts = q.Int(6);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace tally::sqlite
