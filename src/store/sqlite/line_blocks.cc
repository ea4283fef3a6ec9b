#include "store/sqlite/line_blocks.h"

#include <algorithm>

#include "store/sqlite/packed.h"
#include "store/sqlite/zstd_frame.h"
#include "tally/focus_schema.h"

namespace tally::sqlite {
namespace {

constexpr unsigned kBlockVersion = 1;
// A block's columns are written and read in this order.
// The 12 decimals follow as one column each (kAmounts + i), so a column's values sit together.
enum Column : size_t { kFlags, kSeries, kLines, kStarts, kEnds, kAmounts };
constexpr size_t kColumns = kAmounts + kFocusDecimalCount;
constexpr unsigned char kHasStart = 1, kHasEnd = 2;
// Buffered bytes of all partitions' blocks past which every block is written.
constexpr size_t kPendingBytes = 64u << 20;
// Extra (native) columns a block may hold: more reads as corrupt.
constexpr uint64_t kMaxExtraColumns = 1u << 16;
// Extra columns × rows of a block, each at least a byte once padded.
constexpr size_t kMaxExtraCells = 16u << 20;
constexpr int kZstdLevel = 6;

constexpr std::string_view kWhat = "a cost line block";
Status Corrupt() { return Internal("sqlite: a cost line block is corrupt"); }

// Appends v - *previous as a zigzag varint (wrapping, so no value overflows) and keeps v.
void AppendDelta(int64_t v, int64_t* previous, std::string* out) {
  const auto delta = static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(*previous));
  AppendVarint(ZigZag(delta), out);
  *previous = v;
}

bool ReadDelta(std::string_view data, size_t* pos, int64_t* previous) {
  unsigned __int128 v = 0;
  if (!ReadVarint(data, pos, &v) || v > UINT64_MAX) return false;
  const __int128 delta = UnZigZag(v);
  *previous = static_cast<int64_t>(static_cast<uint64_t>(*previous) +
                                   static_cast<uint64_t>(static_cast<int64_t>(delta)));
  return true;
}

bool ReadSized(std::string_view data, size_t* pos, std::string_view* out) {
  unsigned __int128 size = 0;
  if (!ReadVarint(data, pos, &size) || size > data.size() - *pos) return false;
  *out = data.substr(*pos, static_cast<size_t>(size));
  *pos += static_cast<size_t>(size);
  return true;
}

void AppendSized(std::string_view bytes, std::string* out) {
  AppendVarint(bytes.size(), out);
  out->append(bytes);
}

// Reads a decompressed block line by line.
class BlockCursor {
 public:
  Status Open(std::string_view narrow, std::string_view extras, int64_t rows) {
    size_t pos = 0;
    unsigned __int128 version = 0, count = 0;
    if (!ReadVarint(narrow, &pos, &version) || version != kBlockVersion ||
        !ReadVarint(narrow, &pos, &count) || count != static_cast<unsigned __int128>(rows)) {
      return Corrupt();
    }
    for (auto& column : columns_) {
      if (!ReadSized(narrow, &pos, &column)) return Corrupt();
    }
    if (columns_[kFlags].size() != static_cast<size_t>(rows)) return Corrupt();
    rows_ = rows;
    if (extras.empty()) return Status::Ok();
    pos = 0;
    unsigned __int128 columns = 0;
    if (!ReadVarint(extras, &pos, &columns) || columns > kMaxExtraColumns) return Corrupt();
    extra_columns_.resize(static_cast<size_t>(columns));
    extra_pos_.assign(extra_columns_.size(), 0);
    for (auto& column : extra_columns_) {
      if (!ReadSized(extras, &pos, &column)) return Corrupt();
    }
    return Status::Ok();
  }

