// Usage and capacity facts packed per hour and source: one row of usage_blocks or
// capacity_blocks holds every fact a source stored for an hour. A block starts with its
// (resource, unit) pairs as texts; then each fact is varints (consumer id for usage, asset id or
// 0, pair index) and packed decimals (request and usage, or the capacity). An hour of 20,000
// facts is one row, read in a millisecond by the allocation and the usage reports.
//
// Stateless. Runs on the caller's connection.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "tally/decimal.h"

namespace tally::sqlite {

enum class FactTable { kUsage, kCapacity };

// A fact read back; the views point into the block and last for the callback only.
struct StoredFact {
  int64_t source_id = 0;
  int64_t hour = 0;
  int64_t consumer_id = 0;  // usage facts
  int64_t asset_id = 0;     // 0: none
  std::string_view resource, unit;
  Decimal request;  // the capacity, for capacity facts
  Decimal usage;
};

// Packs the facts of one hour of one source.
class FactBlockWriter {
 public:
  explicit FactBlockWriter(FactTable table) : table_(table) {}
  void Add(int64_t consumer_id, int64_t asset_id, std::string_view resource,
           std::string_view unit, const Decimal& request, const Decimal& usage);
  int64_t count() const { return count_; }
  std::string Finish() const;

 private:
  FactTable table_;
  std::vector<std::pair<std::string, std::string>> kinds_;
  std::string facts_;
  int64_t count_ = 0;
};

Status PutFactBlock(SqliteDb* db, FactTable table, int64_t source_id, int64_t hour,
                    const FactBlockWriter& facts);
// Deletes the source's blocks of both tables in [from, to); returns the usage facts deleted.
Result<int64_t> DeleteFactBlocks(SqliteDb* db, int64_t source_id, int64_t from, int64_t to);
// Calls each(fact) for every fact of `table` with an hour in [from, to), hour by hour.
Status ScanFactBlocks(SqliteDb* db, FactTable table, int64_t from, int64_t to,
                      const std::function<Status(const StoredFact&)>& each);
// The same for one source's facts only.
Status ScanSourceFactBlocks(SqliteDb* db, FactTable table, int64_t source_id, int64_t from,
                            int64_t to, const std::function<Status(const StoredFact&)>& each);
// Moves the rows of schema v2's usage_facts and capacity_facts into blocks and drops those
// tables (the migration to v5).
Status MoveFactRowsIntoBlocks(SqliteDb* db);

}  // namespace tally::sqlite
