// tally forecast: daily cost for the days after the last day of cost data, from the bill alone
// (report/forecast.h), with the backtest's error, the interval's coverage and the month-end and
// quarter-end projections.
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "common/strings.h"
#include "insight/capacity_forecast.h"
#include "insight/forecast.h"
#include "report/output_format.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct ForecastFlags {
  std::string by;
  std::vector<std::string> where;
  std::string metric = "EffectiveCost";
  int days = 30;
  size_t top = 20;
  std::string capacity;  // a resource: forecast its demand against its capacity
  std::string format = "table";
};

int RunCapacityForecast(const GlobalOptions& globals, const ForecastFlags& flags,
                        OutputFormat format) {
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto f = BuildCapacityForecast(store->get(), flags.capacity, flags.days);
  if (!f.ok()) {
    PrintError("forecast: " + f.status().message());
    return f.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (f->first_day.empty()) {
    PrintError("forecast: no " + flags.capacity + " usage or capacity facts to forecast from");
    return 1;
  }
  if (format == OutputFormat::kJson) {
    std::printf("%s\n", CapacityForecastJson(*f).dump().c_str());
    return 0;
  }
  const std::string text = RenderRecordTable(CapacityForecastRecordTable(*f), format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  char line[256];
  std::snprintf(line, sizeof line, "forecast: %s requested per day against %.2f of capacity; %s",
                flags.capacity.c_str(), f->capacity, f->demand.method.c_str());
  PrintError(line);
  PrintError("forecast: " + (f->first_over ? "demand exceeds capacity from " + *f->first_over
                             : f->first_upper_over
                                 ? "the 80% interval exceeds capacity from " + *f->first_upper_over
                                 : std::string("demand stays within capacity over the horizon")));
  return 0;
}

int RunForecast(const GlobalOptions& globals, const ForecastFlags& flags) {
  ForecastQuery query;
  query.days = flags.days;
  query.top = flags.top;
  query.by = SplitList(flags.by, ',');
  query.where = flags.where;
  auto metric = ParseCostMetric(flags.metric);
  auto format = ParseOutputFormat(flags.format);
  if (!metric.ok() || !format.ok() || flags.days < 1 || flags.days > 366) {
    PrintError("forecast: " + (!metric.ok() ? metric.status().message()
                               : !format.ok() ? format.status().message()
                                              : "--days must be between 1 and 366"));
    return 2;
  }
  query.metric = *metric;
  if (!flags.capacity.empty()) return RunCapacityForecast(globals, flags, *format);
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto report = BuildForecast(store->get(), query);
  if (!report.ok()) {
    PrintError("forecast: " + report.status().message());
    return report.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (report->series.empty()) {
    PrintError("forecast: no cost data to forecast from (tally ingest auto DIR)");
    return 1;
  }
  if (*format == OutputFormat::kJson) {
    std::printf("%s\n", ForecastJson(*report).dump().c_str());
    return 0;
  }
  const std::string text = RenderRecordTable(ForecastRecordTable(*report), *format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  for (const std::string& line : ForecastSummary(*report)) PrintError("forecast: " + line);
  return 0;
}

}  // namespace

void AddForecastCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<ForecastFlags>();
  CLI::App* sub = app->add_subcommand(
      "forecast", "forecast daily cost from the bill, with its backtest error and 80% interval");
  sub->add_option("--by", flags->by,
                  "forecast per group of the bill (ServiceName, ProviderName, Tags.team, ...) or "
                  "of the allocation (owner, namespace, ...); default: the total");
  sub->add_option("--where", flags->where, "KEY=v1,v2: only these (repeatable)");
  sub->add_option("--days", flags->days, "days to forecast after the last day of data")
      ->capture_default_str();
  sub->add_option("--metric", flags->metric, "EffectiveCost, BilledCost, ListCost or ContractedCost")
      ->capture_default_str();
  sub->add_option("--top", flags->top, "groups forecast alone; the rest as (other)")
      ->capture_default_str();
  sub->add_option("--capacity", flags->capacity,
                  "instead of cost: forecast the daily requested hours of this resource (gpu, "
                  "cpu, ...) against its capacity");
  sub->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  sub->footer(
      "Learns from every day before the last day that has cost data; the method (seasonal-naive, "
      "weekday-median, robust-trend, holt-winters) is chosen by a rolling-origin backtest whose "
      "MAPE, the seasonal-naive MAPE and the interval's coverage are printed on stderr (and in "
      "JSON). Each group is forecast per BillingCurrency.");
  sub->callback([=]() { *exit_code = RunForecast(*globals, *flags); });
}

}  // namespace tally::cli
