#include "store/clickhouse/clickhouse_cost_scan.h"

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/clickhouse/clickhouse_schema.h"
#include "store/clickhouse/tsv.h"
#include "store/sqlite/cost_rollup.h"

namespace tally::clickhouse {
namespace {

std::string Int(int64_t v) { return std::to_string(v); }

// The floor of `column` to a multiple of `step` seconds, kNoTime kept.
std::string Floor(const std::string& column, int64_t step) {
  const std::string s = Int(step);
  return "if(" + column + " = " + Int(kNoTime) + ", " + column + ", " + column + " - ((" + column +
         " % " + s + ") + " + s + ") % " + s + ")";
}

bool IsTime(const GroupKey& k) {
  return k.kind == GroupKey::Kind::kColumn && InfoOf(k.column).type == FocusType::kDateTime;
}

// A key's value as the query returns it: text, or null.
std::string KeyExpression(const GroupKey& k) {
  switch (k.kind) {
    case GroupKey::Kind::kTag:
      return "if(has(tag_keys, " + SqlString(k.name) + "), tag_values[indexOf(tag_keys, " +
             SqlString(k.name) + ")], NULL)";
    case GroupKey::Kind::kExtra:
      return "if(has(extra_names, " + SqlString(k.name) + "), extra_values[indexOf(extra_names, " +
             SqlString(k.name) + ")], NULL)";
    case GroupKey::Kind::kColumn:
      if (IsTime(k)) return Column(k.column);  // unix seconds, kNoTime for null
      return "nullIf(" + Column(k.column) + ", '')";
  }
  return "NULL";
}

// A filter on a series-level key: its text ("" for null) is one of the values.
std::string FilterCondition(const CostFilter& f) {
  std::string list;
  auto add = [&](const std::string& literal) { list += (list.empty() ? "" : ", ") + literal; };
  if (IsTime(f.key)) {  // compared as texts on SQLite: only a canonical timestamp matches
    for (const std::string& v : f.values) {
      if (v.empty()) {
        add(Int(kNoTime));
        continue;
      }
      auto t = ParseTimestamp(v);
      if (t.ok() && t->ToString() == v) add(Int(t->unix_seconds()));
    }
    return list.empty() ? "0" : Column(f.key.column) + " IN (" + list + ")";
  }
  for (const std::string& v : f.values) add(SqlString(v));
  return "ifNull(" + KeyExpression(f.key) + ", '') IN (" + list + ")";
}

std::optional<std::string> TimeText(const std::optional<std::string>& seconds) {
  if (!seconds) return std::nullopt;
  const int64_t t = std::atoll(seconds->c_str());
  if (t == kNoTime) return std::nullopt;
  return Timestamp::FromUnixSeconds(t).ToString();
}

// The files scanned by `where`, with their declared extra column names, from the companion.
Result<std::vector<std::string>> MissingExtras(ClickHouseClient* client,
                                               sqlite::SqliteDb* companion,
                                               const std::string& where,
                                               const std::vector<std::string>& wanted) {
  TALLY_ASSIGN_OR_RETURN(std::string files,
                         client->Query(0, "SELECT DISTINCT file_id FROM " + CostTable() +
                                              " WHERE " + where + " FORMAT TabSeparated"));
  if (files.empty()) return std::vector<std::string>{};
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement declared,
                         companion->Prepare("SELECT extra_columns FROM source_files WHERE id = ?"));
  std::set<std::string> names;
  Status status = ForEachTsvLine(files, [&](const std::vector<std::optional<std::string>>& f) {
    declared.BindInt(1, std::atoll(f[0].value_or("0").c_str()));
    TALLY_ASSIGN_OR_RETURN(bool row, declared.Step());
    if (row && !declared.IsNull(0)) {
      const nlohmann::json list = nlohmann::json::parse(declared.Text(0), nullptr, false);
      for (size_t i = 0; list.is_array() && i < list.size(); ++i) {
        if (list[i].is_string()) names.insert(list[i].get<std::string>());
      }
    }
    declared.Reset();
    return Status::Ok();
  });
  TALLY_RETURN_IF_ERROR(status);
  std::vector<std::string> missing;
  for (const std::string& name : wanted) {
    if (!names.contains(name)) missing.push_back(name);
  }
  return missing;
}

}  // namespace

std::string LiveRuns::Condition() const {
  if (partitions.empty()) return "0";
  std::string out = "(partition_id, ingest_id) IN (";
  for (size_t i = 0; i < partitions.size(); ++i) {
    out += (i ? ",(" : "(") + Int(partitions[i].first) + "," + Int(partitions[i].second) + ")";
  }
  out += ")";
  if (!abandoned.empty()) {
    out += " AND (ingest_id, file_id) NOT IN (";
    for (size_t i = 0; i < abandoned.size(); ++i) {
      out += (i ? ",(" : "(") + Int(abandoned[i].first) + "," + Int(abandoned[i].second) + ")";
    }
    out += ")";
  }
  return out;
}

