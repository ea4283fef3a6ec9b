#include "store/sqlite/sqlite_cost_scan.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "model/extra_columns.h"
#include "model/json_object.h"
#include "store/sqlite/cost_rollup.h"
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/line_blocks.h"
#include "store/sqlite/packed.h"
#include "store/sqlite/series_columns.h"

namespace tally::sqlite {
namespace {

constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kNoPeriod = CostCells::kNoPeriod;

struct Sum {
  Decimal sum;
  int64_t lines = 0;
};

// A series in a period, and the line-level values a key needs: the charge period, extra columns.
struct LineKey {
  int64_t series = 0, period = kNoPeriod, start = kNoTime, end = kNoTime;
  std::vector<std::optional<std::string>> extras;  // one per kExtra key, in key order
  bool operator==(const LineKey&) const = default;
};
struct LineKeyHash {
  size_t operator()(const LineKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.series) * 0x9E3779B97F4A7C15ull;
    auto mix = [&h](uint64_t v) { h ^= v + 0x9E3779B9ull + (h << 6) + (h >> 2); };
    mix(static_cast<uint64_t>(k.period));
    mix(static_cast<uint64_t>(k.start));
    mix(static_cast<uint64_t>(k.end));
    for (const auto& e : k.extras) mix(e ? std::hash<std::string>{}(*e) : 0x5bd1e995u);
    return static_cast<size_t>(h);
  }
};

// The metric summed per LineKey. Keys that are a series alone (no period, no line-level value)
// are summed in a vector indexed by series id: a monthly report over 60,000 series allocates
// nothing per series.
class Sums {
 public:
  Status Add(LineKey&& key, const std::optional<Decimal>& value, int64_t lines) {
    if (key.period == kNoPeriod && key.start == kNoTime && key.end == kNoTime &&
        key.extras.empty()) {
      return AddSeries(key.series, value, lines);
    }
    if (key.series < 0) return Internal("sqlite: a negative series id");
    return AddTo(&by_key_[std::move(key)], value, lines);
  }

  // The same for a key that is a series alone (no period, no line-level value).
  Status AddSeries(int64_t series, const std::optional<Decimal>& value, int64_t lines) {
    if (series < 0) return Internal("sqlite: a negative series id");
    const auto index = static_cast<size_t>(series);
    if (index >= by_series_.size()) by_series_.resize(index + 1);
    return AddTo(&by_series_[index], value, lines);
  }

  // Calls f(key, sum) for every cell summed (in no particular order).
  template <typename F>
  Status ForEach(F f) const {
    LineKey key;
    for (size_t series = 0; series < by_series_.size(); ++series) {
      if (by_series_[series].lines == 0) continue;
      key.series = static_cast<int64_t>(series);
      TALLY_RETURN_IF_ERROR(f(key, by_series_[series]));
    }
    for (const auto& [k, sum] : by_key_) TALLY_RETURN_IF_ERROR(f(k, sum));
    return Status::Ok();
  }
  size_t size() const { return by_series_.size() + by_key_.size(); }
  // Sizes the per-series sums for every stored series at once (one allocation, not doubling).
  Status Reserve(SqliteDb* db) {
    TALLY_ASSIGN_OR_RETURN(Statement q, db->Prepare("SELECT MAX(id) FROM cost_series"));
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row && !q.IsNull(0) && q.Int(0) > 0 && q.Int(0) < (int64_t{1} << 32)) {
      by_series_.reserve(static_cast<size_t>(q.Int(0)) + 1);
    }
    return Status::Ok();
  }
  // The largest series id summed (0 when none).
  size_t max_series() const {
    size_t max = by_series_.empty() ? 0 : by_series_.size() - 1;
    for (const auto& [k, sum] : by_key_) max = std::max(max, static_cast<size_t>(k.series));
    return max;
  }

 private:
  static Status AddTo(Sum* cell, const std::optional<Decimal>& value, int64_t lines) {
    cell->lines += lines;
    if (value && !cell->sum.CheckedAdd(*value)) return InvalidArgument("a cost sum overflows");
    return Status::Ok();
  }

  std::vector<Sum> by_series_;
  std::unordered_map<LineKey, Sum, LineKeyHash> by_key_;
};

std::optional<std::string> TimeText(int64_t t) {
  if (t == kNoTime) return std::nullopt;
  return Timestamp::FromUnixSeconds(t).ToString();
}

// The start of the step's period holding `t`.
int64_t PeriodOf(CostStep step, int64_t t) {
  switch (step) {
    case CostStep::kNone:
      return kNoPeriod;
    case CostStep::kHour:
      return Timestamp::FromUnixSeconds(t).StartOfHour().unix_seconds();
    case CostStep::kDay:
      return DayStart(t);
    case CostStep::kMonth:
      return MonthStart(t);
  }
  return kNoPeriod;
}

