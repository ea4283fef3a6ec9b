#include "store/sqlite/sqlite_cost_query.h"

#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_map>

#include "model/extra_columns.h"
#include "model/json_object.h"
#include "store/sqlite/decimal_codec.h"

namespace tally::sqlite {
namespace {

constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

struct Cell {
  Decimal sum;
  int64_t lines = 0;
};

// A series, and the line-level values a key needs: the charge period, extra columns.
struct LineKey {
  int64_t series = 0, start = kNoTime, end = kNoTime;
  std::vector<std::optional<std::string>> extras;  // one per kExtra key, in key order
  bool operator==(const LineKey&) const = default;
};
struct LineKeyHash {
  size_t operator()(const LineKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.series) * 0x9E3779B97F4A7C15ull;
    auto mix = [&h](uint64_t v) { h ^= v + 0x9E3779B9ull + (h << 6) + (h >> 2); };
    mix(static_cast<uint64_t>(k.start));
    mix(static_cast<uint64_t>(k.end));
    for (const auto& e : k.extras) mix(e ? std::hash<std::string>{}(*e) : 0x5bd1e995u);
    return static_cast<size_t>(h);
  }
};
using Cells = std::unordered_map<LineKey, Cell, LineKeyHash>;

using GroupValues = std::vector<std::optional<std::string>>;

bool IsLineLevel(const GroupKey& key) {
  return key.kind == GroupKey::Kind::kExtra ||
         (key.kind == GroupKey::Kind::kColumn && (key.column == FocusColumn::kChargePeriodStart ||
                                                  key.column == FocusColumn::kChargePeriodEnd));
}

std::optional<std::string> TimeText(int64_t t) {
  if (t == kNoTime) return std::nullopt;
  return Timestamp::FromUnixSeconds(t).ToString();
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

// Sums the metric per LineKey over the lines in the query's window.
Result<Cells> ScanLines(SqliteDb* db, const CostQuery& query, bool by_start, bool by_end,
                        ExtraColumns* extras) {
  std::string sql = "SELECT series_id, ChargePeriodStart, ChargePeriodEnd, " +
                    std::string(NameOf(query.metric)) + ", file_id, extras FROM cost_lines";
  std::vector<int64_t> params;
  if (query.from || query.to) {
    sql += " WHERE ChargePeriodStart IS NOT NULL";
    if (query.from) {
      sql += " AND ChargePeriodStart >= ?";
      params.push_back(query.from->unix_seconds());
    }
    if (query.to) {
      sql += " AND ChargePeriodStart < ?";
      params.push_back(query.to->unix_seconds());
    }
  }
  TALLY_ASSIGN_OR_RETURN(Statement scan, db->Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) scan.BindInt(static_cast<int>(i + 1), params[i]);
  Cells cells;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, scan.Step());
    if (!row) break;
    LineKey key;
    key.series = scan.Int(0);
    if (by_start && !scan.IsNull(1)) key.start = scan.Int(1);
    if (by_end && !scan.IsNull(2)) key.end = scan.Int(2);
    if (!extras->empty()) {
      TALLY_ASSIGN_OR_RETURN(key.extras, extras->Values(scan.Int(4), scan.Blob(5)));
    }
    Cell& cell = cells[key];
    ++cell.lines;
    TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> value, ColumnDecimal(scan, 3));
    if (value && !cell.sum.CheckedAdd(*value)) {
      return InvalidArgument("sum of " + std::string(NameOf(query.metric)) + " overflows");
    }
  }
  return cells;
}

// Turns series ids into their group values (line-level keys stay empty here).
class SeriesResolver {
 public:
  SeriesResolver(SqliteDb* db, const CostQuery& query) : db_(db), query_(query) {}

  // BillingCurrency values of the series resolved so far.
  const std::set<std::string>& currencies() const { return currencies_; }