Result<LiveRuns> LoadLiveRuns(sqlite::SqliteDb* companion) {
  LiveRuns live;
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement parts,
                         companion->Prepare("SELECT id, ingest_id FROM billing_partitions "
                                            "ORDER BY id"));
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, parts.Step());
    if (!row) break;
    live.partitions.emplace_back(parts.Int(0), parts.Int(1));
  }
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement files,
                         companion->Prepare("SELECT ingest_id, id FROM source_files WHERE "
                                            "abandoned = 1 AND ingest_id IN (SELECT ingest_id "
                                            "FROM billing_partitions)"));
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, files.Step());
    if (!row) break;
    live.abandoned.emplace_back(files.Int(0), files.Int(1));
  }
  return live;
}

Result<CostCells> ScanCosts(ClickHouseClient* client, sqlite::SqliteDb* companion,
                            const CostQuery& query) {
  for (const CostFilter& f : query.where) {
    if (f.key.IsLineLevel()) {
      return InvalidArgument("where: " + f.key.label +
                             " is kept per line and cannot filter; filter on a FOCUS dimension "
                             "or Tags.<key>");
    }
  }
  TALLY_ASSIGN_OR_RETURN(LiveRuns live, LoadLiveRuns(companion));
  const std::string start = Column(FocusColumn::kChargePeriodStart);
  std::string where = live.Condition();
  if (query.from || query.to) where += " AND " + start + " != " + Int(kNoTime);
  if (query.from) where += " AND " + start + " >= " + Int(query.from->unix_seconds());
  if (query.to) where += " AND " + start + " < " + Int(query.to->unix_seconds());
  for (const CostFilter& f : query.where) where += " AND " + FilterCondition(f);

  std::string period = Int(CostCells::kNoPeriod);
  if (query.step == CostStep::kHour) period = Floor(start, 3600);
  // Months are merged from days below, with the same calendar as SQLite's.
  if (query.step == CostStep::kDay || query.step == CostStep::kMonth) period = Floor(start, 86400);
  // Aliases: 18.16 groups by names, not positions.
  std::string select = period + " AS p_, " + Column(FocusColumn::kBillingCurrency) + " AS c_";
  std::string group = "p_, c_";
  std::vector<std::string> extras;
  for (size_t i = 0; i < query.group_by.size(); ++i) {
    select +=
        ", " + KeyExpression(query.group_by[i]) + " AS k" + Int(static_cast<int64_t>(i)) + "_";
    group += ", k" + Int(static_cast<int64_t>(i)) + "_";
    if (query.group_by[i].kind == GroupKey::Kind::kExtra) extras.push_back(query.group_by[i].name);
  }
  const std::string metric = Column(query.metric);
  TALLY_ASSIGN_OR_RETURN(
      std::string body,
      client->Query(0, "SELECT " + select + ", sum(" + metric + "), count() FROM " + CostTable() +
                           " WHERE " + where + " GROUP BY " + group + " FORMAT TabSeparated"));
  CostCells out;
  out.width = query.group_by.size();
  std::unordered_map<std::string, uint32_t> ids;
  auto intern = [&](const std::optional<std::string>& text) -> uint32_t {
    if (!text) return 0;
    auto [it, added] = ids.emplace(*text, static_cast<uint32_t>(out.texts.size()));
    if (added) out.texts.push_back(*text);
    return it->second;
  };
  const size_t fields = 2 + out.width + 2;
  Status status = ForEachTsvLine(body, [&](const std::vector<std::optional<std::string>>& f) {
    if (f.size() != fields) return Internal("clickhouse: a scan answered a malformed row");
    CostCells::Cell cell;
    const int64_t p = std::atoll(f[0].value_or("0").c_str());
    cell.period = p == kNoTime ? CostCells::kNoPeriod : p;
    if (query.step == CostStep::kMonth && cell.period != CostCells::kNoPeriod) {
      cell.period = sqlite::MonthStart(cell.period);
    }
    cell.currency = intern(f[1] && !f[1]->empty() ? f[1] : std::nullopt);
    for (size_t i = 0; i < out.width; ++i) {
      const std::optional<std::string>& v = f[2 + i];
      out.keys.push_back(intern(IsTime(query.group_by[i]) ? TimeText(v) : v));
    }
    if (f[2 + out.width]) {
      TALLY_ASSIGN_OR_RETURN(cell.sum, Decimal::Parse(*f[2 + out.width]));
    }
    cell.lines = std::atoll(f[3 + out.width].value_or("0").c_str());
    out.cells.push_back(cell);
    return Status::Ok();
  });
  TALLY_RETURN_IF_ERROR(status);
  if (!extras.empty()) {
    TALLY_ASSIGN_OR_RETURN(out.unknown_columns, MissingExtras(client, companion, where, extras));
  }
  return out;
}

