// The daily rollup of allocations: each allocated day's hourly rows summed by their ids and kind
// into one day block, so a 30-day showback reads 30 days of rows instead of
// 720 hours of them. A day is summed again, inside the allocation's transaction, whenever any of
// its hours is stored, so the rollup always equals the sum of the hours.
#pragma once

#include <set>

#include "store/sqlite/sqlite_db.h"

namespace tally::sqlite {

constexpr int64_t kDay = 86400;

// Start of the UTC day holding `t` (unix seconds).
inline int64_t DayOf(int64_t t) { return t - ((t % kDay) + kDay) % kDay; }

// Sums the hourly allocation blocks of each day in `days` (day starts) into its day block
// (allocation_blocks.h) and records the days in allocation_days. Call inside a write
// transaction.
Status RollUpDays(SqliteDb* db, const std::set<int64_t>& days);

}  // namespace tally::sqlite