// Where each extra key's column is in each file's declared extra columns.
class ExtraColumns {
 public:
  ExtraColumns(SqliteDb* db, std::vector<std::string> names) : db_(db), names_(std::move(names)) {}
  bool empty() const { return names_.empty(); }
  // The wanted names that no file scanned so far declared (none when no line was scanned: an
  // empty window says nothing about the columns).
  std::vector<std::string> Missing() const {
    std::vector<std::string> missing;
    if (positions_.empty()) return missing;
    for (size_t k = 0; k < names_.size(); ++k) {
      bool found = false;
      for (const auto& [file, positions] : positions_) found |= positions[k] >= 0;
      if (!found) missing.push_back(names_[k]);
    }
    return missing;
  }

  // The values of the wanted extra columns in a row of file `file_id`.
  Result<std::vector<std::optional<std::string>>> Values(int64_t file_id, std::string_view blob) {
    auto it = positions_.find(file_id);
    if (it == positions_.end()) {
      TALLY_ASSIGN_OR_RETURN(std::vector<int> positions, Load(file_id));
      it = positions_.emplace(file_id, std::move(positions)).first;
    }
    std::vector<std::optional<std::string>> values;
    for (int position : it->second) {
      std::optional<std::string_view> v;
      if (position >= 0) v = FindExtra(blob, static_cast<uint32_t>(position));
      values.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
    }
    return values;
  }

 private:
  Result<std::vector<int>> Load(int64_t file_id) {
    TALLY_ASSIGN_OR_RETURN(Statement q,
                           db_->Prepare("SELECT extra_columns FROM source_files WHERE id = ?"));
    q.BindInt(1, file_id);
    TALLY_ASSIGN_OR_RETURN(bool found, q.Step());
    nlohmann::json declared = found && !q.IsNull(0)
                                  ? nlohmann::json::parse(q.Text(0), nullptr, false)
                                  : nlohmann::json::array();
    std::vector<int> positions;
    for (const std::string& name : names_) {
      int position = -1;
      for (size_t i = 0; declared.is_array() && i < declared.size(); ++i) {
        if (declared[i].is_string() && declared[i].get<std::string>() == name) {
          position = static_cast<int>(i);
          break;
        }
      }
      positions.push_back(position);
    }
    return positions;
  }

  SqliteDb* db_;
  std::vector<std::string> names_;
  std::unordered_map<int64_t, std::vector<int>> positions_;
};


// A range of ChargePeriodStart: [lo, hi). With `undated`, lines with none count too.
struct Range {
  int64_t lo = kNoTime + 1, hi = std::numeric_limits<int64_t>::max();
  bool undated = false;
};

// Sums the metric per LineKey over the lines in `range`.
Status ScanLines(SqliteDb* db, const CostQuery& query, Range range, bool by_start, bool by_end,
                 ExtraColumns* extras, Sums* sums) {
  LineFilter filter;
  if (!range.undated) {
    filter.start_from = range.lo;
    filter.start_to = range.hi;
  }
  filter.extras = !extras->empty();
  const size_t metric = DecimalIndex(query.metric);
  return ScanLineBlocks(db, filter, [&](const LineBlockInfo& block, const StoredLine& line) {
    LineKey key;
    key.series = line.series_id;
    if (line.start) key.period = PeriodOf(query.step, *line.start);
    if (by_start && line.start) key.start = *line.start;
    if (by_end && line.end) key.end = *line.end;
    if (!extras->empty()) {
      TALLY_ASSIGN_OR_RETURN(key.extras, extras->Values(block.file_id, line.extras));
    }
    std::optional<Decimal> value;
    if (!ReadPackedAt(line.amounts, metric, &value)) {
      return Internal("sqlite: the amounts of a cost line are corrupt");
    }
    return sums->Add(std::move(key), value, 1);
  });
}

