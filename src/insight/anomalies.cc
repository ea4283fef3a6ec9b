#include "insight/anomalies.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "report/cost_series.h"
#include "insight/forecast_model.h"
#include "report/output_format.h"

namespace tally {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kBillDrills[] = {"ServiceName", "SubAccountId", "RegionId", "ResourceId"};
constexpr const char* kAllocationDrills[] = {"service", "consumer", "asset"};

// The median of the same period in up to `seasons` seasons before `t`; nullopt without one.
std::optional<double> Baseline(std::span<const double> v, size_t t, int season, int seasons) {
  std::vector<double> same;
  for (int j = 1; j <= seasons; ++j) {
    const int64_t i = static_cast<int64_t>(t) - int64_t{j} * season;
    if (i < 0) break;
    same.push_back(v[static_cast<size_t>(i)]);
  }
  if (same.empty()) return std::nullopt;
  return Median(std::move(same));
}

Decimal FromDouble(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", value);
  auto d = Decimal::Parse(text);
  return d.ok() ? *d : Decimal();
}

std::string PeriodText(Timestamp period, int64_t step) {
  return step == 86400 ? period.ToString().substr(0, 10) : period.ToString();
}

// FNV-1a over the anomaly's identity, as 16 hex digits.
std::string StableId(const std::string& identity) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : identity) h = (h ^ c) * 0x100000001b3ull;
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

Json KeysJson(const std::vector<std::string>& columns,
              const std::vector<std::optional<std::string>>& keys) {
  Json out = Json::object();
  for (size_t k = 0; k < columns.size(); ++k) out[columns[k]] = keys[k] ? Json(*keys[k]) : Json();
  return out;
}

std::string Dimension(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ",") + c;
  return out;
}

// The drill values that explain `a`, per dimension.
Status ExplainAnomaly(Store* store, const AnomalyQuery& q, const CostSeriesSet& set, int season,
                      int seasons, std::map<std::pair<std::string, int64_t>, CostSeriesSet>* cache,
                      Anomaly* a) {
  const bool allocation = set.from_allocation;
  std::vector<std::string> drills;
  for (const char* d : allocation ? std::span<const char* const>(kAllocationDrills)
                                  : std::span<const char* const>(kBillDrills)) {
    bool grouped = false;
    for (const std::string& label : set.columns) grouped |= label == d;
    if (!grouped) drills.push_back(d);
  }
  const double impact = ToDouble(a->impact);
  for (const std::string& drill : drills) {
    const int64_t period = a->period.unix_seconds();
    auto it = cache->find({drill, period});
    if (it == cache->end()) {
      CostSeriesQuery dq;
      dq.by = q.by;
      dq.by.push_back(drill);
      dq.where = q.where;
      dq.step = q.step;
      dq.metric = q.metric;
      dq.from = Timestamp::FromUnixSeconds(period - int64_t{season} * seasons * set.step_seconds);
      dq.to = Timestamp::FromUnixSeconds(period + set.step_seconds);
      Result<CostSeriesSet> drilled = LoadCostSeries(store, dq);
      // Too many values to drill into (a resource id per line, hourly): the dimension says
      // nothing rather than the report failing.
      if (!drilled.ok() && drilled.status().code() != StatusCode::kInvalidArgument) {
        return drilled.status();
      }
      it = cache->emplace(std::pair{drill, period},
                          drilled.ok() ? std::move(*drilled) : CostSeriesSet{}).first;
    }
    const CostSeriesSet& drilled = it->second;
    if (drilled.periods == 0) continue;
    const int64_t at = (period - drilled.first) / drilled.step_seconds;
    if (at < 0 || at >= drilled.periods) continue;
    std::vector<RootCause> causes;
    size_t values = 0;  // the dimension's values in the group: one alone explains nothing
    for (const CostSeries& s : drilled.series) {
      if (s.currency != a->currency ||
          !std::equal(a->keys.begin(), a->keys.end(), s.keys.begin())) {
        continue;
      }
      ++values;
      const std::vector<double> v = AsDoubles(s.values);
      const double base = Baseline(v, static_cast<size_t>(at), season, seasons).value_or(0);
      const double change = v[static_cast<size_t>(at)] - base;
      if (change * impact <= 0) continue;  // moved the other way: not a cause
      causes.push_back(RootCause{drill, s.keys.back().value_or("(null)"), FromDouble(change),
                                 impact == 0 ? 0 : change / impact});
    }
    if (values < 2) continue;
    std::sort(causes.begin(), causes.end(),
              [](const RootCause& x, const RootCause& y) { return x.share > y.share; });
    double explained = 0;  // per dimension: each explains the impact on its own
    for (size_t i = 0; i < causes.size() && i < 3; ++i) {
      if (explained >= 0.8 || causes[i].share < 0.05) break;
      explained += causes[i].share;
      a->root_cause.push_back(causes[i]);
    }
  }
  return Status::Ok();
}

