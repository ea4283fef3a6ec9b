// The daily rollup of allocations: each allocated day's hourly rows summed by their ids and kind
// into one day block, so a 30-day showback reads 30 blocks instead of 720 hours of rows. A day
// is summed again, inside the allocation's transaction, whenever any of its hours is stored, so
// the rollup always equals the sum of the hours.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "store/sqlite/allocation_blocks.h"
#include "store/sqlite/cost_rollup.h"
#include "store/sqlite/sqlite_db.h"

namespace tally::sqlite {

constexpr int64_t kDay = 86400;

// One day's rows summed by (source, consumer, asset, resource, owner, service, kind).
class DaySums {
 public:
  Status Add(const StoredAllocation& row);
  // The same, for the `index`th row of an hour: the allocator writes every hour's rows in much
  // the same order, so the sum that row `index` of the hour before went to is tried first.
  Status Add(size_t index, const StoredAllocation& row);
  // The sums as rows, in key order (the same day always packs to the same block).
  std::string Pack(int64_t* count) const;

 private:
  using Key = std::array<int64_t, 7>;
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Sum {
    Decimal cost;
    std::optional<Decimal> quantity;
  };
  static Key KeyOf(const StoredAllocation& row);
  static Status AddTo(Sum* sum, const StoredAllocation& row);
  std::unordered_map<Key, Sum, KeyHash> sums_;
  std::vector<std::pair<Key, Sum*>> by_index_;  // the sum row `index` went to last
};

// Writes the day block of each day in `days`: the rows the caller summed from the hours it is
// storing (`stored`), plus the stored hour blocks of that day not among them. Records the days
// in allocation_days. Call inside a write transaction, after the hour blocks are written.
Status RollUpDays(SqliteDb* db, std::map<int64_t, DaySums>* days, const std::set<int64_t>& stored);

}  // namespace tally::sqlite
