// The cost rollup: each metric of kCostMetrics summed per series, per partition and ingest run,
// per UTC day and per UTC calendar month of ChargePeriodStart (table cost_rollup). Cost reports
// read whole months and days from it instead of the lines (sqlite_cost_scan.h).
//
// A row holds one block: the sums of every series of one period, partition and run, packed
// (series ascending as varint deltas; lines; per metric a trailing-zero exponent and a zigzag
// varint mantissa), so a month of 60,000 series is one row of about 2 MB read in a millisecond.
// Day blocks, many more and read less often, are zstd-compressed (since v6).
//
// An ingest run sums its lines as it stores them (CostRollupBuilder) and writes the sums out as
// blocks in its own transaction, so the rollup moves with every ingest and restatement,
// atomically. Memory is bounded: the sums are written out every kRollupFlushCells cells as
// further blocks (`chunk`), which readers add up. A run that abandons a file (whose lines are
// deleted) drops its blocks and rolls up its partitions from the stored lines at commit
// (RollUpPartition), as the migration does.
//
// Stateless. Runs on the caller's connection, inside the caller's transaction.
#pragma once

#include <cstddef>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/zstd_frame.h"
#include "tally/decimal.h"

namespace tally::sqlite {

// cost_rollup.grain
inline constexpr int64_t kGrainDay = 1;
inline constexpr int64_t kGrainMonth = 2;
// cost_rollup.period of lines with no ChargePeriodStart (the key columns cannot be null).
inline constexpr int64_t kUndatedPeriod = INT64_MIN;
// Lines summed in memory before they are written out (112 bytes each: about 56 MB).
inline constexpr size_t kRollupFlushCells = 500'000;
inline constexpr int kRollupZstdLevel = 3;

// Cost lines summed into cells of (partition, grain, period, series): appended as they come,
// sorted and summed when written out.
class CostRollupBuilder {
 public:
  CostRollupBuilder();
  ~CostRollupBuilder();
  CostRollupBuilder(CostRollupBuilder&&) noexcept;
  CostRollupBuilder& operator=(CostRollupBuilder&&) noexcept;

  // Adds one line; `metrics` in kCostMetrics order. Errors: kInvalidArgument on overflow.
  Status Add(int64_t partition, int64_t series, std::optional<int64_t> charge_period_start,
             const std::array<std::optional<Decimal>, 4>& metrics);
  size_t cells() const;  // lines held
  void Clear();
  // Writes every cell as blocks of `ingest_id` (chunk numbers from *chunk on), then clears.
  Status Flush(SqliteDb* db, int64_t ingest_id, int64_t* chunk);

 private:
  struct Cells;
  std::unique_ptr<Cells> cells_;
};

// Rolls up the lines of `ingest_id` in `partition_id` (which must have no rollup rows yet),
// writing out every `flush_cells` cells.
Status RollUpPartition(SqliteDb* db, int64_t partition_id, int64_t ingest_id,
                       size_t flush_cells = kRollupFlushCells);
// Sums the blocks `ingest_id` wrote in pieces (one per flush) into one block per (grain, period,
// partition), so a report reads one block per month and partition whatever the file's size.
Status CompactRollup(SqliteDb* db, int64_t ingest_id);
// Drops the rollup rows of `partition_id` that ingest runs other than `ingest_id` wrote.
Status DropReplacedRollup(SqliteDb* db, int64_t partition_id, int64_t ingest_id);
// Rebuilds the whole rollup from the stored lines (the migration to line blocks).
Status RollUpAll(SqliteDb* db);

// Reads the entries of a block, with the value of one metric (an index into kCostMetrics).
class RollupBlockReader {
 public:
  static constexpr size_t kAllMetrics = SIZE_MAX;
  // With kAllMetrics, every metric is read into Entry::metrics.
  explicit RollupBlockReader(size_t metric) : metric_(metric) {}
  // Takes a block (a cost_rollup.data value of `grain`, which must outlive the reading) for Next
  // to read, decompressed when it is a day block. Errors: kInternal.
  Status Load(int64_t grain, std::string_view data);
  struct Entry {
    int64_t series = 0;
    int64_t lines = 0;
    std::optional<Decimal> value;  // null when no line of the cell had one
    std::array<std::optional<Decimal>, 4> metrics;  // with kAllMetrics
  };
  // The next entry into *entry; false at the end. Errors: kInternal for a corrupt block.
  Result<bool> Next(Entry* entry);

 private:
  ZstdReader zstd_;
  std::string buffer_;  // a day block, decompressed
  std::string_view block_;
  size_t metric_;
  size_t pos_ = 0;
  int64_t series_ = 0;
};

// UTC day / calendar month start of a unix time.
int64_t DayStart(int64_t t);
int64_t MonthStart(int64_t t);
int64_t NextMonthStart(int64_t t);

}  // namespace tally::sqlite