const AnomalyRecord* StoredOf(std::span<const AnomalyRecord> stored, const std::string& id) {
  for (const AnomalyRecord& r : stored) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

}  // namespace

std::vector<SeriesAnomaly> DetectInSeries(std::span<const double> v, int season, int seasons,
                                          const AnomalyOptions& options, double floor) {
  const size_t n = v.size();
  std::vector<std::optional<double>> expected(n);
  for (size_t t = 0; t < n; ++t) expected[t] = Baseline(v, t, season, seasons);
  const size_t window = static_cast<size_t>(season) * static_cast<size_t>(seasons);
  const size_t min_residuals = static_cast<size_t>(std::max(7, season));
  std::vector<SeriesAnomaly> out;
  for (size_t t = 0; t < n; ++t) {
    if (!expected[t]) continue;
    std::vector<double> residuals;
    for (size_t j = t > window ? t - window : 0; j < t; ++j) {
      if (expected[j]) residuals.push_back(std::abs(v[j] - *expected[j]));
    }
    if (residuals.size() < min_residuals) continue;
    const double scale = std::max(1.4826 * Median(std::move(residuals)), 0.01 * std::abs(*expected[t]));
    const double r = v[t] - *expected[t];
    const bool beyond = r > options.k * scale || (options.drops && -r > options.k * scale);
    if (beyond && std::abs(r) >= floor) out.push_back(SeriesAnomaly{t, *expected[t], scale});
  }
  return out;
}

Result<AnomalyReport> FindAnomalies(Store* store, const AnomalyQuery& query) {
  const bool hourly = query.step == CostStep::kHour;
  const int season = hourly ? 24 : 7, seasons = hourly ? 7 : 4;
  const int64_t step = hourly ? 3600 : 86400;
  CostSeriesQuery sq;
  sq.by = query.by;
  sq.where = query.where;
  sq.step = query.step;
  sq.metric = query.metric;
  sq.to = query.to;
  if (query.from) {  // the history the first reported period's baseline and scale need
    sq.from = Timestamp::FromUnixSeconds(query.from->unix_seconds() -
                                         2 * int64_t{season} * seasons * step);
  }
  TALLY_ASSIGN_OR_RETURN(CostSeriesSet set, LoadCostSeries(store, sq));
  AnomalyReport report;
  report.columns = set.columns;
  report.metric = set.metric;
  report.step_seconds = set.step_seconds;
  report.series = set.series.size();
  const double floor = ToDouble(query.options.floor);
  std::map<std::pair<std::string, int64_t>, CostSeriesSet> drills;
  for (const CostSeries& s : set.series) {
    const std::vector<double> v = AsDoubles(s.values);
    for (const SeriesAnomaly& found : DetectInSeries(v, season, seasons, query.options, floor)) {
      const Timestamp period = Timestamp::FromUnixSeconds(set.PeriodStart(static_cast<int64_t>(found.index)));
      if ((query.from && period < *query.from) || (query.to && !(period < *query.to))) continue;
      Anomaly a;
      a.keys = s.keys;
      a.currency = s.currency;
      a.period = period;
      a.actual = s.values[found.index];
      a.expected = FromDouble(found.expected);
      a.impact = a.actual - a.expected;
      a.score = found.scale > 0 ? std::abs(v[found.index] - found.expected) / found.scale : 0;
      TALLY_RETURN_IF_ERROR(ExplainAnomaly(store, query, set, season, seasons, &drills, &a));
      report.anomalies.push_back(std::move(a));
    }
  }
  // Periods examined per series: those after the first season plus the residuals' minimum.
  report.periods = std::max<int64_t>(0, set.periods - season - std::max(7, season));
  std::stable_sort(report.anomalies.begin(), report.anomalies.end(),
                   [](const Anomaly& x, const Anomaly& y) {
                     if (x.period != y.period) return x.period < y.period;
                     return x.impact > y.impact;
                   });
  return report;
}

