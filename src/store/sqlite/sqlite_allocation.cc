#include "store/sqlite/sqlite_allocation.h"

#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "store/sqlite/allocation_blocks.h"
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/dict_ids.h"
#include "store/sqlite/sqlite_allocation_rollup.h"
#include "store/sqlite/sqlite_usage.h"

namespace tally::sqlite {

Result<std::optional<TimeWindow>> DataWindow(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db->Prepare("SELECT MIN(lo), MAX(hi) FROM ("
                  "SELECT MIN(hour) AS lo, MAX(hour) + 3600 AS hi FROM usage_facts UNION ALL "
                  "SELECT MIN(ChargePeriodStart), MAX(ChargePeriodEnd) FROM cost_lines)"));
  TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row || q.IsNull(0) || q.IsNull(1)) return std::optional<TimeWindow>();
  const Timestamp start = Timestamp::FromUnixSeconds(q.Int(0)).StartOfHour();
  Timestamp end = Timestamp::FromUnixSeconds(q.Int(1));
  if (end != end.StartOfHour())
    end = Timestamp::FromUnixSeconds(end.StartOfHour().unix_seconds() + 3600);
  return std::optional<TimeWindow>(TimeWindow{start, end});
}

Result<std::vector<Timestamp>> HoursToAllocate(SqliteDb* db, TimeWindow window,
                                               std::string_view digest) {
  TALLY_ASSIGN_OR_RETURN(Statement done,
                         db->Prepare("SELECT hour FROM allocation_hours WHERE hour >= ? AND "
                                     "hour < ? AND digest = ? AND hour NOT IN "
                                     "(SELECT hour FROM allocation_dirty)"));
  done.BindInt(1, window.start.unix_seconds());
  done.BindInt(2, window.end.unix_seconds());
  done.BindText(3, digest);
  std::unordered_map<int64_t, bool> current;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, done.Step());
    if (!row) break;
    current.emplace(done.Int(0), true);
  }
  std::vector<Timestamp> hours;
  for (int64_t h = window.start.unix_seconds(); h < window.end.unix_seconds(); h += 3600) {
    if (!current.contains(h)) hours.push_back(Timestamp::FromUnixSeconds(h));
  }
  return hours;
}