  // False at the end; an error when the block is corrupt.
  Result<bool> Next(StoredLine* line) {
    if (row_ == rows_) return false;
    const auto flags = static_cast<unsigned char>(columns_[kFlags][static_cast<size_t>(row_)]);
    if (!ReadDelta(columns_[kSeries], &pos_[kSeries], &series_) ||
        !ReadDelta(columns_[kLines], &pos_[kLines], &line_)) {
      return Corrupt();
    }
    line->series_id = series_;
    line->line = line_;
    line->start.reset();
    line->end.reset();
    if (flags & kHasStart) {
      if (!ReadDelta(columns_[kStarts], &pos_[kStarts], &start_)) return Corrupt();
      line->start = start_;
    }
    if (flags & kHasEnd) {
      if (!ReadDelta(columns_[kEnds], &pos_[kEnds], &end_)) return Corrupt();
      line->end = end_;
    }
    row_amounts_.clear();
    for (size_t c = kAmounts; c < kColumns; ++c) {
      const size_t from = pos_[c];
      if (!SkipDecimal(columns_[c], &pos_[c])) return Corrupt();
      row_amounts_.append(columns_[c].substr(from, pos_[c] - from));
    }
    line->amounts = row_amounts_;
    // The row's extras blob again: (column, length, bytes) for each column it has a value in.
    row_extras_.clear();
    for (size_t c = 0; c < extra_columns_.size(); ++c) {
      unsigned __int128 tag = 0;
      if (!ReadVarint(extra_columns_[c], &extra_pos_[c], &tag)) return Corrupt();
      if (tag == 0) continue;  // no value
      const auto size = static_cast<uint64_t>(tag - 1);
      if (tag - 1 > extra_columns_[c].size() - extra_pos_[c]) return Corrupt();
      AppendVarint(c, &row_extras_);
      AppendVarint(size, &row_extras_);
      row_extras_.append(extra_columns_[c].substr(extra_pos_[c], size));
      extra_pos_[c] += size;
    }
    line->extras = row_extras_;
    ++row_;
    return true;
  }

 private:
  std::string_view columns_[kColumns];
  size_t pos_[kColumns] = {};
  std::vector<std::string_view> extra_columns_;
  std::vector<size_t> extra_pos_;
  std::string row_amounts_, row_extras_;
  int64_t rows_ = 0, row_ = 0;
  int64_t series_ = 0, line_ = 0, start_ = 0, end_ = 0;
};

}  // namespace

size_t LineBlockWriter::Pending::bytes() const {
  return flags.size() + series.size() + lines.size() + starts.size() + ends.size() +
         amount_bytes + extra_bytes;
}

namespace {

// The (column, length, bytes) triples of a line's extras blob (model/extra_columns.h), for each
// until it returns false; false when the blob is malformed.
template <typename F>
bool ForEachExtra(std::string_view blob, F each) {
  for (size_t pos = 0; pos < blob.size();) {
    unsigned __int128 column = 0;
    std::string_view value;
    if (!ReadVarint(blob, &pos, &column) || column > UINT32_MAX || !ReadSized(blob, &pos, &value)) {
      return false;
    }
    if (!each(static_cast<uint64_t>(column), value)) return true;
  }
  return true;
}

Status CheckExtras(std::string_view blob) {
  bool wide = false;
  if (!ForEachExtra(blob, [&](uint64_t column, std::string_view) {
        wide |= column >= kMaxExtraColumns;
        return !wide;
      })) {
    return Internal("sqlite: a cost line's extra columns are malformed");
  }
  if (wide) {
    return InvalidArgument("a file with more than " + std::to_string(kMaxExtraColumns) +
                           " extra (non-FOCUS) columns cannot be stored");
  }
  return Status::Ok();
}

}  // namespace

