#include "store/sqlite/cost_rollup.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/line_blocks.h"
#include "store/sqlite/packed.h"
#include "store/sqlite/zstd_frame.h"
#include "tally/focus_schema.h"
#include "tally/time.h"

namespace tally::sqlite {
namespace {

constexpr size_t kMetrics = std::size(kCostMetrics);

// A line, or the sum of lines, of one series in one day (or month) of one partition.
struct Cell {
  int64_t partition = 0, series = 0, period = 0;  // period: day or month start, or undated
  int64_t lines = 0;
  std::array<Decimal, kMetrics> metrics{};
  uint8_t present = 0;  // bit m: some line had metric m (else it stays null)

  auto Key() const { return std::tie(partition, period, series); }
  Status Add(const Cell& other) {
    lines += other.lines;
    for (size_t m = 0; m < kMetrics; ++m) {
      if ((other.present >> m & 1) == 0) continue;
      present |= static_cast<uint8_t>(1u << m);
      if (!metrics[m].CheckedAdd(other.metrics[m])) {
        return InvalidArgument("sqlite: the sum of " + std::string(NameOf(kCostMetrics[m])) +
                               " in one month of one series overflows");
      }
    }
    return Status::Ok();
  }
};

// Sorts cells by key and sums equal keys into the first of each run; returns the new size.
Result<size_t> SortAndSum(std::vector<Cell>* cells) {
  std::sort(cells->begin(), cells->end(),
            [](const Cell& a, const Cell& b) { return a.Key() < b.Key(); });
  size_t out = 0;
  for (size_t i = 0; i < cells->size(); ++out) {
    Cell merged = (*cells)[i];
    for (++i; i < cells->size() && (*cells)[i].Key() == merged.Key(); ++i) {
      TALLY_RETURN_IF_ERROR(merged.Add((*cells)[i]));
    }
    (*cells)[out] = merged;
  }
  cells->resize(out);
  return out;
}

// Appends a cell to a block: its series as a delta from the block's previous one.
void AppendCell(const Cell& c, int64_t* previous, std::string* block) {
  AppendVarint(static_cast<uint64_t>(c.series - *previous), block);
  *previous = c.series;
  AppendVarint(static_cast<uint64_t>(c.lines), block);
  for (size_t m = 0; m < kMetrics; ++m) {
    AppendDecimal((c.present >> m & 1) != 0 ? std::optional<Decimal>(c.metrics[m]) : std::nullopt,
                  block);
  }
}

}  // namespace

// Lines are appended as they come (no lookup per line) and summed when written out.
struct CostRollupBuilder::Cells {
  std::vector<Cell> days;
};

CostRollupBuilder::CostRollupBuilder() : cells_(std::make_unique<Cells>()) {}
CostRollupBuilder::~CostRollupBuilder() = default;
CostRollupBuilder::CostRollupBuilder(CostRollupBuilder&&) noexcept = default;
CostRollupBuilder& CostRollupBuilder::operator=(CostRollupBuilder&&) noexcept = default;

Status CostRollupBuilder::Add(int64_t partition, int64_t series, std::optional<int64_t> start,
                              const std::array<std::optional<Decimal>, 4>& metrics) {
  // Room for a whole flush at once: growing by doubling would copy it and hold two copies (the
  // pages are only touched as lines come).
  if (cells_->days.capacity() == 0) cells_->days.reserve(kRollupFlushCells);
  Cell& cell = cells_->days.emplace_back();
  cell.partition = partition;
  cell.series = series;
  cell.period = start ? DayStart(*start) : kUndatedPeriod;
  cell.lines = 1;
  for (size_t m = 0; m < kMetrics; ++m) {
    if (!metrics[m]) continue;
    cell.metrics[m] = *metrics[m];
    cell.present |= static_cast<uint8_t>(1u << m);
  }
  return Status::Ok();
}

namespace {

// A block as stored: day blocks compressed, month blocks (what most reports read) as they are.
Result<std::string> PackBlock(int64_t grain, std::string block) {
  if (grain != kGrainDay) return block;
  return ZstdCompress(block, kRollupZstdLevel);
}

}  // namespace

size_t CostRollupBuilder::cells() const { return cells_->days.size(); }

void CostRollupBuilder::Clear() { cells_->days.clear(); }

Status CostRollupBuilder::Flush(SqliteDb* db, int64_t ingest_id, int64_t* chunk) {
  std::vector<Cell>& days = cells_->days;
  if (days.empty()) return Status::Ok();
  TALLY_ASSIGN_OR_RETURN(
      Statement insert, db->Prepare("INSERT INTO cost_rollup(grain, period, partition_id, "
                                    "ingest_id, chunk, cells, data) VALUES(?, ?, ?, ?, ?, ?, ?)"));
  TALLY_RETURN_IF_ERROR(SortAndSum(&days).status());
  // The months from the days.
  std::vector<Cell> months(days);
  for (Cell& c : months) {
    if (c.period != kUndatedPeriod) c.period = MonthStart(c.period);
  }
  TALLY_RETURN_IF_ERROR(SortAndSum(&months).status());
  // One block per (partition, period) of each grain, series ascending.
  for (const auto& [grain, cells] : {std::pair<int64_t, const std::vector<Cell>*>{kGrainDay, &days},
                                     {kGrainMonth, &months}}) {
    for (size_t begin = 0; begin < cells->size();) {
      const Cell& first = (*cells)[begin];
      size_t end = begin;
      std::string block;
      int64_t previous = 0;
      for (; end < cells->size() && (*cells)[end].partition == first.partition &&
             (*cells)[end].period == first.period;
           ++end) {
        AppendCell((*cells)[end], &previous, &block);
      }
      insert.BindInt(1, grain);
      insert.BindInt(2, first.period);
      insert.BindInt(3, first.partition);
      insert.BindInt(4, ingest_id);
      insert.BindInt(5, *chunk);
      insert.BindInt(6, static_cast<int64_t>(end - begin));
      TALLY_ASSIGN_OR_RETURN(const std::string data, PackBlock(grain, std::move(block)));
      insert.BindBlob(7, data.data(), static_cast<int>(data.size()));
      TALLY_RETURN_IF_ERROR(insert.Run());
      begin = end;
    }
  }
  days.clear();
  days.shrink_to_fit();
  ++*chunk;
  return Status::Ok();
}

Status RollupBlockReader::Load(int64_t grain, std::string_view data) {
  pos_ = 0;
  series_ = 0;
  if (grain != kGrainDay) {
    block_ = data;
    return Status::Ok();
  }
  TALLY_RETURN_IF_ERROR(zstd_.Decompress(data, &buffer_, "a cost_rollup block"));
  block_ = buffer_;
  return Status::Ok();
}

Result<bool> RollupBlockReader::Next(Entry* entry) {
  if (pos_ >= block_.size()) return false;
  auto corrupt = [] { return Internal("sqlite: a cost_rollup block is corrupt"); };
  unsigned __int128 v = 0;
  if (!ReadVarint(block_, &pos_, &v)) return corrupt();
  series_ += static_cast<int64_t>(v);
  entry->series = series_;
  if (!ReadVarint(block_, &pos_, &v)) return corrupt();
  entry->lines = static_cast<int64_t>(v);
  for (size_t m = 0; m < kMetrics; ++m) {
    const bool ok = metric_ == kAllMetrics ? ReadDecimal(block_, &pos_, &entry->metrics[m])
                    : m == metric_         ? ReadDecimal(block_, &pos_, &entry->value)
                                           : SkipDecimal(block_, &pos_);
    if (!ok) return corrupt();
  }
  return true;
}

Status CompactRollup(SqliteDb* db, int64_t ingest_id) {
  TALLY_ASSIGN_OR_RETURN(
      Statement pieces,
      db->Prepare("SELECT grain, period, partition_id FROM cost_rollup WHERE ingest_id = ? "
                  "GROUP BY grain, period, partition_id HAVING COUNT(*) > 1"));
  pieces.BindInt(1, ingest_id);
  std::vector<std::array<int64_t, 3>> split;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, pieces.Step());
    if (!row) break;
    split.push_back({pieces.Int(0), pieces.Int(1), pieces.Int(2)});
  }
  if (split.empty()) return Status::Ok();
  TALLY_ASSIGN_OR_RETURN(Statement read,
                         db->Prepare("SELECT data FROM cost_rollup WHERE grain = ? AND period = ? "
                                     "AND partition_id = ? AND ingest_id = ?"));
  TALLY_ASSIGN_OR_RETURN(Statement drop,
                         db->Prepare("DELETE FROM cost_rollup WHERE grain = ? AND period = ? AND "
                                     "partition_id = ? AND ingest_id = ?"));
  TALLY_ASSIGN_OR_RETURN(
      Statement insert, db->Prepare("INSERT INTO cost_rollup(grain, period, partition_id, "
                                    "ingest_id, chunk, cells, data) VALUES(?, ?, ?, ?, 0, ?, ?)"));
  RollupBlockReader reader(RollupBlockReader::kAllMetrics);
  for (const auto& [grain, period, partition] : split) {
    std::vector<Cell> cells;
    for (Statement* s : {&read, &drop}) {
      s->BindInt(1, grain);
      s->BindInt(2, period);
      s->BindInt(3, partition);
      s->BindInt(4, ingest_id);
    }
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool row, read.Step());
      if (!row) break;
      TALLY_RETURN_IF_ERROR(reader.Load(grain, read.Blob(0)));
      RollupBlockReader::Entry entry;
      for (;;) {
        TALLY_ASSIGN_OR_RETURN(bool more, reader.Next(&entry));
        if (!more) break;
        Cell& c = cells.emplace_back();
        c.partition = partition;
        c.period = period;
        c.series = entry.series;
        c.lines = entry.lines;
        for (size_t m = 0; m < kMetrics; ++m) {
          if (!entry.metrics[m]) continue;
          c.metrics[m] = *entry.metrics[m];
          c.present |= static_cast<uint8_t>(1u << m);
        }
      }
    }
    read.Reset();
    TALLY_RETURN_IF_ERROR(drop.Run());
    TALLY_ASSIGN_OR_RETURN(size_t count, SortAndSum(&cells));
    std::string block;
    int64_t previous = 0;
    for (const Cell& c : cells) AppendCell(c, &previous, &block);
    insert.BindInt(1, grain);
    insert.BindInt(2, period);
    insert.BindInt(3, partition);
    insert.BindInt(4, ingest_id);
    insert.BindInt(5, static_cast<int64_t>(count));
    TALLY_ASSIGN_OR_RETURN(const std::string data, PackBlock(grain, std::move(block)));
    insert.BindBlob(6, data.data(), static_cast<int>(data.size()));
    TALLY_RETURN_IF_ERROR(insert.Run());
  }
  return Status::Ok();
}