Result<AllocationInputs> LoadAllocationInputs(SqliteDb* db, TimeWindow window) {
  AllocationInputs in;
  TALLY_ASSIGN_OR_RETURN(auto consumers, LoadConsumers(db));
  for (auto& [id, c] : consumers) {
    in.consumer_ids.push_back(id);
    in.consumers.push_back(std::move(c));
  }
  TALLY_ASSIGN_OR_RETURN(auto assets, LoadAssets(db));
  for (auto& [id, a] : assets) {
    in.asset_ids.push_back(id);
    in.assets.push_back(std::move(a));
  }
  TALLY_ASSIGN_OR_RETURN(
      Statement q, db->Prepare("SELECT l.ChargePeriodStart, l.ChargePeriodEnd, l.EffectiveCost, "
                               "p.value, a.value, v.value, r.value, t.value FROM cost_lines l "
                               "JOIN cost_series s ON s.id = l.series_id "
                               "LEFT JOIN dict p ON p.id = s.ProviderName "
                               "LEFT JOIN dict a ON a.id = s.BillingAccountId "
                               "LEFT JOIN dict v ON v.id = s.ServiceName "
                               "LEFT JOIN dict r ON r.id = s.ResourceId "
                               "LEFT JOIN dict t ON t.id = s.Tags "
                               "WHERE l.ChargePeriodStart < ? AND l.ChargePeriodEnd > ? "
                               "AND l.EffectiveCost IS NOT NULL"));
  q.BindInt(1, window.end.unix_seconds());
  q.BindInt(2, window.start.unix_seconds());
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AllocationCostLine line;
    line.start = Timestamp::FromUnixSeconds(q.Int(0));
    line.end = Timestamp::FromUnixSeconds(q.Int(1));
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> cost, ColumnDecimal(q, 2));
    line.cost = cost.value_or(Decimal());
    line.source = std::string(q.Text(3));
    line.account = std::string(q.Text(4));
    line.service = std::string(q.Text(5));
    line.resource_id = std::string(q.Text(6));
    if (!q.IsNull(7)) {
      const nlohmann::json tags = nlohmann::json::parse(q.Text(7), nullptr, false);
      if (tags.is_object()) {
        for (const auto& [k, v] : tags.items()) {
          line.tags.emplace(k, v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
    }
    in.lines.push_back(std::move(line));
  }
  return in;
}

Status ForEachUsageHour(SqliteDb* db, std::span<const Timestamp> hours,
                        const AllocationInputs& inputs,
                        const std::function<Status(Timestamp, std::span<const UsageFact>,
                                                   std::span<const CapacityFact>)>& each) {
  std::unordered_map<int64_t, uint32_t> consumer_index, asset_index;
  for (uint32_t i = 0; i < inputs.consumer_ids.size(); ++i) {
    consumer_index.emplace(inputs.consumer_ids[i], i);
  }
  for (uint32_t i = 0; i < inputs.asset_ids.size(); ++i)
    asset_index.emplace(inputs.asset_ids[i], i);
  TALLY_ASSIGN_OR_RETURN(Statement usage,
                         db->Prepare("SELECT consumer_id, asset_id, resource, unit, request, usage "
                                     "FROM usage_facts WHERE hour = ?"));
  TALLY_ASSIGN_OR_RETURN(
      Statement capacity,
      db->Prepare("SELECT asset_id, resource, unit, capacity FROM capacity_facts WHERE hour = ?"));
  std::vector<UsageFact> facts;
  std::vector<CapacityFact> caps;
  for (Timestamp hour : hours) {
    facts.clear();
    caps.clear();
    usage.BindInt(1, hour.unix_seconds());
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool row, usage.Step());
      if (!row) break;
      auto c = consumer_index.find(usage.Int(0));
      if (c == consumer_index.end()) continue;  // written after the inputs were loaded
      uint32_t asset = kNoAsset;
      if (!usage.IsNull(1)) {
        auto a = asset_index.find(usage.Int(1));
        if (a != asset_index.end()) asset = a->second;
      }
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> request, ColumnDecimal(usage, 4));
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> used, ColumnDecimal(usage, 5));
      facts.push_back(UsageFact{hour, c->second, asset, std::string(usage.Text(2)),
                                std::string(usage.Text(3)), request.value_or(Decimal()),
                                used.value_or(Decimal())});
    }
    usage.Reset();
    capacity.BindInt(1, hour.unix_seconds());
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool row, capacity.Step());
      if (!row) break;
      auto a = asset_index.find(capacity.Int(0));
      if (a == asset_index.end()) continue;
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> amount, ColumnDecimal(capacity, 3));
      caps.push_back(CapacityFact{hour, a->second, std::string(capacity.Text(1)),
                                  std::string(capacity.Text(2)), amount.value_or(Decimal())});
    }
    capacity.Reset();
    TALLY_RETURN_IF_ERROR(each(hour, facts, caps));
  }
  return Status::Ok();
}

Result<AllocationStatus> GetAllocationStatus(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(Statement q,
                         db->Prepare("SELECT COUNT(*), MIN(hour), MAX(hour), (SELECT COUNT(*) FROM "
                                     "allocation_dirty WHERE hour IN (SELECT hour FROM "
                                     "allocation_hours)) FROM allocation_hours"));
  TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
  AllocationStatus status;
  if (!row) return status;
  status.allocated_hours = q.Int(0);
  if (!q.IsNull(1)) status.first_hour = Timestamp::FromUnixSeconds(q.Int(1));
  if (!q.IsNull(2)) status.last_hour = Timestamp::FromUnixSeconds(q.Int(2));
  status.dirty_hours = q.Int(3);
  return status;
}