std::vector<AnomalyRecord> AnomalyRecords(const AnomalyReport& report, Timestamp now) {
  std::vector<AnomalyRecord> out;
  const std::string dimension = Dimension(report.columns);
  for (const Anomaly& a : report.anomalies) {
    AnomalyRecord r;
    r.dimension = dimension;
    r.keys = KeysJson(report.columns, a.keys).dump();
    r.currency = a.currency;
    r.period = a.period;
    r.step_seconds = report.step_seconds;
    r.id = StableId(report.metric + "|" + r.dimension + "|" + r.keys + "|" + r.currency + "|" +
                    std::to_string(a.period.unix_seconds()) + "|" +
                    std::to_string(r.step_seconds));
    r.actual = a.actual;
    r.expected = a.expected;
    r.impact = a.impact;
    Json causes = Json::array();
    for (const RootCause& c : a.root_cause) {
      causes.push_back({{"dimension", c.dimension},
                        {"value", c.value},
                        {"change", MoneyText(c.change, false)},
                        {"share", std::round(c.share * 1000) / 1000}});
    }
    r.root_cause = causes.dump();
    for (size_t k = 0; k < report.columns.size(); ++k) {
      if (report.columns[k] == "owner" && a.keys[k]) r.owner = *a.keys[k];
    }
    r.detected_at = now;
    out.push_back(std::move(r));
  }
  return out;
}

Json AnomalyJson(const AnomalyReport& report, std::span<const AnomalyRecord> stored) {
  Json rows = Json::array();
  const std::vector<AnomalyRecord> records = AnomalyRecords(report, Timestamp());
  for (size_t i = 0; i < report.anomalies.size(); ++i) {
    const Anomaly& a = report.anomalies[i];
    const AnomalyRecord* known = StoredOf(stored, records[i].id);
    Json row = {{"id", records[i].id},
                {report.step_seconds == 86400 ? "date" : "hour", PeriodText(a.period, report.step_seconds)}};
    row.update(KeysJson(report.columns, a.keys));
    row["currency"] = a.currency;
    row["actual"] = MoneyText(a.actual, false);
    row["expected"] = MoneyText(a.expected, false);
    row["impact"] = MoneyText(a.impact, false);
    row["score"] = std::round(a.score * 10) / 10;
    row["root_cause"] = Json::parse(records[i].root_cause);
    row["state"] = known ? known->state : "open";
    rows.push_back(std::move(row));
  }
  return {{"rows", std::move(rows)},
          {"metric", report.metric},
          {"series", report.series},
          {"periods", report.periods}};
}

RecordTable AnomalyRecordTable(const AnomalyReport& report, std::span<const AnomalyRecord> stored) {
  RecordTable t;
  t.columns = {"id", report.step_seconds == 86400 ? "date" : "hour"};
  t.columns.insert(t.columns.end(), report.columns.begin(), report.columns.end());
  for (const char* c : {"currency", "actual", "expected", "impact", "state", "root_cause"}) {
    t.columns.push_back(c);
  }
  const size_t keys = report.columns.size() + 3;
  t.numeric.assign(keys, false);
  t.numeric.insert(t.numeric.end(), {true, true, true, false, false});
  t.decimal = t.numeric;
  t.money = t.numeric;
  const std::vector<AnomalyRecord> records = AnomalyRecords(report, Timestamp());
  for (size_t i = 0; i < report.anomalies.size(); ++i) {
    const Anomaly& a = report.anomalies[i];
    const AnomalyRecord* known = StoredOf(stored, records[i].id);
    std::vector<std::optional<std::string>> row = {records[i].id,
                                                   PeriodText(a.period, report.step_seconds)};
    row.insert(row.end(), a.keys.begin(), a.keys.end());
    std::string cause;
    for (const RootCause& c : a.root_cause) {
      char share[16];
      std::snprintf(share, sizeof share, "%.0f%%", c.share * 100);
      cause += (cause.empty() ? "" : "; ") + c.dimension + "=" + c.value + " " + share;
    }
    row.insert(row.end(), {a.currency, a.actual.ToString(), a.expected.ToString(),
                           a.impact.ToString(), known ? known->state : "open", cause});
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace tally
