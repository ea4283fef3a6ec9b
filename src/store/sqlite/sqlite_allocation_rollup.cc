#include "store/sqlite/sqlite_allocation_rollup.h"

#include <algorithm>
#include <vector>

namespace tally::sqlite {

size_t DaySums::KeyHash::operator()(const Key& k) const {
  uint64_t h = 0;
  for (int64_t v : k) h = (h + static_cast<uint64_t>(v)) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h ^ (h >> 32));
}

DaySums::Key DaySums::KeyOf(const StoredAllocation& row) {
  Key key;
  std::copy(row.ids.begin(), row.ids.end(), key.begin());
  key[6] = row.kind;
  return key;
}

Status DaySums::AddTo(Sum* sum, const StoredAllocation& row) {
  if (!sum->cost.CheckedAdd(row.cost)) return InvalidArgument("a day's cost overflows");
  if (row.quantity) sum->quantity = sum->quantity.value_or(Decimal()) + *row.quantity;
  return Status::Ok();
}

Status DaySums::Add(const StoredAllocation& row) { return AddTo(&sums_[KeyOf(row)], row); }

Status DaySums::Add(size_t index, const StoredAllocation& row) {
  const Key key = KeyOf(row);
  if (index < by_index_.size() && by_index_[index].first == key) {
    return AddTo(by_index_[index].second, row);
  }
  Sum* sum = &sums_[key];  // unordered_map nodes stay put: the pointer is stable
  if (index >= by_index_.size()) by_index_.resize(index + 1);
  by_index_[index] = {key, sum};
  return AddTo(sum, row);
}

std::string DaySums::Pack(int64_t* count) const {
  std::vector<std::pair<Key, Sum>> sorted(sums_.begin(), sums_.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string block;
  for (const auto& [key, sum] : sorted) {
    StoredAllocation row;
    std::copy(key.begin(), key.begin() + 6, row.ids.begin());
    row.kind = key[6];
    row.cost = sum.cost;
    row.quantity = sum.quantity;
    AppendAllocation(row, &block);
  }
  *count = static_cast<int64_t>(sorted.size());
  return block;
}

Status RollUpDays(SqliteDb* db, std::map<int64_t, DaySums>* days, const std::set<int64_t>& stored) {
  TALLY_ASSIGN_OR_RETURN(Statement mark,
                         db->Prepare("INSERT OR IGNORE INTO allocation_days(day) VALUES(?)"));
  for (auto& entry : *days) {
    const int64_t day = entry.first;
    DaySums& sums = entry.second;  // a plain reference: clang 14 lambdas cannot capture bindings
    TALLY_RETURN_IF_ERROR(ScanAllocationBlocks(
        db, AllocationGrain::kHour, day, day + kDay,
        [&](int64_t hour, const StoredAllocation& row) {
          return stored.contains(hour) ? Status::Ok() : sums.Add(row);
        },
        [&](int64_t hour) { return !stored.contains(hour); }));
    int64_t count = 0;
    const std::string block = sums.Pack(&count);
    TALLY_RETURN_IF_ERROR(PutAllocationBlock(db, AllocationGrain::kDay, day, count, block));
    mark.BindInt(1, day);
    TALLY_RETURN_IF_ERROR(mark.Run());
  }
  return Status::Ok();
}

}  // namespace tally::sqlite