// Sums the metric per series and period from the rollup blocks of `grain` in `range`.
Status ScanRollup(SqliteDb* db, const CostQuery& query, int64_t grain, Range range, Sums* sums) {
  TALLY_ASSIGN_OR_RETURN(Statement scan,
                         db->Prepare("SELECT period, data FROM cost_rollup WHERE grain = ? AND "
                                     "period >= ? AND period < ?"));
  scan.BindInt(1, grain);
  scan.BindInt(2, range.undated ? kUndatedPeriod : range.lo);
  scan.BindInt(3, range.hi);
  size_t metric = 0;
  while (kCostMetrics[metric] != query.metric) ++metric;
  RollupBlockReader block(metric);
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, scan.Step());
    if (!row) break;
    TALLY_RETURN_IF_ERROR(db->CheckDeadline());
    const int64_t period = scan.Int(0);
    const bool by_series = query.step == CostStep::kNone || period == kUndatedPeriod;
    TALLY_RETURN_IF_ERROR(block.Load(grain, scan.Blob(1)));
    RollupBlockReader::Entry entry;
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool more, block.Next(&entry));
      if (!more) break;
      if (by_series) {  // most reports: no key to build
        TALLY_RETURN_IF_ERROR(sums->AddSeries(entry.series, entry.value, entry.lines));
        continue;
      }
      LineKey key;
      key.series = entry.series;
      if (period != kUndatedPeriod) key.period = PeriodOf(query.step, period);
      TALLY_RETURN_IF_ERROR(sums->Add(std::move(key), entry.value, entry.lines));
    }
  }
  return Status::Ok();
}

// Reads the window from the rollup where it covers whole months and days, and from the lines
// at its edges. Only for groupings the rollup can answer.
Status ScanWindow(SqliteDb* db, const CostQuery& query, ExtraColumns* no_extras, Sums* sums) {
  if (!query.from && !query.to) {
    Range all;
    all.undated = true;
    return ScanRollup(db, query, query.step == CostStep::kDay ? kGrainDay : kGrainMonth, all, sums);
  }
  Range window;
  if (query.from) window.lo = query.from->unix_seconds();
  if (query.to) window.hi = query.to->unix_seconds();
  auto lines = [&](int64_t lo, int64_t hi) {
    return lo < hi ? ScanLines(db, query, Range{lo, hi}, false, false, no_extras, sums)
                   : Status::Ok();
  };
  auto rollup = [&](int64_t grain, int64_t lo, int64_t hi) {
    return lo < hi ? ScanRollup(db, query, grain, Range{lo, hi}, sums) : Status::Ok();
  };
  // Whole days: [day_lo, day_hi).
  const int64_t day_lo = query.from && DayStart(window.lo) != window.lo
                             ? DayStart(window.lo) + 86400
                             : window.lo;
  const int64_t day_hi = query.to ? DayStart(window.hi) : window.hi;
  if (day_lo >= day_hi) return lines(window.lo, window.hi);
  TALLY_RETURN_IF_ERROR(lines(window.lo, day_lo));
  TALLY_RETURN_IF_ERROR(lines(day_hi, window.hi));
  if (query.step == CostStep::kDay) return rollup(kGrainDay, day_lo, day_hi);
  // Whole months within the days: [month_lo, month_hi).
  const int64_t month_lo =
      query.from && MonthStart(day_lo) != day_lo ? NextMonthStart(day_lo) : day_lo;
  const int64_t month_hi = query.to ? MonthStart(day_hi) : day_hi;
  if (month_lo >= month_hi) return rollup(kGrainDay, day_lo, day_hi);
  TALLY_RETURN_IF_ERROR(rollup(kGrainDay, day_lo, month_lo));
  TALLY_RETURN_IF_ERROR(rollup(kGrainDay, month_hi, day_hi));
  return rollup(kGrainMonth, month_lo, month_hi);
}

struct CellKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

// Interns texts as ids of CostCells::texts, and resolves dict ids and tags through it.
class Texts {
 public:
  Texts(SqliteDb* db, CostCells* cells) : db_(db), cells_(cells) {}

  uint32_t Intern(const std::optional<std::string>& text) {
    if (!text) return 0;
    auto [it, added] = ids_.emplace(*text, static_cast<uint32_t>(cells_->texts.size()));
    if (added) cells_->texts.push_back(*text);
    return it->second;
  }

  // The text id of a dict id (0 for null).
  Result<uint32_t> OfDict(int64_t id) {
    if (id == kNullValue) return 0u;
    if (id <= 0 || id > kMaxDictId) return Internal("sqlite: a series names a bad dict id");
    const auto index = static_cast<size_t>(id);
    if (index >= of_dict_.size()) of_dict_.resize(index + 1, kUnknown);
    if (of_dict_[index] != kUnknown) return of_dict_[index];
    TALLY_ASSIGN_OR_RETURN(std::string text, DictText(id));
    return of_dict_[index] = Intern(text);
  }

  // The text id of tag `tag` in the Tags JSON of dict id `tags_id`.
  Result<uint32_t> OfTag(int64_t tags_id, const std::string& tag) {
    if (tags_id == kNullValue) return 0u;
    const std::pair<int64_t, std::string> key(tags_id, tag);
    if (auto it = of_tag_.find(key); it != of_tag_.end()) return it->second;
    TALLY_ASSIGN_OR_RETURN(std::string tags, DictText(tags_id));
    return of_tag_[key] = Intern(JsonObjectValue(tags, tag));
  }