  Result<std::unordered_map<int64_t, GroupValues>> Resolve(const Cells& cells) {
    std::unordered_map<int64_t, GroupValues> out;
    for (const auto& [key, cell] : cells) out.emplace(key.series, GroupValues());
    std::string sql = "SELECT id, BillingPeriodStart, BillingPeriodEnd, BillingCurrency";
    for (const GroupKey& k : query_.group_by) {
      bool dim =
          k.kind == GroupKey::Kind::kTag || (k.kind == GroupKey::Kind::kColumn && !IsLineLevel(k) &&
                                             InfoOf(k.column).type != FocusType::kDateTime);
      sql += ", " + std::string(dim ? (k.kind == GroupKey::Kind::kTag ? "Tags" : NameOf(k.column))
                                    : "NULL");
    }
    TALLY_ASSIGN_OR_RETURN(Statement series, db_->Prepare(sql + " FROM cost_series"));
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool row, series.Step());
      if (!row) break;
      auto it = out.find(series.Int(0));
      if (it == out.end()) continue;
      GroupValues& values = it->second;
      for (size_t i = 0; i < query_.group_by.size(); ++i) {
        TALLY_ASSIGN_OR_RETURN(std::optional<std::string> v,
                               ValueOf(query_.group_by[i], series, static_cast<int>(4 + i)));
        values.push_back(std::move(v));
      }
      TALLY_ASSIGN_OR_RETURN(const std::string* currency, Text(series, 3));
      currencies_.insert(currency == nullptr ? std::string() : *currency);
    }
    return out;
  }

 private:
  Result<std::optional<std::string>> ValueOf(const GroupKey& key, const Statement& row, int col) {
    switch (key.kind) {
      case GroupKey::Kind::kTag: {
        TALLY_ASSIGN_OR_RETURN(const std::string* tags, Text(row, col));
        if (tags == nullptr) return std::optional<std::string>();
        return JsonObjectValue(*tags, key.name);
      }
      case GroupKey::Kind::kExtra:  // line-level: filled from the scan
        return std::optional<std::string>();
      case GroupKey::Kind::kColumn:
        if (key.column == FocusColumn::kBillingPeriodStart) {
          return row.IsNull(1) ? std::nullopt : TimeText(row.Int(1));
        }
        if (key.column == FocusColumn::kBillingPeriodEnd) {
          return row.IsNull(2) ? std::nullopt : TimeText(row.Int(2));
        }
        if (IsLineLevel(key)) return std::optional<std::string>();
        TALLY_ASSIGN_OR_RETURN(const std::string* text, Text(row, col));
        if (text == nullptr) return std::optional<std::string>();
        return std::optional<std::string>(*text);
    }
    return std::optional<std::string>();
  }

  // The dict text of the id in column `col`; nullptr for NULL.
  Result<const std::string*> Text(const Statement& row, int col) {
    if (row.IsNull(col)) return static_cast<const std::string*>(nullptr);
    int64_t id = row.Int(col);
    if (auto it = dict_.find(id); it != dict_.end()) return &it->second;
    if (!lookup_) {
      TALLY_ASSIGN_OR_RETURN(lookup_, db_->Prepare("SELECT value FROM dict WHERE id = ?"));
    }
    lookup_->BindInt(1, id);
    TALLY_ASSIGN_OR_RETURN(bool found, lookup_->Step());
    std::string value = found ? std::string(lookup_->Text(0)) : std::string();
    lookup_->Reset();
    if (!found) return Internal("sqlite: dict id " + std::to_string(id) + " is missing");
    return &dict_.emplace(id, std::move(value)).first->second;
  }

  SqliteDb* db_;
  const CostQuery& query_;
  std::set<std::string> currencies_;
  std::unordered_map<int64_t, std::string> dict_;
  std::optional<Statement> lookup_;
};

}  // namespace

Result<CostTable> QueryCosts(SqliteDb* db, const CostQuery& query) {
  bool by_start = false, by_end = false;
  std::vector<std::string> extra_names;
  for (const GroupKey& k : query.group_by) {
    const bool column = k.kind == GroupKey::Kind::kColumn;
    by_start |= column && k.column == FocusColumn::kChargePeriodStart;
    by_end |= column && k.column == FocusColumn::kChargePeriodEnd;
    if (k.kind == GroupKey::Kind::kExtra) extra_names.push_back(k.name);
  }
  ExtraColumns extras(db, std::move(extra_names));
  TALLY_ASSIGN_OR_RETURN(Cells cells, ScanLines(db, query, by_start, by_end, &extras));
  SeriesResolver resolver(db, query);
  TALLY_ASSIGN_OR_RETURN(auto series_values, resolver.Resolve(cells));

  std::map<GroupValues, Cell> groups;
  for (const auto& [key, cell] : cells) {
    GroupValues values = series_values[key.series];
    if (values.size() != query.group_by.size()) {
      return Internal("sqlite: cost line of series " + std::to_string(key.series) +
                      " has no cost_series row");
    }
    for (size_t i = 0, extra = 0; i < query.group_by.size(); ++i) {
      const GroupKey& k = query.group_by[i];
      if (k.kind == GroupKey::Kind::kExtra) {
        values[i] = key.extras[extra++];
      } else if (IsLineLevel(k)) {
        values[i] = TimeText(k.column == FocusColumn::kChargePeriodStart ? key.start : key.end);
      }
    }
    Cell& group = groups[values];
    group.lines += cell.lines;
    if (!group.sum.CheckedAdd(cell.sum)) return InvalidArgument("sum overflows");
  }
  CostTable table;
  table.metric = std::string(NameOf(query.metric));
  table.currencies.assign(resolver.currencies().begin(), resolver.currencies().end());
  table.unknown_columns = extras.Missing();
  for (const GroupKey& k : query.group_by) table.columns.push_back(k.label);
  for (auto& [values, cell] : groups) {
    table.rows.push_back(CostRow{values, cell.sum, cell.lines});
    table.lines += cell.lines;
    if (!table.total.CheckedAdd(cell.sum)) return InvalidArgument("total overflows");
  }
  return table;
}

}  // namespace tally::sqlite
