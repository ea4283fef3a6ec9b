#include "insight/forecast.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "insight/calendar_days.h"
#include "report/cost_series.h"

namespace tally {
namespace {

constexpr int64_t kDay = days::kSeconds;
using days::Cents;
using days::DateOf;
using days::MonthStart;

// The period [start, end) that holds `first_forecast`, as history to date plus forecast.
Projection Project(const std::string& name, int64_t start, int64_t end, int64_t first_day,
                   const std::vector<double>& history, int64_t first_forecast,
                   const SeriesForecast& f) {
  Projection p;
  p.period = name;
  for (int64_t d = std::max(start, first_day); d < first_forecast; ++d) {
    p.actual += history[static_cast<size_t>(d - first_day)];
  }
  for (int64_t d = first_forecast; d < end; ++d) {
    const int64_t i = d - first_forecast;
    if (i >= static_cast<int64_t>(f.forecast.size())) {
      p.covered = false;
      break;
    }
    p.forecast += f.forecast[static_cast<size_t>(i)];
    p.lower += f.lower[static_cast<size_t>(i)];
    p.upper += f.upper[static_cast<size_t>(i)];
  }
  return p;
}

nlohmann::ordered_json Share(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(std::round(*v * 10000) / 10000) : nlohmann::ordered_json();
}

nlohmann::ordered_json ProjectionJson(const Projection& p) {
  return {{"period", p.period},           {"actual", Cents(p.actual)},
          {"forecast", Cents(p.forecast)}, {"total", Cents(p.actual + p.forecast)},
          {"lower", Cents(p.actual + p.lower)}, {"upper", Cents(p.actual + p.upper)},
          {"covered", p.covered}};
}

std::string Percent(const std::optional<double>& v) {
  if (!v) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", *v * 100);
  return text;
}

}  // namespace

nlohmann::ordered_json ForecastJson(const ForecastReport& report) {
  using Json = nlohmann::ordered_json;
  Json rows = Json::array(), series = Json::array();
  for (const ForecastSeries& s : report.series) {
    Json keys = Json::object();
    for (size_t k = 0; k < report.columns.size(); ++k) {
      keys[report.columns[k]] = s.keys[k] ? Json(*s.keys[k]) : Json();
    }
    for (size_t d = 0; d < report.dates.size(); ++d) {
      Json row = {{"date", report.dates[d]}};
      row.update(keys);
      row["currency"] = s.currency;
      row["forecast"] = Cents(s.forecast.forecast[d]);
      row["lower"] = Cents(s.forecast.lower[d]);
      row["upper"] = Cents(s.forecast.upper[d]);
      rows.push_back(std::move(row));
    }
    Json about = keys;
    about["currency"] = s.currency;
    about["method"] = s.forecast.method;
    about["backtest_mape"] = Share(s.forecast.backtest_mape);
    about["naive_mape"] = Share(s.forecast.naive_mape);
    about["coverage"] = Share(s.forecast.coverage);
    about["backtest_days"] = s.forecast.backtest_days;
    about["month_end"] = ProjectionJson(s.month_end);
    about["quarter_end"] = ProjectionJson(s.quarter_end);
    series.push_back(std::move(about));
  }
  return {{"rows", std::move(rows)},
          {"backtest_mape", Share(report.backtest_mape)},
          {"naive_mape", Share(report.naive_mape)},
          {"coverage", Share(report.coverage)},
          {"metric", report.metric},
          {"first_day", report.first_day},
          {"last_day", report.last_day},
          {"series", std::move(series)}};
}

RecordTable ForecastRecordTable(const ForecastReport& report) {
  RecordTable t;
  t.columns.push_back("date");
  for (const std::string& c : report.columns) t.columns.push_back(c);
  for (const char* c : {"currency", "forecast", "lower", "upper"}) t.columns.push_back(c);
  const size_t keys = report.columns.size() + 2;  // date, by columns, currency
  t.numeric.assign(keys, false);
  t.numeric.resize(keys + 3, true);
  t.decimal = t.numeric;
  for (const ForecastSeries& s : report.series) {
    for (size_t d = 0; d < report.dates.size(); ++d) {
      std::vector<std::optional<std::string>> row = {report.dates[d]};
      row.insert(row.end(), s.keys.begin(), s.keys.end());
      row.push_back(s.currency);
      row.push_back(Cents(s.forecast.forecast[d]));
      row.push_back(Cents(s.forecast.lower[d]));
      row.push_back(Cents(s.forecast.upper[d]));
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

std::vector<std::string> ForecastSummary(const ForecastReport& report) {
  std::vector<std::string> lines;
  if (report.series.empty()) return {"no cost data to forecast from"};
  lines.push_back("history " + report.first_day + " to " + report.last_day + "; backtest MAPE " +
                  Percent(report.backtest_mape) + " (seasonal-naive " +
                  Percent(report.naive_mape) + "), 80% interval coverage " +
                  Percent(report.coverage));
  for (const ForecastSeries& s : report.series) {
    std::string name;
    for (const auto& k : s.keys) name += (name.empty() ? "" : ", ") + k.value_or("(null)");
    if (name.empty()) name = "total";
    auto projection = [&](const Projection& p) {
      return p.period + " " + Cents(p.actual + p.forecast) + " " + s.currency + " (" +
             Cents(p.actual + p.lower) + " to " + Cents(p.actual + p.upper) + ")" +
             (p.covered ? "" : ", beyond the horizon: partial");
    };
    lines.push_back(name + ": " + s.forecast.method + ", MAPE " +
                    Percent(s.forecast.backtest_mape) + "; " + projection(s.month_end) + "; " +
                    projection(s.quarter_end));
  }
  return lines;
}

Result<ForecastReport> BuildForecast(Store* store, const ForecastQuery& query) {
  if (query.days < 1 || query.days > 366) {
    return InvalidArgument("days: " + std::to_string(query.days) + " is not between 1 and 366");
  }
  CostSeriesQuery sq;
  sq.by = query.by;
  sq.where = query.where;
  sq.metric = query.metric;
  TALLY_ASSIGN_OR_RETURN(CostSeriesSet set, LoadCostSeries(store, sq));
  ForecastReport report;
  report.metric = set.metric;
  report.columns = set.columns;
  if (set.series.empty()) return report;
  const int64_t first = set.first / kDay, last = first + set.periods - 1;
  report.first_day = DateOf(first);
  report.last_day = DateOf(last);
  for (int i = 1; i <= query.days; ++i) report.dates.push_back(DateOf(last + i));
  // The costliest series alone (LoadCostSeries sorts them); the rest summed per currency as
  // "(other)".
  using Key = std::vector<std::optional<std::string>>;
  std::vector<std::pair<Key, std::vector<double>>> series;
  std::map<std::string, std::vector<double>> other;
  for (size_t i = 0; i < set.series.size(); ++i) {
    const CostSeries& s = set.series[i];
    std::vector<double> history = AsDoubles(s.values);
    if (query.by.empty() || i < query.top) {
      Key key = s.keys;
      key.push_back(s.currency);
      series.emplace_back(std::move(key), std::move(history));
      continue;
    }
    auto& into = other[s.currency];
    into.resize(history.size(), 0.0);
    for (size_t d = 0; d < into.size(); ++d) into[d] += history[d];
  }
  for (auto& [currency, history] : other) {
    Key key(query.by.size(), std::nullopt);
    key[0] = "(other)";
    key.push_back(currency);
    series.emplace_back(std::move(key), std::move(history));
  }
  auto total = [](const std::vector<double>& h) {
    double s = 0;
    for (double v : h) s += std::abs(v);
    return s;
  };
  const int64_t next = last + 1;
  const std::string month = days::MonthName(next);
  const int64_t q_start = days::QuarterStart(next);
  double weight = 0, mape = 0, naive = 0, coverage = 0, coverage_weight = 0;
  for (auto& [key, history] : series) {
    ForecastSeries out;
    out.keys.assign(key.begin(), key.end() - 1);
    out.currency = key.back().value_or("");
    out.history_total = total(history);
    out.forecast = ForecastDaily(history, query.days);
    out.month_end = Project(month, MonthStart(next), MonthStart(next, 1), first, history, next,
                            out.forecast);
    out.quarter_end = Project(days::QuarterName(next), q_start, MonthStart(q_start, 3), first, history, next, out.forecast);
    if (out.forecast.backtest_mape && out.forecast.naive_mape && out.forecast.coverage) {
      weight += out.history_total;
      mape += out.history_total * *out.forecast.backtest_mape;
      naive += out.history_total * *out.forecast.naive_mape;
      // A series the backtest forecast without error (a flat fee) has an empty interval that
      // always "covers": it says nothing of calibration and stays out of the coverage.
      if (*out.forecast.backtest_mape > 1e-9) {
        coverage_weight += out.history_total;
        coverage += out.history_total * *out.forecast.coverage;
      }
    }
    report.series.push_back(std::move(out));
  }
  if (weight > 0) {
    report.backtest_mape = mape / weight;
    report.naive_mape = naive / weight;
    if (coverage_weight > 0) report.coverage = coverage / coverage_weight;
  }
  return report;
}

}  // namespace tally