  const std::string& Text(uint32_t id) const { return cells_->texts[id]; }

 private:
  struct PairHash {
    size_t operator()(const std::pair<int64_t, std::string>& p) const {
      return std::hash<int64_t>{}(p.first) ^ (std::hash<std::string>{}(p.second) << 1);
    }
  };

  Result<std::string> DictText(int64_t id) {
    if (!lookup_) {
      TALLY_ASSIGN_OR_RETURN(lookup_, db_->Prepare("SELECT value FROM dict WHERE id = ?"));
    }
    lookup_->BindInt(1, id);
    TALLY_ASSIGN_OR_RETURN(bool found, lookup_->Step());
    std::string value = found ? std::string(lookup_->Text(0)) : std::string();
    lookup_->Reset();
    if (!found) return Internal("sqlite: dict id " + std::to_string(id) + " is missing");
    return value;
  }

  SqliteDb* db_;
  CostCells* cells_;
  std::unordered_map<std::string, uint32_t> ids_;
  static constexpr int64_t kMaxDictId = int64_t{1} << 32;
  static constexpr uint32_t kUnknown = UINT32_MAX;
  std::vector<uint32_t> of_dict_;  // by dict id: its text id, or kUnknown
  std::unordered_map<std::pair<int64_t, std::string>, uint32_t, PairHash> of_tag_;
  std::optional<Statement> lookup_;
};

// The series' values of a query's keys and filters, as text ids: `keys` holds width ids per
// series (line-level keys left 0), `currency` and `passes` one per series.
struct SeriesValues {
  size_t width = 0;
  std::vector<uint32_t> keys;
  std::vector<uint32_t> currency;
  std::vector<bool> passes;
};

// A series-level key bound to the column it reads.
struct BoundKey {
  const GroupKey* key = nullptr;
  const std::vector<int64_t>* column = nullptr;  // null for line-level keys
};

Result<uint32_t> ValueOf(const BoundKey& b, size_t series, Texts* texts) {
  if (b.column == nullptr) return 0u;
  if (series >= b.column->size()) {
    return Internal("sqlite: cost series " + std::to_string(series) + " has no columns");
  }
  const int64_t v = (*b.column)[series];
  const GroupKey& k = *b.key;
  if (k.kind == GroupKey::Kind::kTag) return texts->OfTag(v, k.name);
  if (k.column == FocusColumn::kBillingPeriodStart || k.column == FocusColumn::kBillingPeriodEnd) {
    return texts->Intern(v == kNullValue ? std::nullopt : TimeText(v));
  }
  return texts->OfDict(v);
}

// Resolves the series marked in `wanted` (index = series id).
Result<SeriesValues> ResolveSeries(SqliteDb* db, const CostQuery& query,
                                   const std::vector<bool>& wanted, Texts* texts) {
  std::unordered_map<std::string, std::vector<int64_t>> columns;
  auto bind = [&](const GroupKey& k) -> Result<BoundKey> {
    if (k.IsLineLevel()) return BoundKey{&k, nullptr};
    const std::string name =
        k.kind == GroupKey::Kind::kTag ? "Tags" : std::string(NameOf(k.column));
    auto it = columns.find(name);
    if (it == columns.end()) {
      TALLY_ASSIGN_OR_RETURN(std::vector<int64_t> values, ReadSeriesColumn(db, name));
      it = columns.emplace(name, std::move(values)).first;
    }
    return BoundKey{&k, &it->second};
  };
  GroupKey currency_key;
  currency_key.column = FocusColumn::kBillingCurrency;
  TALLY_ASSIGN_OR_RETURN(BoundKey currency, bind(currency_key));
  std::vector<BoundKey> keys, filters;
  for (const GroupKey& k : query.group_by) {
    TALLY_ASSIGN_OR_RETURN(BoundKey b, bind(k));
    keys.push_back(b);
  }
  for (const CostFilter& f : query.where) {
    TALLY_ASSIGN_OR_RETURN(BoundKey b, bind(f.key));
    filters.push_back(b);
  }
  SeriesValues out;
  out.width = keys.size();
  out.keys.resize(wanted.size() * out.width);
  out.currency.resize(wanted.size());
  out.passes.resize(wanted.size());
  for (size_t id = 0; id < wanted.size(); ++id) {
    if (!wanted[id]) continue;
    bool passes = true;
    for (size_t i = 0; i < filters.size() && passes; ++i) {
      TALLY_ASSIGN_OR_RETURN(uint32_t v, ValueOf(filters[i], id, texts));
      const std::string& text = texts->Text(v);
      passes = false;
      for (const std::string& value : query.where[i].values) passes |= value == text;
    }
    out.passes[id] = passes;
    if (!passes) continue;
    TALLY_ASSIGN_OR_RETURN(out.currency[id], ValueOf(currency, id, texts));
    for (size_t i = 0; i < keys.size(); ++i) {
      TALLY_ASSIGN_OR_RETURN(out.keys[id * out.width + i], ValueOf(keys[i], id, texts));
    }
  }
  return out;
}

}  // namespace

