#include "store/sqlite/sqlite_allocation_rollup.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <vector>

#include "store/sqlite/allocation_blocks.h"

namespace tally::sqlite {
namespace {

// source, consumer, asset, resource, owner, service (dict ids) and kind.
using RowKey = std::array<int64_t, 7>;
struct RowKeyHash {
  size_t operator()(const RowKey& k) const {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int64_t v : k) h = (h ^ static_cast<uint64_t>(v)) * 0x100000001b3ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

struct Sum {
  Decimal cost;
  std::optional<Decimal> quantity;
};

}  // namespace

Status RollUpDays(SqliteDb* db, const std::set<int64_t>& days) {
  TALLY_ASSIGN_OR_RETURN(Statement mark,
                         db->Prepare("INSERT OR IGNORE INTO allocation_days(day) VALUES(?)"));
  for (const int64_t day : days) {
    std::unordered_map<RowKey, Sum, RowKeyHash> sums;
    TALLY_RETURN_IF_ERROR(ScanAllocationBlocks(
        db, AllocationGrain::kHour, day, day + kDay,
        [&](int64_t, const StoredAllocation& row) -> Status {
          RowKey key;
          std::copy(row.ids.begin(), row.ids.end(), key.begin());
          key[6] = row.kind;
          Sum& sum = sums[key];
          if (!sum.cost.CheckedAdd(row.cost)) return InvalidArgument("a day's cost overflows");
          if (row.quantity) sum.quantity = sum.quantity.value_or(Decimal()) + *row.quantity;
          return Status::Ok();
        }));
    // Sorted, so the same day sums to the same block whatever order the hours came in.
    std::vector<std::pair<RowKey, Sum>> sorted(sums.begin(), sums.end());
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
    TALLY_RETURN_IF_ERROR(PutAllocationBlock(db, AllocationGrain::kDay, day,
                                             static_cast<int64_t>(sorted.size()), block));
    mark.BindInt(1, day);
    TALLY_RETURN_IF_ERROR(mark.Run());
  }
  return Status::Ok();
}

}  // namespace tally::sqlite
