#include "store/sqlite/cost_rollup.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/packed.h"
#include "tally/focus_schema.h"
#include "tally/time.h"

namespace tally::sqlite {
namespace {

constexpr size_t kMetrics = std::size(kCostMetrics);

struct CellKey {
  int64_t grain, period, series;
  bool operator==(const CellKey&) const = default;
  auto operator<=>(const CellKey&) const = default;
};
struct CellKeyHash {
  size_t operator()(const CellKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.series) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<uint64_t>(k.period) + 0x9E3779B9ull + (h << 6) + (h >> 2);
    return static_cast<size_t>(h ^ static_cast<uint64_t>(k.grain));
  }
};
struct Sums {
  int64_t lines = 0;
  std::array<std::optional<Decimal>, kMetrics> metrics;  // null while no line had a value

  Status Add(size_t m, const Decimal& value) {
    if (!metrics[m]) {
      metrics[m] = value;
    } else if (!metrics[m]->CheckedAdd(value)) {
      return InvalidArgument("sqlite: the sum of " + std::string(NameOf(kCostMetrics[m])) +
                             " in one day of one series overflows");
    }
    return Status::Ok();
  }
};

// Writes cells out as blocks, one per grain, period and flush.
class RollupWriter {
 public:
  RollupWriter(SqliteDb* db, int64_t partition_id, int64_t ingest_id, size_t flush_cells)
      : db_(db), partition_id_(partition_id), ingest_id_(ingest_id), flush_cells_(flush_cells) {}

  Status Add(int64_t series, std::optional<int64_t> start, const Sums& line) {
    for (int64_t grain : {kGrainDay, kGrainMonth}) {
      const int64_t period =
          !start ? kUndatedPeriod : grain == kGrainDay ? DayStart(*start) : MonthStart(*start);
      Sums& sums = cells_[CellKey{grain, period, series}];
      sums.lines += line.lines;
      for (size_t m = 0; m < kMetrics; ++m) {
        if (line.metrics[m]) TALLY_RETURN_IF_ERROR(sums.Add(m, *line.metrics[m]));
      }
    }
    if (cells_.size() >= flush_cells_) return Flush();
    return Status::Ok();
  }

  Status Flush() {
    if (cells_.empty()) return Status::Ok();
    if (!insert_) {
      TALLY_ASSIGN_OR_RETURN(
          insert_, db_->Prepare("INSERT INTO cost_rollup(grain, period, partition_id, ingest_id, "
                                "chunk, cells, data) VALUES(?, ?, ?, ?, ?, ?, ?)"));
    }
    std::vector<std::pair<CellKey, Sums>> sorted(cells_.begin(), cells_.end());
    cells_.clear();
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t begin = 0; begin < sorted.size();) {
      const CellKey& first = sorted[begin].first;
      size_t end = begin;
      std::string block;
      int64_t previous = 0;
      for (; end < sorted.size() && sorted[end].first.grain == first.grain &&
             sorted[end].first.period == first.period;
           ++end) {
        const auto& [key, sums] = sorted[end];
        AppendVarint(static_cast<uint64_t>(key.series - previous), &block);
        previous = key.series;
        AppendVarint(static_cast<uint64_t>(sums.lines), &block);
        for (const auto& metric : sums.metrics) AppendDecimal(metric, &block);
      }
      Statement& s = *insert_;
      s.BindInt(1, first.grain);
      s.BindInt(2, first.period);
      s.BindInt(3, partition_id_);
      s.BindInt(4, ingest_id_);
      s.BindInt(5, chunk_);
      s.BindInt(6, static_cast<int64_t>(end - begin));
      s.BindBlob(7, block.data(), static_cast<int>(block.size()));
      TALLY_RETURN_IF_ERROR(s.Run());
      begin = end;
    }
    ++chunk_;
    return Status::Ok();
  }

 private:
  SqliteDb* db_;
  int64_t partition_id_, ingest_id_;
  size_t flush_cells_;
  int64_t chunk_ = 0;
  std::unordered_map<CellKey, Sums, CellKeyHash> cells_;
  std::optional<Statement> insert_;
};

std::string MetricList() {
  std::string s;
  for (FocusColumn m : kCostMetrics) (s += ", ") += NameOf(m);
  return s;
}

}  // namespace

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
    const bool ok = m == metric_ ? ReadDecimal(block_, &pos_, &entry->value)
                                 : SkipDecimal(block_, &pos_);
    if (!ok) return corrupt();
  }
  return true;
}

int64_t DayStart(int64_t t) { return t - ((t % 86400) + 86400) % 86400; }
int64_t MonthStart(int64_t t) {
  return Timestamp::FromUnixSeconds(t).StartOfMonth().unix_seconds();
}
int64_t NextMonthStart(int64_t t) { return MonthStart(MonthStart(t) + 32 * 86400); }

Status RollUpPartition(SqliteDb* db, int64_t partition_id, int64_t ingest_id,
                       size_t flush_cells) {
  TALLY_ASSIGN_OR_RETURN(Statement scan,
                         db->Prepare("SELECT series_id, ChargePeriodStart" + MetricList() +
                                     " FROM cost_lines WHERE partition_id = ? AND ingest_id = ?"));
  scan.BindInt(1, partition_id);
  scan.BindInt(2, ingest_id);
  RollupWriter writer(db, partition_id, ingest_id, flush_cells);
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, scan.Step());
    if (!row) break;
    Sums line;
    line.lines = 1;
    for (size_t m = 0; m < kMetrics; ++m) {
      TALLY_ASSIGN_OR_RETURN(line.metrics[m], ColumnDecimal(scan, static_cast<int>(2 + m)));
    }
    const std::optional<int64_t> start =
        scan.IsNull(1) ? std::nullopt : std::optional<int64_t>(scan.Int(1));
    TALLY_RETURN_IF_ERROR(writer.Add(scan.Int(0), start, line));
  }
  return writer.Flush();
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
  TALLY_ASSIGN_OR_RETURN(
      Statement runs, db->Prepare("SELECT DISTINCT partition_id, ingest_id FROM cost_lines"));
  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, runs.Step());
    if (!row) break;
    pairs.emplace_back(runs.Int(0), runs.Int(1));
  }
  for (const auto& [partition, ingest] : pairs) {
    TALLY_RETURN_IF_ERROR(RollUpPartition(db, partition, ingest));
  }
  return Status::Ok();
}

}  // namespace tally::sqlite