Result<CostCells> ScanCosts(SqliteDb* db, const CostQuery& query) {
  TALLY_RETURN_IF_ERROR(db->ReadMapped());
  for (const CostFilter& f : query.where) {
    if (f.key.IsLineLevel()) {
      return InvalidArgument("where: " + f.key.label +
                             " is kept per line and cannot filter; filter on a FOCUS dimension "
                             "or Tags.<key>");
    }
  }
  bool by_start = false, by_end = false;
  std::vector<std::string> extra_names;
  for (const GroupKey& k : query.group_by) {
    const bool column = k.kind == GroupKey::Kind::kColumn;
    by_start |= column && k.column == FocusColumn::kChargePeriodStart;
    by_end |= column && k.column == FocusColumn::kChargePeriodEnd;
    if (k.kind == GroupKey::Kind::kExtra) extra_names.push_back(k.name);
  }
  ExtraColumns extras(db, std::move(extra_names));
  Sums sums;
  TALLY_RETURN_IF_ERROR(sums.Reserve(db));
  if (by_start || by_end || !extras.empty() || query.step == CostStep::kHour) {
    Range range;
    range.undated = !query.from && !query.to;
    if (query.from) range.lo = query.from->unix_seconds();
    if (query.to) range.hi = query.to->unix_seconds();
    TALLY_RETURN_IF_ERROR(ScanLines(db, query, range, by_start, by_end, &extras, &sums));
  } else {
    TALLY_RETURN_IF_ERROR(ScanWindow(db, query, &extras, &sums));
  }

  CostCells out;
  out.width = query.group_by.size();
  out.unknown_columns = extras.Missing();
  Texts texts(db, &out);
  std::vector<bool> wanted(sums.max_series() + 1);
  TALLY_RETURN_IF_ERROR(sums.ForEach([&](const LineKey& key, const Sum&) {
    wanted[key.series] = true;
    return Status::Ok();
  }));
  TALLY_ASSIGN_OR_RETURN(SeriesValues series, ResolveSeries(db, query, wanted, &texts));
  // Cells with the same key ids, period and currency are summed here: a monthly report over
  // 60,000 series hands the report a few dozen cells, not 60,000.
  std::unordered_map<std::string, size_t, CellKeyHash, std::equal_to<>> cell_of;
  std::string cell_key;
  std::vector<uint32_t> ids(out.width);
  TALLY_RETURN_IF_ERROR(sums.ForEach([&](const LineKey& key, const Sum& sum) {
    const auto id = static_cast<size_t>(key.series);
    if (!series.passes[id]) return Status::Ok();
    for (size_t i = 0, extra = 0; i < out.width; ++i) {
      const GroupKey& k = query.group_by[i];
      if (k.kind == GroupKey::Kind::kExtra) {
        ids[i] = texts.Intern(key.extras[extra++]);
      } else if (k.IsLineLevel()) {
        ids[i] = texts.Intern(
            TimeText(k.column == FocusColumn::kChargePeriodStart ? key.start : key.end));
      } else {
        ids[i] = series.keys[id * series.width + i];
      }
    }
    const uint32_t currency = series.currency[id];
    cell_key.assign(reinterpret_cast<const char*>(&key.period), sizeof key.period);
    cell_key.append(reinterpret_cast<const char*>(&currency), sizeof currency);
    cell_key.append(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(uint32_t));
    auto [it, added] = cell_of.try_emplace(cell_key, out.cells.size());
    if (added) {
      out.keys.insert(out.keys.end(), ids.begin(), ids.end());
      out.cells.push_back(CostCells::Cell{key.period, currency, sum.sum, sum.lines});
      return Status::Ok();
    }
    CostCells::Cell& cell = out.cells[it->second];
    cell.lines += sum.lines;
    if (!cell.sum.CheckedAdd(sum.sum)) return InvalidArgument("a cost sum overflows");
    return Status::Ok();
  }));
  return out;
}

}  // namespace tally::sqlite
