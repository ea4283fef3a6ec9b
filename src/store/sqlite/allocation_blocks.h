// Allocation rows packed into blocks: one row of allocation_blocks per allocated hour, one of
// allocation_day_blocks per rolled-up day. A row inside a block is its six dict ids (source,
// consumer, asset, resource, owner, service) and kind as varints, then cost and quantity as
// packed decimals (packed.h): about 25 bytes, against a 10-column table row with its index.
// An hour of 20,000 rows is one insert, not 20,000, and a showback reads a day in one row.
//
// Stateless. Runs on the caller's connection.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_db.h"
#include "tally/decimal.h"

namespace tally::sqlite {

struct StoredAllocation {
  // source, consumer, asset, resource, owner, service: dict ids
  std::array<int64_t, 6> ids{};
  int64_t kind = 0;  // AllocationKind
  Decimal cost;
  std::optional<Decimal> quantity;  // direct rows' basis; null otherwise
};
inline constexpr size_t kResourceId = 3;  // StoredAllocation::ids index of the resource

void AppendAllocation(const StoredAllocation& row, std::string* block);

class AllocationBlockReader {
 public:
  explicit AllocationBlockReader(std::string_view block) : block_(block) {}
  // The next row into *row; false at the end. Errors: kInternal for a corrupt block.
  Result<bool> Next(StoredAllocation* row);

 private:
  std::string_view block_;
  size_t pos_ = 0;
};

enum class AllocationGrain { kHour, kDay };

// Calls each(hour or day start, row) for every row of the blocks of `grain` in [from, to)
// (only of the blocks `wanted` accepts, when given).
Status ScanAllocationBlocks(
    SqliteDb* db, AllocationGrain grain, int64_t from, int64_t to,
    const std::function<Status(int64_t, const StoredAllocation&)>& each,
    const std::function<bool(int64_t)>& wanted = nullptr);

// Replaces the block of `grain` at `time` with `rows` packed (AppendAllocation), `count` rows.
Status PutAllocationBlock(SqliteDb* db, AllocationGrain grain, int64_t time, int64_t count,
                          const std::string& rows);

// Moves the rows of the tables of schema v3 and v4 (allocations, allocations_daily) into blocks
// and drops those tables (the migration to v5).
Status MoveAllocationRowsIntoBlocks(SqliteDb* db);

}  // namespace tally::sqlite
