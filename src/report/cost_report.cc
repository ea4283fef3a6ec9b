#include "report/cost_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace tally {
namespace {

struct Sum {
  Decimal value;
  int64_t lines = 0;

  Status Add(const Decimal& v, int64_t n) {
    lines += n;
    if (!value.CheckedAdd(v)) return InvalidArgument("a cost sum overflows");
    return Status::Ok();
  }
};

struct Group {
  std::span<const uint32_t> keys;  // into the cells' key ids
  Sum total;
  std::map<int64_t, Sum> periods;
};

struct KeysHash {
  size_t operator()(std::span<const uint32_t> keys) const {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t k : keys) h = (h ^ k) * 0x100000001b3ull;
    return static_cast<size_t>(h);
  }
};
struct KeysEqual {
  bool operator()(std::span<const uint32_t> a, std::span<const uint32_t> b) const {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
};

// Key texts compare as the report prints them: null first, then by text.
bool KeysBefore(const CostCells& cells, std::span<const uint32_t> a, std::span<const uint32_t> b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == 0 || b[i] == 0) return a[i] == 0;
    return cells.texts[a[i]] < cells.texts[b[i]];
  }
  return false;
}

std::optional<std::string> PeriodText(int64_t period) {
  if (period == CostCells::kNoPeriod) return std::nullopt;
  return Timestamp::FromUnixSeconds(period).ToString();
}

}  // namespace

Result<CostTable> BuildCostTable(const CostQuery& query, const CostCells& cells) {
  CostTable table;
  table.metric = std::string(NameOf(query.metric));
  table.unknown_columns = cells.unknown_columns;
  const bool stepped = query.step != CostStep::kNone;
  if (stepped) table.columns.push_back("period");
  for (const GroupKey& k : query.group_by) table.columns.push_back(k.label);

  std::vector<Group> groups;
  std::unordered_map<std::span<const uint32_t>, size_t, KeysHash, KeysEqual> index;
  std::vector<bool> currencies(cells.texts.size());
  std::vector<Decimal> currency_totals(cells.texts.size());
  for (size_t c = 0; c < cells.cells.size(); ++c) {
    const CostCells::Cell& cell = cells.cells[c];
    const std::span<const uint32_t> keys = cells.KeysOf(c);
    auto [it, added] = index.emplace(keys, groups.size());
    if (added) groups.push_back(Group{keys, {}, {}});
    Group& group = groups[it->second];
    TALLY_RETURN_IF_ERROR(group.total.Add(cell.sum, cell.lines));
    TALLY_RETURN_IF_ERROR(group.periods[cell.period].Add(cell.sum, cell.lines));
    if (cell.currency < currencies.size()) {
      currencies[cell.currency] = true;
      if (!currency_totals[cell.currency].CheckedAdd(cell.sum)) {
        return InvalidArgument("the total overflows");
      }
    }
    table.lines += cell.lines;
    if (!table.total.CheckedAdd(cell.sum)) return InvalidArgument("the total overflows");
  }
  std::map<std::string, Decimal> by_currency;  // sorted by currency
  for (size_t c = 0; c < currencies.size(); ++c) {
    if (currencies[c]) by_currency[cells.texts[c]] += currency_totals[c];
  }
  for (const auto& [currency, total] : by_currency) {
    table.currencies.push_back(currency);
    table.per_currency.push_back(total);
  }

  std::sort(groups.begin(), groups.end(), [&](const Group& a, const Group& b) {
    if (a.total.value != b.total.value) return b.total.value < a.total.value;
    return KeysBefore(cells, a.keys, b.keys);
  });
  const size_t kept = query.top > 0 ? std::min(query.top, groups.size()) : groups.size();
  std::map<int64_t, Sum> other;
  for (size_t g = kept; g < groups.size(); ++g) {
    for (const auto& [period, sum] : groups[g].periods) {
      TALLY_RETURN_IF_ERROR(other[period].Add(sum.value, sum.lines));
    }
  }

  auto row_of = [&](const Group& group, int64_t period, const Sum& sum) {
    CostRow row;
    if (stepped) row.keys.push_back(PeriodText(period));
    for (uint32_t id : group.keys) {
      row.keys.push_back(id == 0 ? std::nullopt : std::optional<std::string>(cells.texts[id]));
    }
    row.value = sum.value;
    row.lines = sum.lines;
    return row;
  };
  auto other_row = [&](int64_t period, const Sum& sum) {
    CostRow row;
    row.other = true;
    if (stepped) row.keys.push_back(PeriodText(period));
    for (size_t i = 0; i < query.group_by.size(); ++i) {
      row.keys.push_back(i == 0 ? std::optional<std::string>("(other)") : std::nullopt);
    }
    row.value = sum.value;
    row.lines = sum.lines;
    return row;
  };
  // Every period in order (one, kNoPeriod, without a step), the kept groups in cost order.
  std::set<int64_t> periods;
  for (const Group& group : groups) {
    for (const auto& [period, sum] : group.periods) periods.insert(period);
  }
  for (int64_t period : periods) {
    for (size_t g = 0; g < kept; ++g) {
      auto it = groups[g].periods.find(period);
      if (it != groups[g].periods.end()) table.rows.push_back(row_of(groups[g], period, it->second));
    }
    if (auto it = other.find(period); it != other.end()) {
      table.rows.push_back(other_row(period, it->second));
    }
  }
  return table;
}

Result<CostTable> QueryCostTable(CostStore* store, const CostQuery& query) {
  TALLY_ASSIGN_OR_RETURN(CostCells cells, store->ScanCosts(query));
  return BuildCostTable(query, cells);
}

}  // namespace tally