int64_t DayStart(int64_t t) { return t - ((t % 86400) + 86400) % 86400; }
int64_t MonthStart(int64_t t) {
  return Timestamp::FromUnixSeconds(t).StartOfMonth().unix_seconds();
}
int64_t NextMonthStart(int64_t t) { return MonthStart(MonthStart(t) + 32 * 86400); }

Status RollUpPartition(SqliteDb* db, int64_t partition_id, int64_t ingest_id,
                       size_t flush_cells) {
  LineFilter filter;
  filter.partition_id = partition_id;
  filter.ingest_id = ingest_id;
  CostRollupBuilder builder;
  int64_t chunk = 0;
  std::array<std::optional<Decimal>, kMetrics> metrics;
  TALLY_RETURN_IF_ERROR(ScanLineBlocks(db, filter, [&](const LineBlockInfo&, const StoredLine& line) {
    for (size_t m = 0; m < kMetrics; ++m) {
      if (!ReadPackedAt(line.amounts, DecimalIndex(kCostMetrics[m]), &metrics[m])) {
        return Internal("sqlite: the amounts of a cost line are corrupt");
      }
    }
    TALLY_RETURN_IF_ERROR(builder.Add(partition_id, line.series_id, line.start, metrics));
    if (builder.cells() >= flush_cells) return builder.Flush(db, ingest_id, &chunk);
    return Status::Ok();
  }));
  return builder.Flush(db, ingest_id, &chunk);
}

