// Allocation rows summed along their stored columns (AllocationScan), grouped by ids and named
// through the dict once per group, sums in exact decimals; and each source's bill. What the
// sums mean (attributes, order, reconciliation) is report/showback.h's. Whole days of a window that are rolled up are
// read from the day blocks (24 times fewer rows); the window's partial days at its edges, days
// not rolled up, and every query grouped by hour read the hour blocks.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "store/sqlite/allocation_blocks.h"
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/dict_ids.h"
#include "store/sqlite/sqlite_allocation.h"
#include "store/sqlite/sqlite_allocation_rollup.h"
#include "store/sqlite/sqlite_usage.h"

namespace tally::sqlite {
namespace {

static_assert(static_cast<size_t>(AllocationColumn::kResource) == kResourceId &&
                  static_cast<size_t>(AllocationColumn::kService) == 5,
              "AllocationColumn's first six are StoredAllocation::ids, in order");

// Sums rows of either grain into groups keyed by ids (dict ids, kind, time) until the end, when
// the groups' keys are turned into text once.
class AllocationSums {
 public:
  AllocationSums(SqliteDb* db, std::vector<AllocationColumn> columns)
      : dict_(db), columns_(std::move(columns)) {}

  // One stored row of the hour or day starting at `time`.
  Status Add(int64_t time, const StoredAllocation& row) {
    key_.clear();
    for (AllocationColumn c : columns_) {
      switch (c) {
        case AllocationColumn::kKind:
          key_.push_back(row.kind);
          break;
        case AllocationColumn::kHour:
          key_.push_back(time);
          break;
        case AllocationColumn::kDay:
          key_.push_back(DayStart(time));
          break;
        default:  // the six dict columns, in StoredAllocation::ids order
          key_.push_back(row.ids[static_cast<size_t>(c)]);
      }
    }
    Group& group = groups_[key_];
    if (!group.cost.CheckedAdd(row.cost)) return InvalidArgument("a showback sum overflows");
    if (row.quantity) group.quantity[row.ids[kResourceId]] += *row.quantity;
    total_ += row.cost;
    return Status::Ok();
  }

  Result<ShowbackTable> Table() && {
    ShowbackTable table;
    for (AllocationColumn c : columns_) table.columns.emplace_back(AllocationColumnName(c));
    table.total = total_;
    table.rows.reserve(groups_.size());
    for (auto& [ids, group] : groups_) {
      ShowbackRow row;
      for (size_t i = 0; i < columns_.size(); ++i) {
        TALLY_ASSIGN_OR_RETURN(std::string text, KeyText(columns_[i], ids[i]));
        row.keys.push_back(std::move(text));
      }
      row.cost = group.cost;
      for (const auto& [resource, amount] : group.quantity) {
        TALLY_ASSIGN_OR_RETURN(std::string name, dict_.Text(resource));
        row.quantity[name] += amount;
      }
      table.rows.push_back(std::move(row));
    }
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

  Result<std::string> KeyText(AllocationColumn c, int64_t id) {
    switch (c) {
      case AllocationColumn::kKind:
        return std::string(AllocationKindName(static_cast<AllocationKind>(id)));
      case AllocationColumn::kHour:
        return Timestamp::FromUnixSeconds(id).ToString();
      case AllocationColumn::kDay:
        return Timestamp::FromUnixSeconds(id).ToString().substr(0, 10);
      default:
        return dict_.Text(id);
    }
  }

  DictIds dict_;
  std::vector<AllocationColumn> columns_;
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
                                                          const AllocationScan& query) {
  TALLY_ASSIGN_OR_RETURN(Statement q,
                         db->Prepare("SELECT MIN(hour), MAX(hour) + 3600 FROM allocation_hours"));
  TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row || q.IsNull(0)) return std::optional<std::pair<int64_t, int64_t>>();
  const int64_t from = query.from ? query.from->unix_seconds() : q.Int(0);
  const int64_t to = query.to ? query.to->unix_seconds() : q.Int(1);
  return std::optional<std::pair<int64_t, int64_t>>({from, std::max(from, to)});
}

}  // namespace

Result<ShowbackTable> SumAllocations(SqliteDb* db, const AllocationScan& query) {
  TALLY_RETURN_IF_ERROR(db->ReadMapped());
  bool by_hour = false;
  for (AllocationColumn c : query.group_by) by_hour |= c == AllocationColumn::kHour;
  AllocationSums sums(db, query.group_by);
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
  TALLY_ASSIGN_OR_RETURN(ShowbackTable table, std::move(sums).Table());
  TALLY_ASSIGN_OR_RETURN(
      Statement hours,
      db->Prepare("SELECT COUNT(*) FROM allocation_hours WHERE hour >= ? AND hour < ?"));
  hours.BindInt(1, query.from ? query.from->unix_seconds() : INT64_MIN);
  hours.BindInt(2, query.to ? query.to->unix_seconds() : INT64_MAX);
  TALLY_ASSIGN_OR_RETURN(bool has, hours.Step());
  table.hours = has ? hours.Int(0) : 0;
  return table;
}

Result<std::vector<SourceBill>> ListBills(SqliteDb* db, std::optional<Timestamp> from,
                                          std::optional<Timestamp> to) {
  std::map<std::string, SourceBill> bills;
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db->Prepare("SELECT source, bill, hour FROM allocation_bill WHERE hour >= ? AND hour < ?"));
  q.BindInt(1, from ? from->unix_seconds() : INT64_MIN);
  q.BindInt(2, to ? to->unix_seconds() : INT64_MAX);
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    const std::string source(q.Text(0));
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> bill, ColumnDecimal(q, 1));
    SourceBill& b = bills[source];
    b.source = source;
    b.bill += bill.value_or(Decimal());
    const Timestamp hour = Timestamp::FromUnixSeconds(q.Int(2));
    ++b.hours;
    if (!b.first_hour || hour < *b.first_hour) b.first_hour = hour;
    if (!b.last_hour || *b.last_hour < hour) b.last_hour = hour;
  }
  std::vector<SourceBill> out;
  out.reserve(bills.size());
  for (auto& [source, b] : bills) out.push_back(std::move(b));
  return out;
}

}  // namespace tally::sqlite
