#include "store/sqlite/sqlite_allocation.h"

#include <nlohmann/json.hpp>
#include <array>
#include <condition_variable>
#include <map>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "store/sqlite/allocation_blocks.h"
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/dict_ids.h"
#include "store/sqlite/fact_blocks.h"
#include "store/sqlite/line_blocks.h"
#include "store/sqlite/packed.h"
#include "store/sqlite/series_key.h"
#include "store/sqlite/sqlite_allocation_rollup.h"
#include "store/sqlite/sqlite_usage.h"
#include "tally/focus_schema.h"

namespace tally::sqlite {

Result<std::optional<TimeWindow>> DataWindow(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      // Each MIN and MAX of usage_blocks on its own: SQLite answers those from the key.
      db->Prepare("SELECT MIN(lo), MAX(hi) FROM ("
                  "SELECT (SELECT MIN(hour) FROM usage_blocks) AS lo, "
                  "(SELECT MAX(hour) FROM usage_blocks) + 3600 AS hi UNION ALL "
                  "SELECT MIN(min_start), MAX(max_end) FROM cost_line_blocks)"));
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
  // The dimensions allocation reads, per series, fetched once each.
  TALLY_ASSIGN_OR_RETURN(Statement key_of, db->Prepare("SELECT key FROM cost_series WHERE id = ?"));
  TALLY_ASSIGN_OR_RETURN(Statement text_of, db->Prepare("SELECT value FROM dict WHERE id = ?"));
  auto text = [&](int64_t id) -> Result<std::string> {
    if (id == 0) return std::string();
    text_of.BindInt(1, id);
    TALLY_ASSIGN_OR_RETURN(bool found, text_of.Step());
    std::string value = found ? std::string(text_of.Text(0)) : std::string();
    text_of.Reset();
    return value;
  };
  std::unordered_map<int64_t, AllocationCostLine> by_series;  // all but times and cost
  auto series = [&](int64_t id) -> Result<const AllocationCostLine*> {
    if (auto it = by_series.find(id); it != by_series.end()) return &it->second;
    key_of.BindInt(1, id);
    TALLY_ASSIGN_OR_RETURN(bool found, key_of.Step());
    SeriesKey key;
    if (!found || !DecodeSeriesKey(key_of.Blob(0), &key)) {
      return Internal("sqlite: a cost line names a series that is missing or corrupt");
    }
    key_of.Reset();
    auto dim = [&](FocusColumn c) { return text(key.dims[DimIndex(c)]); };
    AllocationCostLine line;
    TALLY_ASSIGN_OR_RETURN(line.source, dim(FocusColumn::kProviderName));
    TALLY_ASSIGN_OR_RETURN(line.account, dim(FocusColumn::kBillingAccountId));
    TALLY_ASSIGN_OR_RETURN(line.service, dim(FocusColumn::kServiceName));
    TALLY_ASSIGN_OR_RETURN(line.currency, dim(FocusColumn::kBillingCurrency));
    TALLY_ASSIGN_OR_RETURN(line.resource_id, dim(FocusColumn::kResourceId));
    TALLY_ASSIGN_OR_RETURN(line.usage_type, dim(FocusColumn::kSkuMeter));
    if (line.usage_type.empty()) {
      TALLY_ASSIGN_OR_RETURN(line.usage_type, dim(FocusColumn::kSkuId));
    }
    TALLY_ASSIGN_OR_RETURN(std::string tags_text, dim(FocusColumn::kTags));
    if (!tags_text.empty()) {
      const nlohmann::json tags = nlohmann::json::parse(tags_text, nullptr, false);
      if (tags.is_object()) {
        for (const auto& [k, v] : tags.items()) {
          line.tags.emplace(k, v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
    }
    return &by_series.emplace(id, std::move(line)).first->second;
  };
  LineFilter filter;
  filter.overlap_from = window.start.unix_seconds();
  filter.overlap_to = window.end.unix_seconds();
  TALLY_RETURN_IF_ERROR(ScanLineBlocks(db, filter, [&](const LineBlockInfo&, const StoredLine& l) {
    std::optional<Decimal> cost;
    if (!ReadPackedAt(l.amounts, DecimalIndex(FocusColumn::kEffectiveCost), &cost)) {
      return Internal("sqlite: the amounts of a cost line are corrupt");
    }
    if (!cost) return Status::Ok();  // no EffectiveCost: nothing to allocate
    TALLY_ASSIGN_OR_RETURN(const AllocationCostLine* dims_of, series(l.series_id));
    AllocationCostLine line = *dims_of;
    line.start = Timestamp::FromUnixSeconds(*l.start);
    line.end = Timestamp::FromUnixSeconds(*l.end);
    line.cost = *cost;
    in.lines.push_back(std::move(line));
    return Status::Ok();
  }));
  return in;
}

namespace {

// Reads the usage and capacity facts of one hour at a time, their ids turned into indexes of
// the inputs.
class HourReader {
 public:
  HourReader(SqliteDb* db, const AllocationInputs& inputs) : db_(db) {
    for (uint32_t i = 0; i < inputs.consumer_ids.size(); ++i) {
      consumer_index_.emplace(inputs.consumer_ids[i], i);
    }
    for (uint32_t i = 0; i < inputs.asset_ids.size(); ++i) {
      asset_index_.emplace(inputs.asset_ids[i], i);
    }
  }

  Status Read(Timestamp hour, std::vector<UsageFact>* facts, std::vector<CapacityFact>* caps) {
    facts->clear();
    caps->clear();
    const int64_t h = hour.unix_seconds();
    TALLY_RETURN_IF_ERROR(ScanFactBlocks(db_, FactTable::kUsage, h, h + 3600,
                                         [&](const StoredFact& f) {
                                           auto c = consumer_index_.find(f.consumer_id);
                                           // Written after the inputs were loaded.
                                           if (c == consumer_index_.end()) return Status::Ok();
                                           auto a = asset_index_.find(f.asset_id);
                                           facts->push_back(UsageFact{
                                               hour, c->second,
                                               a == asset_index_.end() ? kNoAsset : a->second,
                                               std::string(f.resource), std::string(f.unit),
                                               f.request, f.usage});
                                           return Status::Ok();
                                         }));
    return ScanFactBlocks(db_, FactTable::kCapacity, h, h + 3600, [&](const StoredFact& f) {
      auto a = asset_index_.find(f.asset_id);
      if (a == asset_index_.end()) return Status::Ok();
      caps->push_back(CapacityFact{hour, a->second, std::string(f.resource), std::string(f.unit),
                                   f.request});
      return Status::Ok();
    });
  }

 private:
  SqliteDb* db_;
  std::unordered_map<int64_t, uint32_t> consumer_index_, asset_index_;
};

struct HourFacts {
  Timestamp hour;
  std::vector<UsageFact> usage;
  std::vector<CapacityFact> capacity;
  Status status;
};

}  // namespace

Status ForEachUsageHour(SqliteDb* db, std::span<const Timestamp> hours,
                        const AllocationInputs& inputs,
                        const std::function<Status(Timestamp, std::span<const UsageFact>,
                                                   std::span<const CapacityFact>)>& each) {
  // Facts are read on a second connection in a second thread while `each` allocates and
  // stores the hours before: reading and writing each take about half of an allocation.
  auto reader_db = SqliteDb::Open(db->path());
  if (!reader_db.ok() || hours.size() < 2) {
    HourReader reader(db, inputs);
    std::vector<UsageFact> facts;
    std::vector<CapacityFact> caps;
    for (Timestamp hour : hours) {
      TALLY_RETURN_IF_ERROR(reader.Read(hour, &facts, &caps));
      TALLY_RETURN_IF_ERROR(each(hour, facts, caps));
    }
    return Status::Ok();
  }
  // A day ahead, so the reader keeps going while the caller stores its 24 hours; at most about
  // a million facts (some 120 MB) waiting, whatever the cluster's size.
  constexpr size_t kHoursAhead = 32;
  constexpr size_t kFactsAhead = 1'000'000;
  size_t facts_ahead = 0;
  std::mutex mu;
  std::condition_variable changed;
  std::deque<HourFacts> ready;
  bool stop = false;
  std::thread thread([&, db2 = reader_db->get()] {
    HourReader reader(db2, inputs);
    for (Timestamp hour : hours) {
      HourFacts next{hour, {}, {}, Status::Ok()};
      next.status = reader.Read(hour, &next.usage, &next.capacity);
      std::unique_lock lock(mu);
      changed.wait(lock, [&] {
        return stop || ready.empty() || (ready.size() < kHoursAhead && facts_ahead < kFactsAhead);
      });
      if (stop) return;
      const bool failed = !next.status.ok();
      facts_ahead += next.usage.size();
      ready.push_back(std::move(next));
      changed.notify_all();
      if (failed) return;
    }
  });
  Status status = Status::Ok();
  for (size_t i = 0; i < hours.size() && status.ok(); ++i) {
    HourFacts facts;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return !ready.empty(); });
      facts = std::move(ready.front());
      ready.pop_front();
      facts_ahead -= facts.usage.size();
      changed.notify_all();
    }
    status = facts.status.ok() ? each(facts.hour, facts.usage, facts.capacity) : facts.status;
  }
  {
    std::lock_guard lock(mu);
    stop = true;
    changed.notify_all();
  }
  thread.join();
  return status;
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

Result<std::vector<Timestamp>> UnallocatedBillHours(
    SqliteDb* db, std::optional<Timestamp> from, std::optional<Timestamp> to,
    const std::set<std::pair<int64_t, int64_t>>* bill_periods) {
  const int64_t lo = from ? from->unix_seconds() : INT64_MIN;
  const int64_t hi = to ? to->unix_seconds() : INT64_MAX;
  // Bills have few distinct charge periods (hours, days, months), so their hours are few.
  std::set<std::pair<int64_t, int64_t>> periods;
  if (bill_periods != nullptr) {
    periods = *bill_periods;
  } else {
    LineFilter filter;
    filter.overlap_from = lo;
    filter.overlap_to = hi;
    TALLY_RETURN_IF_ERROR(
        ScanLineBlocks(db, filter, [&](const LineBlockInfo&, const StoredLine& l) {
          periods.emplace(*l.start, *l.end);
          return Status::Ok();
        }));
  }
  std::set<int64_t> hours;
  for (const auto& [period_start, period_end] : periods) {
    const int64_t start = std::max(period_start, lo);
    const int64_t end = std::min(period_end, hi);
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
  TALLY_RETURN_IF_ERROR(StoreAllocationsIn(db, hours, digest, true));
  return txn->Commit();
}

Status StoreAllocationsIn(SqliteDb* db, std::span<const AllocatedHour> hours,
                          std::string_view digest, bool rows) {
  DictIds dict(db);
  // Rows name the same few texts again and again, through views that stay put for this call:
  // their ids are found by address first, by text only once per address.
  struct ViewHash {
    size_t operator()(const std::pair<const char*, size_t>& v) const {
      const uint64_t h = (reinterpret_cast<uintptr_t>(v.first) + v.second) * 0x9E3779B97F4A7C15ull;
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  std::unordered_map<std::pair<const char*, size_t>, int64_t, ViewHash> by_view;
  by_view.reserve(1 << 14);
  // Consecutive rows mostly repeat each field's view: the last one per field is checked first.
  std::array<std::pair<std::string_view, int64_t>, 6> last{};
  auto id_of = [&](size_t field, std::string_view text) -> Result<int64_t> {
    if (last[field].first.data() == text.data() && last[field].first.size() == text.size() &&
        last[field].second != 0) {
      return last[field].second;
    }
    auto [it, added] = by_view.try_emplace({text.data(), text.size()}, 0);
    if (added) {
      TALLY_ASSIGN_OR_RETURN(it->second, dict.Id(text));
    }
    last[field] = {text, it->second};
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
  std::map<int64_t, DaySums> days;
  std::set<int64_t> stored;
  std::string block;
  for (const AllocatedHour& h : hours) {
    const int64_t hour = h.hour.unix_seconds();
    stored.insert(hour);
    DaySums& day = days[DayStart(hour)];
    for (Statement* s : {&del_bill, &del_dirty}) {
      s->BindInt(1, hour);
      TALLY_RETURN_IF_ERROR(s->Run());
    }
    mark.BindInt(1, hour);
    mark.BindText(2, digest);
    TALLY_RETURN_IF_ERROR(mark.Run());
    for (const auto& [source, bill] : h.bill) {
      insert_bill.BindInt(1, hour);
      insert_bill.BindText(2, source);
      BindDecimal(&insert_bill, 3, bill, &scratch);
      TALLY_RETURN_IF_ERROR(insert_bill.Run());
    }
    if (!rows) continue;
    block.clear();
    size_t index = 0;
    for (const AllocationRow& r : h.rows) {
      StoredAllocation row;
      size_t i = 0;
      for (std::string_view text :
           {r.source, r.consumer, r.asset, r.resource, r.owner, r.service}) {
        TALLY_ASSIGN_OR_RETURN(row.ids[i], id_of(i, text));
        ++i;
      }
      row.kind = static_cast<int64_t>(r.kind);
      row.cost = r.cost;
      if (!r.quantity.is_zero()) row.quantity = r.quantity;
      AppendAllocation(row, &block);
      TALLY_RETURN_IF_ERROR(day.Add(index++, row));
    }
    TALLY_RETURN_IF_ERROR(PutAllocationBlock(db, AllocationGrain::kHour, hour,
                                             static_cast<int64_t>(h.rows.size()), block));
  }
  if (!rows) return Status::Ok();
  return RollUpDays(db, &days, stored);
}

}  // namespace tally::sqlite