// Each extra column holds, per row, varint 0 for no value or length + 1 and the bytes, so that
// equal values of a column sit next to each other for the compressor. The blob was checked.
void LineBlockWriter::Pending::AddExtras(std::string_view blob) {
  ForEachExtra(blob, [&](uint64_t column, std::string_view value) {
    const auto c = static_cast<size_t>(column);
    if (c >= extras.size()) {
      extras.resize(c + 1);
      extras_filled.resize(c + 1, 0);
    }
    if (extras_filled[c] > rows) return true;  // a column twice: the first value counts
    PadExtra(c, rows);
    const size_t before = extras[c].size();
    AppendVarint(value.size() + 1, &extras[c]);
    extras[c].append(value);
    extras_filled[c] = rows + 1;
    extra_bytes += extras[c].size() - before;
    return true;
  });
}

void LineBlockWriter::Pending::PadExtra(size_t column, int64_t to_rows) {
  const int64_t missing = to_rows - extras_filled[column];
  if (missing <= 0) return;
  extras[column].append(static_cast<size_t>(missing), '\0');
  extras_filled[column] = to_rows;
  extra_bytes += static_cast<size_t>(missing);
}

void LineBlockWriter::BeginFile(int64_t ingest_id, int64_t file_id) {
  ingest_id_ = ingest_id;
  file_id_ = file_id;
}

Status LineBlockWriter::Add(SqliteDb* db, int64_t partition_id, const StoredLine& line) {
  // Checked before anything is appended, so a refused line leaves the block as it was.
  std::array<size_t, kFocusDecimalCount + 1> bounds{};
  for (size_t i = 0; i < kFocusDecimalCount; ++i) {
    bounds[i + 1] = bounds[i];
    if (!SkipDecimal(line.amounts, &bounds[i + 1])) {
      return Internal("sqlite: a cost line's amounts are malformed");
    }
  }
  if (bounds.back() != line.amounts.size()) {
    return Internal("sqlite: a cost line's amounts are malformed");
  }
  TALLY_RETURN_IF_ERROR(CheckExtras(line.extras));

  Pending& b = pending_[partition_id];
  const size_t before = b.bytes();
  unsigned char flags = 0;
  AppendDelta(line.series_id, &b.last_series, &b.series);
  AppendDelta(line.line, &b.last_line, &b.lines);
  if (line.start) {
    flags |= kHasStart;
    AppendDelta(*line.start, &b.last_start, &b.starts);
    b.min_start = b.min_start ? std::min(*b.min_start, *line.start) : *line.start;
    b.max_start = b.max_start ? std::max(*b.max_start, *line.start) : *line.start;
  } else {
    ++b.undated;
  }
  if (line.end) {
    flags |= kHasEnd;
    AppendDelta(*line.end, &b.last_end, &b.ends);
    b.max_end = b.max_end ? std::max(*b.max_end, *line.end) : *line.end;
  }
  b.flags.push_back(static_cast<char>(flags));
  for (size_t i = 0; i < kFocusDecimalCount; ++i) {
    b.amounts[i].append(line.amounts.substr(bounds[i], bounds[i + 1] - bounds[i]));
  }
  b.amount_bytes += line.amounts.size();
  b.AddExtras(line.extras);
  ++b.rows;
  pending_bytes_ += b.bytes() - before;
  // A block is written when full, or when its extras, padded to every column, would pass
  // kMaxExtraCells (a file with thousands of sparse columns).
  if (b.rows >= kLineBlockRows || b.extras.size() * static_cast<size_t>(b.rows) > kMaxExtraCells) {
    pending_bytes_ -= b.bytes();
    TALLY_RETURN_IF_ERROR(Write(db, partition_id, &b));
    pending_.erase(partition_id);
  }
  if (pending_bytes_ > kPendingBytes) return Flush(db);
  return Status::Ok();
}

Status LineBlockWriter::Flush(SqliteDb* db) {
  for (auto& [partition_id, block] : pending_) {
    TALLY_RETURN_IF_ERROR(Write(db, partition_id, &block));
  }
  Discard();
  return Status::Ok();
}

void LineBlockWriter::Discard() {
  pending_.clear();
  pending_bytes_ = 0;
}

