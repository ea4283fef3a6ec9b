// Cost lines stored as compressed blocks: one row of cost_line_blocks holds up to
// kLineBlockRows lines of one file and one billing partition, column by column (series ids,
// line numbers and charge periods as deltas, each packed decimal), zstd-compressed; the lines'
// extra (native) columns are a second zstd frame in the row's last column, column by column,
// read only by scans that want them. A 500,000-row CUR file whose native columns took ~700 bytes a row as SQLite
// rows takes a few tens of bytes a row here. Each row also keeps the block's charge-period
// bounds, so a scan of a time range reads only the blocks that overlap it.
//
// Deletion is by block: a file (abandoned) or a partition's earlier runs (replaced), which is
// all the cost ingest ever deletes. Stateless functions run on the caller's connection.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "tally/focus_schema.h"

namespace tally::sqlite {

inline constexpr int64_t kLineBlockRows = 8192;

// One cost line as stored; the views point into the block and last for the callback only.
struct StoredLine {
  int64_t series_id = 0;
  int64_t line = 0;  // in its source file
  std::optional<int64_t> start, end;  // ChargePeriodStart and ChargePeriodEnd, unix seconds
  std::string_view amounts;  // the 12 decimals, packed (packed.h)
  std::string_view extras;   // the native columns (model/extra_columns.h); empty when none
};

// Collects one file's lines per billing partition and writes them as blocks of kLineBlockRows
// lines, and at Flush. Memory: the blocks being filled, flushed together past 64 MiB.
class LineBlockWriter {
 public:
  // Starts a file: lines added next belong to it (call Flush or Discard first).
  void BeginFile(int64_t ingest_id, int64_t file_id);
  Status Add(SqliteDb* db, int64_t partition_id, const StoredLine& line);
  // Writes every partially filled block.
  Status Flush(SqliteDb* db);
  // Drops the lines not yet written.
  void Discard();

 private:
  struct Pending {
    int64_t rows = 0, undated = 0;
    std::optional<int64_t> min_start, max_start, max_end;
    int64_t last_series = 0, last_line = 0, last_start = 0, last_end = 0;
    std::string flags, series, lines, starts, ends;
    std::array<std::string, kFocusDecimalCount> amounts;  // one column per decimal
    size_t amount_bytes = 0;
    std::vector<std::string> extras;     // per extra column, its values row by row
    std::vector<int64_t> extras_filled;  // rows each extra column holds so far
    size_t extra_bytes = 0;
    size_t bytes() const;
    void AddExtras(std::string_view blob);  // checked by CheckExtras
    void PadExtra(size_t column, int64_t to_rows);
  };
  Status Write(SqliteDb* db, int64_t partition_id, Pending* block);

  int64_t ingest_id_ = 0, file_id_ = 0;
  std::map<int64_t, Pending> pending_;  // by partition id
  size_t pending_bytes_ = 0;
};

// Which blocks and lines a scan reads; unset fields do not filter.
struct LineFilter {
  std::optional<int64_t> partition_id, ingest_id;
  // Lines whose ChargePeriodStart is in [start_from, start_to) (lines without one are left out).
  std::optional<int64_t> start_from, start_to;
  // Lines whose charge period overlaps [overlap_from, overlap_to): start < to and end > from.
  std::optional<int64_t> overlap_from, overlap_to;
  bool extras = false;  // decompress the native columns (else StoredLine::extras is empty)
};

// The block a scanned line came from.
struct LineBlockInfo {
  int64_t partition_id = 0, ingest_id = 0, file_id = 0;
};

// Calls each(block, line) for every stored line the filter selects, block by block in the order
// they were written, and line by line within a block.
Status ScanLineBlocks(SqliteDb* db, const LineFilter& filter,
                      const std::function<Status(const LineBlockInfo&, const StoredLine&)>& each);

// The earliest ChargePeriodStart and latest ChargePeriodEnd stored (nullopt when none).
Result<std::pair<std::optional<int64_t>, std::optional<int64_t>>> StoredChargeSpan(SqliteDb* db);

// Deletes a file's blocks, or a partition's blocks of runs other than `keep_ingest`; both return
// the number of lines deleted.
Result<int64_t> DeleteFileLines(SqliteDb* db, int64_t file_id);
Result<int64_t> DeleteReplacedLines(SqliteDb* db, int64_t partition_id, int64_t keep_ingest);

// Moves schema v5's cost_lines rows into blocks and drops the table (the migration to v6).
Status MoveLinesIntoBlocks(SqliteDb* db);

}  // namespace tally::sqlite
