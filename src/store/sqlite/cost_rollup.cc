#include "store/sqlite/cost_rollup.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <tuple>
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
  int64_t partition, grain, period, series;
  bool operator==(const CellKey&) const = default;
  auto operator<=>(const CellKey&) const = default;
};
struct CellKeyHash {
  size_t operator()(const CellKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.series) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<uint64_t>(k.period) + 0x9E3779B9ull + (h << 6) + (h >> 2);
    h ^= static_cast<uint64_t>(k.partition) * 0xC2B2AE3D27D4EB4Full;
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
  Status Add(const Sums& other) {
    lines += other.lines;
    for (size_t m = 0; m < kMetrics; ++m) {
      if (other.metrics[m]) TALLY_RETURN_IF_ERROR(Add(m, *other.metrics[m]));
    }
    return Status::Ok();
  }
};

}  // namespace

struct CostRollupBuilder::Cells {
  std::unordered_map<CellKey, Sums, CellKeyHash> map;
};

CostRollupBuilder::CostRollupBuilder() : cells_(std::make_unique<Cells>()) {}
CostRollupBuilder::~CostRollupBuilder() = default;
CostRollupBuilder::CostRollupBuilder(CostRollupBuilder&&) noexcept = default;
CostRollupBuilder& CostRollupBuilder::operator=(CostRollupBuilder&&) noexcept = default;

Status CostRollupBuilder::Add(int64_t partition, int64_t series, std::optional<int64_t> start,
                              const std::array<std::optional<Decimal>, 4>& metrics) {
  for (int64_t grain : {kGrainDay, kGrainMonth}) {
    const int64_t period =
        !start ? kUndatedPeriod : grain == kGrainDay ? DayStart(*start) : MonthStart(*start);
    Sums& sums = cells_->map[CellKey{partition, grain, period, series}];
    ++sums.lines;
    for (size_t m = 0; m < kMetrics; ++m) {
      if (metrics[m]) TALLY_RETURN_IF_ERROR(sums.Add(m, *metrics[m]));
    }
  }
  return Status::Ok();
}

size_t CostRollupBuilder::cells() const { return cells_->map.size(); }

void CostRollupBuilder::Clear() { cells_->map.clear(); }

Status CostRollupBuilder::Flush(SqliteDb* db, int64_t ingest_id, int64_t* chunk) {
  if (cells_->map.empty()) return Status::Ok();
  TALLY_ASSIGN_OR_RETURN(
      Statement insert, db->Prepare("INSERT INTO cost_rollup(grain, period, partition_id, "
                                    "ingest_id, chunk, cells, data) VALUES(?, ?, ?, ?, ?, ?, ?)"));
  std::vector<std::pair<CellKey, Sums>> sorted(cells_->map.begin(), cells_->map.end());
  cells_->map.clear();

  // Blocks hold one (partition, grain, period) each, series ascending.
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.partition, a.first.grain, a.first.period, a.first.series) <
           std::tie(b.first.partition, b.first.grain, b.first.period, b.first.series);
  });
  for (size_t begin = 0; begin < sorted.size();) {
    const CellKey& first = sorted[begin].first;
    size_t end = begin;
    std::string block;
    int64_t previous = 0;
    for (; end < sorted.size() && sorted[end].first.partition == first.partition &&
           sorted[end].first.grain == first.grain && sorted[end].first.period == first.period;
         ++end) {
      const auto& [key, sums] = sorted[end];
      AppendVarint(static_cast<uint64_t>(key.series - previous), &block);
      previous = key.series;
      AppendVarint(static_cast<uint64_t>(sums.lines), &block);
      for (const auto& metric : sums.metrics) AppendDecimal(metric, &block);
    }
    insert.BindInt(1, first.grain);
    insert.BindInt(2, first.period);
    insert.BindInt(3, first.partition);
    insert.BindInt(4, ingest_id);
    insert.BindInt(5, *chunk);
    insert.BindInt(6, static_cast<int64_t>(end - begin));
    insert.BindBlob(7, block.data(), static_cast<int>(block.size()));
    TALLY_RETURN_IF_ERROR(insert.Run());
    begin = end;
  }
  ++*chunk;
  return Status::Ok();
}

namespace {

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
  CostRollupBuilder builder;
  int64_t chunk = 0;
  std::array<std::optional<Decimal>, kMetrics> metrics;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, scan.Step());
    if (!row) break;
    for (size_t m = 0; m < kMetrics; ++m) {
      TALLY_ASSIGN_OR_RETURN(metrics[m], ColumnDecimal(scan, static_cast<int>(2 + m)));
    }
    const std::optional<int64_t> start =
        scan.IsNull(1) ? std::nullopt : std::optional<int64_t>(scan.Int(1));
    TALLY_RETURN_IF_ERROR(builder.Add(partition_id, scan.Int(0), start, metrics));
    if (builder.cells() >= flush_cells) TALLY_RETURN_IF_ERROR(builder.Flush(db, ingest_id, &chunk));
  }
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