Status LineBlockWriter::Write(SqliteDb* db, int64_t partition_id, Pending* b) {
  std::string narrow;
  AppendVarint(kBlockVersion, &narrow);
  AppendVarint(static_cast<uint64_t>(b->rows), &narrow);
  for (const std::string* column : {&b->flags, &b->series, &b->lines, &b->starts, &b->ends}) {
    AppendSized(*column, &narrow);
  }
  for (const std::string& column : b->amounts) AppendSized(column, &narrow);
  TALLY_ASSIGN_OR_RETURN(std::string data, ZstdCompress(narrow, kZstdLevel));
  TALLY_ASSIGN_OR_RETURN(
      Statement insert,
      db->Prepare("INSERT INTO cost_line_blocks(partition_id, ingest_id, file_id, rows, "
                  "min_start, max_start, max_end, undated, data, extras) "
                  "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.BindInt(1, partition_id);
  insert.BindInt(2, ingest_id_);
  insert.BindInt(3, file_id_);
  insert.BindInt(4, b->rows);
  int param = 5;
  for (const auto& bound : {b->min_start, b->max_start, b->max_end}) {
    if (bound) {
      insert.BindInt(param++, *bound);
    } else {
      insert.BindNull(param++);
    }
  }
  insert.BindInt(8, b->undated);
  insert.BindBlob(9, data.data(), static_cast<int>(data.size()));
  std::string extras;  // bound without a copy: lives until Run
  if (!b->extras.empty()) {
    std::string columns;
    AppendVarint(b->extras.size(), &columns);
    for (size_t c = 0; c < b->extras.size(); ++c) {
      b->PadExtra(c, b->rows);
      AppendSized(b->extras[c], &columns);
    }
    TALLY_ASSIGN_OR_RETURN(extras, ZstdCompress(columns, kZstdLevel));
    insert.BindBlob(10, extras.data(), static_cast<int>(extras.size()));
  } else {
    insert.BindNull(10);
  }
  return insert.Run();
}

Status ScanLineBlocks(SqliteDb* db, const LineFilter& filter,
                      const std::function<Status(const LineBlockInfo&, const StoredLine&)>& each) {
  std::string sql = "SELECT partition_id, ingest_id, file_id, rows, data";
  sql += filter.extras ? ", extras" : ", NULL";
  sql += " FROM cost_line_blocks WHERE 1";
  std::vector<int64_t> params;
  auto where = [&](const char* condition, int64_t value) {
    sql += condition;
    params.push_back(value);
  };
  if (filter.partition_id) where(" AND partition_id = ?", *filter.partition_id);
  if (filter.ingest_id) where(" AND ingest_id = ?", *filter.ingest_id);
  if (filter.start_from) where(" AND max_start >= ?", *filter.start_from);
  if (filter.start_to) where(" AND min_start < ?", *filter.start_to);
  if (filter.overlap_to) where(" AND min_start < ?", *filter.overlap_to);
  if (filter.overlap_from) where(" AND max_end > ?", *filter.overlap_from);
  sql += " ORDER BY id";
  TALLY_ASSIGN_OR_RETURN(Statement scan, db->Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) scan.BindInt(static_cast<int>(i + 1), params[i]);

  const bool by_start = filter.start_from || filter.start_to;
  const bool by_overlap = filter.overlap_from || filter.overlap_to;
  ZstdReader zstd;
  std::string narrow, extras;
  StoredLine line;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, scan.Step());
    if (!row) break;
    TALLY_RETURN_IF_ERROR(db->CheckDeadline());
    const LineBlockInfo info{scan.Int(0), scan.Int(1), scan.Int(2)};
    TALLY_RETURN_IF_ERROR(zstd.Decompress(scan.Blob(4), &narrow, kWhat));
    extras.clear();
    if (!scan.IsNull(5)) TALLY_RETURN_IF_ERROR(zstd.Decompress(scan.Blob(5), &extras, kWhat));
    BlockCursor cursor;
    TALLY_RETURN_IF_ERROR(cursor.Open(narrow, extras, scan.Int(3)));
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool more, cursor.Next(&line));
      if (!more) break;
      if (by_start) {
        if (!line.start) continue;
        if (filter.start_from && *line.start < *filter.start_from) continue;
        if (filter.start_to && *line.start >= *filter.start_to) continue;
      }
      if (by_overlap) {
        if (!line.start || !line.end) continue;
        if (filter.overlap_to && *line.start >= *filter.overlap_to) continue;
        if (filter.overlap_from && *line.end <= *filter.overlap_from) continue;
      }
      TALLY_RETURN_IF_ERROR(each(info, line));
    }
  }
  return Status::Ok();
}