Result<std::vector<AllocationCostLine>> LoadBillLines(ClickHouseClient* client,
                                                      const LiveRuns& live, TimeWindow window) {
  const std::string start = Column(FocusColumn::kChargePeriodStart);
  const std::string end = Column(FocusColumn::kChargePeriodEnd);
  const std::string cost = Column(FocusColumn::kEffectiveCost);
  std::string sql =
      "SELECT " + Column(FocusColumn::kProviderName) + ", " +
      Column(FocusColumn::kBillingAccountId) + ", " + Column(FocusColumn::kServiceName) + ", " +
      Column(FocusColumn::kBillingCurrency) + ", " + Column(FocusColumn::kResourceId) + ", " +
      Column(FocusColumn::kSkuMeter) + ", " + Column(FocusColumn::kSkuId) + ", " +
      Column(FocusColumn::kTags) + ", " + start + ", " + end + ", " + cost + " FROM " +
      CostTable() + " WHERE " + live.Condition() + " AND " + cost + " IS NOT NULL AND " + start +
      " != " + Int(kNoTime) + " AND " + end + " != " + Int(kNoTime) + " AND " + start + " < " +
      Int(window.end.unix_seconds()) + " AND " + end + " > " + Int(window.start.unix_seconds()) +
      " ORDER BY ingest_id, file_id, line FORMAT TabSeparated";
  TALLY_ASSIGN_OR_RETURN(std::string body, client->Query(0, sql));
  std::vector<AllocationCostLine> lines;
  Status status = ForEachTsvLine(body, [&](const std::vector<std::optional<std::string>>& f) {
    if (f.size() != 11) return Internal("clickhouse: a bill line came back malformed");
    AllocationCostLine line;
    line.source = f[0].value_or("");
    line.account = f[1].value_or("");
    line.service = f[2].value_or("");
    line.currency = f[3].value_or("");
    line.resource_id = f[4].value_or("");
    line.usage_type = f[5].value_or("");
    if (line.usage_type.empty()) line.usage_type = f[6].value_or("");
    const std::string tags = f[7].value_or("");
    if (!tags.empty()) {
      const nlohmann::json parsed = nlohmann::json::parse(tags, nullptr, false);
      if (parsed.is_object()) {
        for (const auto& [k, v] : parsed.items()) {
          line.tags.emplace(k, v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
    }
    line.start = Timestamp::FromUnixSeconds(std::atoll(f[8].value_or("0").c_str()));
    line.end = Timestamp::FromUnixSeconds(std::atoll(f[9].value_or("0").c_str()));
    TALLY_ASSIGN_OR_RETURN(line.cost, Decimal::Parse(f[10].value_or("0")));
    lines.push_back(std::move(line));
    return Status::Ok();
  });
  TALLY_RETURN_IF_ERROR(status);
  return lines;
}

Result<std::optional<std::pair<int64_t, int64_t>>> ChargeSpan(ClickHouseClient* client,
                                                              const LiveRuns& live) {
  const std::string start = Column(FocusColumn::kChargePeriodStart);
  const std::string end = Column(FocusColumn::kChargePeriodEnd);
  TALLY_ASSIGN_OR_RETURN(
      std::string body,
      client->Query(0, "SELECT count(), minIf(" + start + ", " + start + " != " + Int(kNoTime) +
                           "), maxIf(" + end + ", " + end + " != " + Int(kNoTime) + ") FROM " +
                           CostTable() + " WHERE " + live.Condition() + " AND (" + start +
                           " != " + Int(kNoTime) + " OR " + end + " != " + Int(kNoTime) +
                           ") FORMAT TabSeparated"));
  std::vector<std::optional<std::string>> f;
  SplitTsvLine(body.substr(0, body.find('\n')), &f);
  if (f.size() != 3 || std::atoll(f[0].value_or("0").c_str()) == 0) {
    return std::optional<std::pair<int64_t, int64_t>>();
  }
  return std::optional<std::pair<int64_t, int64_t>>(
      std::pair{std::atoll(f[1].value_or("0").c_str()), std::atoll(f[2].value_or("0").c_str())});
}

Result<std::set<std::pair<int64_t, int64_t>>> ChargePeriods(ClickHouseClient* client,
                                                            const LiveRuns& live, int64_t lo,
                                                            int64_t hi) {
  const std::string start = Column(FocusColumn::kChargePeriodStart);
  const std::string end = Column(FocusColumn::kChargePeriodEnd);
  TALLY_ASSIGN_OR_RETURN(
      std::string body,
      client->Query(0, "SELECT DISTINCT " + start + ", " + end + " FROM " + CostTable() +
                           " WHERE " + live.Condition() + " AND " + start + " != " + Int(kNoTime) +
                           " AND " + end + " != " + Int(kNoTime) + " AND " + start + " < " +
                           Int(hi) + " AND " + end + " > " + Int(lo) + " FORMAT TabSeparated"));
  std::set<std::pair<int64_t, int64_t>> periods;
  Status status = ForEachTsvLine(body, [&](const std::vector<std::optional<std::string>>& f) {
    if (f.size() != 2) return Internal("clickhouse: a charge period came back malformed");
    periods.emplace(std::atoll(f[0].value_or("0").c_str()), std::atoll(f[1].value_or("0").c_str()));
    return Status::Ok();
  });
  TALLY_RETURN_IF_ERROR(status);
  return periods;
}

}  // namespace tally::clickhouse