Status DropReplacedRollup(SqliteDb* db, int64_t partition_id, int64_t ingest_id) {
  TALLY_ASSIGN_OR_RETURN(Statement drop,
                         db->Prepare("DELETE FROM cost_rollup WHERE partition_id = ? AND "
                                     "ingest_id <> ?"));
  drop.BindInt(1, partition_id);
  drop.BindInt(2, ingest_id);
  return drop.Run();
}

Status RollUpAll(SqliteDb* db) {
  TALLY_RETURN_IF_ERROR(db->Exec("DELETE FROM cost_rollup"));
  TALLY_ASSIGN_OR_RETURN(
      Statement runs,
      db->Prepare("SELECT DISTINCT partition_id, ingest_id FROM cost_line_blocks"));
  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, runs.Step());
    if (!row) break;
    pairs.emplace_back(runs.Int(0), runs.Int(1));
  }
  std::set<int64_t> ingests;
  for (const auto& [partition, ingest] : pairs) {
    TALLY_RETURN_IF_ERROR(RollUpPartition(db, partition, ingest));
    ingests.insert(ingest);
  }
  for (int64_t ingest : ingests) TALLY_RETURN_IF_ERROR(CompactRollup(db, ingest));
  return Status::Ok();
}

}  // namespace tally::sqlite