Result<std::pair<std::optional<int64_t>, std::optional<int64_t>>> StoredChargeSpan(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(Statement q,
                         db->Prepare("SELECT MIN(min_start), MAX(max_end) FROM cost_line_blocks"));
  TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
  std::pair<std::optional<int64_t>, std::optional<int64_t>> span;
  if (row && !q.IsNull(0)) span.first = q.Int(0);
  if (row && !q.IsNull(1)) span.second = q.Int(1);
  return span;
}

namespace {

// Deletes the blocks `where` selects (its parameters a, then b if set); returns their lines.
Result<int64_t> DeleteBlocks(SqliteDb* db, const std::string& where, int64_t a,
                             std::optional<int64_t> b) {
  TALLY_ASSIGN_OR_RETURN(
      Statement count,
      db->Prepare("SELECT COALESCE(SUM(rows), 0) FROM cost_line_blocks WHERE " + where));
  TALLY_ASSIGN_OR_RETURN(Statement drop,
                         db->Prepare("DELETE FROM cost_line_blocks WHERE " + where));
  for (Statement* s : {&count, &drop}) {
    s->BindInt(1, a);
    if (b) s->BindInt(2, *b);
  }
  TALLY_ASSIGN_OR_RETURN(bool row, count.Step());
  const int64_t lines = row ? count.Int(0) : 0;
  TALLY_RETURN_IF_ERROR(drop.Run());
  return lines;
}

}  // namespace

Result<int64_t> DeleteFileLines(SqliteDb* db, int64_t file_id) {
  return DeleteBlocks(db, "file_id = ?", file_id, std::nullopt);
}

Result<int64_t> DeleteReplacedLines(SqliteDb* db, int64_t partition_id, int64_t keep_ingest) {
  return DeleteBlocks(db, "partition_id = ? AND ingest_id <> ?", partition_id, keep_ingest);
}

Status MoveLinesIntoBlocks(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(
      Statement rows,
      db->Prepare("SELECT file_id, ingest_id, partition_id, series_id, line, ChargePeriodStart, "
                  "ChargePeriodEnd, amounts, extras FROM cost_lines ORDER BY file_id, rowid"));
  LineBlockWriter writer;
  int64_t file = -1;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    if (rows.Int(0) != file) {
      TALLY_RETURN_IF_ERROR(writer.Flush(db));
      file = rows.Int(0);
      writer.BeginFile(rows.Int(1), file);
    }
    StoredLine line;
    line.series_id = rows.Int(3);
    line.line = rows.Int(4);
    if (!rows.IsNull(5)) line.start = rows.Int(5);
    if (!rows.IsNull(6)) line.end = rows.Int(6);
    line.amounts = rows.Blob(7);
    if (!rows.IsNull(8)) line.extras = rows.Blob(8);
    TALLY_RETURN_IF_ERROR(writer.Add(db, rows.Int(2), line));
  }
  TALLY_RETURN_IF_ERROR(writer.Flush(db));
  return db->Exec("DROP TABLE cost_lines");
}

}  // namespace tally::sqlite