Result<std::vector<Timestamp>> UnallocatedBillHours(SqliteDb* db, std::optional<Timestamp> from,
                                                    std::optional<Timestamp> to) {
  const int64_t lo = from ? from->unix_seconds() : INT64_MIN;
  const int64_t hi = to ? to->unix_seconds() : INT64_MAX;
  // Bills have few distinct charge periods (hours, days, months), so their hours are few.
  TALLY_ASSIGN_OR_RETURN(
      Statement periods,
      db->Prepare("SELECT DISTINCT ChargePeriodStart, ChargePeriodEnd FROM cost_lines WHERE "
                  "ChargePeriodEnd > ? AND ChargePeriodStart < ?"));
  periods.BindInt(1, lo);
  periods.BindInt(2, hi);
  std::set<int64_t> hours;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, periods.Step());
    if (!row) break;
    if (periods.IsNull(0) || periods.IsNull(1)) continue;
    const int64_t start = std::max(periods.Int(0), lo);
    const int64_t end = std::min(periods.Int(1), hi);
    for (int64_t h = start - ((start % 3600) + 3600) % 3600; h < end; h += 3600) hours.insert(h);
  }
  TALLY_ASSIGN_OR_RETURN(Statement done,
                         db->Prepare("SELECT hour FROM allocation_hours WHERE hour NOT IN "
                                     "(SELECT hour FROM allocation_dirty)"));
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, done.Step());
    if (!row) break;
    hours.erase(done.Int(0));
  }
  std::vector<Timestamp> out;
  out.reserve(hours.size());
  for (int64_t h : hours) out.push_back(Timestamp::FromUnixSeconds(h));
  return out;
}

Status StoreAllocations(SqliteDb* db, std::span<const AllocatedHour> hours,
                        std::string_view digest) {
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  DictIds dict(db);
  // Rows name the same few texts again and again, through views that stay put for this call:
  // their ids are found by address first, by text only once per address.
  struct ViewHash {
    size_t operator()(const std::pair<const char*, size_t>& v) const {
      return std::hash<const void*>{}(v.first) ^ (v.second * 0x9E3779B97F4A7C15ull);
    }
  };
  std::unordered_map<std::pair<const char*, size_t>, int64_t, ViewHash> by_view;
  auto id_of = [&](std::string_view text) -> Result<int64_t> {
    auto [it, added] = by_view.try_emplace({text.data(), text.size()}, 0);
    if (added) {
      TALLY_ASSIGN_OR_RETURN(it->second, dict.Id(text));
    }
    return it->second;
  };
  TALLY_ASSIGN_OR_RETURN(Statement del_bill,
                         db->Prepare("DELETE FROM allocation_bill WHERE hour = ?"));
  TALLY_ASSIGN_OR_RETURN(Statement del_dirty,
                         db->Prepare("DELETE FROM allocation_dirty WHERE hour = ?"));
  TALLY_ASSIGN_OR_RETURN(
      Statement mark,
      db->Prepare("INSERT OR REPLACE INTO allocation_hours(hour, digest) VALUES(?, ?)"));
  TALLY_ASSIGN_OR_RETURN(
      Statement insert_bill,
      db->Prepare("INSERT INTO allocation_bill(hour, source, bill) VALUES(?,?,?)"));
  DecimalBlob scratch;
  std::set<int64_t> days;
  std::string block;
  for (const AllocatedHour& h : hours) {
    const int64_t hour = h.hour.unix_seconds();
    days.insert(DayOf(hour));
    for (Statement* s : {&del_bill, &del_dirty}) {
      s->BindInt(1, hour);
      TALLY_RETURN_IF_ERROR(s->Run());
    }
    mark.BindInt(1, hour);
    mark.BindText(2, digest);
    TALLY_RETURN_IF_ERROR(mark.Run());
    block.clear();
    for (const AllocationRow& r : h.rows) {
      StoredAllocation row;
      size_t i = 0;
      for (std::string_view text :
           {r.source, r.consumer, r.asset, r.resource, r.owner, r.service}) {
        TALLY_ASSIGN_OR_RETURN(row.ids[i++], id_of(text));
      }
      row.kind = static_cast<int64_t>(r.kind);
      row.cost = r.cost;
      if (!r.quantity.is_zero()) row.quantity = r.quantity;
      AppendAllocation(row, &block);
    }
    TALLY_RETURN_IF_ERROR(PutAllocationBlock(db, AllocationGrain::kHour, hour,
                                             static_cast<int64_t>(h.rows.size()), block));
    for (const auto& [source, bill] : h.bill) {
      insert_bill.BindInt(1, hour);
      insert_bill.BindText(2, source);
      BindDecimal(&insert_bill, 3, bill, &scratch);
      TALLY_RETURN_IF_ERROR(insert_bill.Run());
    }
  }
  TALLY_RETURN_IF_ERROR(RollUpDays(db, days));
  return txn->Commit();
}

}  // namespace tally::sqlite
