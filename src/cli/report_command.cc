// tally report showback | chargeback | export: allocated cost, grouped for people, priced for
// internal billing, or written back out as FOCUS rows with the allocation columns.
#include <algorithm>
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "common/strings.h"
#include "config/config.h"
#include "report/allocation_views.h"
#include "report/chargeback.h"
#include "report/focus_export.h"
#include "report/gpu_report.h"
#include "report/record_table.h"
#include "report/showback.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct ReportFlags {
  std::string by = "owner";
  std::string from, to;
  std::string format = "table";
  std::string config;
  std::string focus_version = "1.3";
  std::vector<std::string> where;
};

// Opens the store and runs the showback query; prints errors.
std::optional<ShowbackTable> Query(const GlobalOptions& globals, const ReportFlags& flags,
                                   std::vector<std::string> by, const char* name, int* code) {
  ShowbackQuery query;
  auto keys = ParseShowbackKeys(by);
  if (!keys.ok()) {
    PrintError(std::string(name) + ": --by: " + keys.status().message());
    *code = 2;
    return std::nullopt;
  }
  query.group_by = std::move(*keys);
  for (const std::string& text : flags.where) {
    auto filter = ShowbackFilter::Parse(text);
    if (!filter.ok()) {
      PrintError(std::string(name) + ": --where: " + filter.status().message());
      *code = 2;
      return std::nullopt;
    }
    query.where.push_back(std::move(*filter));
  }
  Status window = ParseWindowFlags(flags.from, flags.to, &query.from, &query.to);
  if (!window.ok()) {
    PrintError(std::string(name) + ": " + window.message());
    *code = 2;
    return std::nullopt;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    *code = 1;
    return std::nullopt;
  }
  auto table = QueryShowback(**store, query);
  if (!table.ok()) {
    PrintError(std::string(name) + ": " + table.status().message());
    *code = table.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
    return std::nullopt;
  }
  if (table->hours == 0) {
    PrintError(std::string(name) + ": no allocated hours in the window; run `tally allocate`");
  }
  // A grouping no row has a value for says so, rather than printing one blank group.
  for (size_t i = 0; i < table->columns.size() && !table->rows.empty(); ++i) {
    const bool none = std::all_of(table->rows.begin(), table->rows.end(),
                                  [&](const ShowbackRow& r) { return r.keys[i].empty(); });
    if (none) {
      PrintError(std::string(name) + ": no consumer or asset has a value for \"" +
                 table->columns[i] + "\": every row's " + table->columns[i] + " is empty");
    }
  }
  return std::move(*table);
}

// Renders key columns plus money columns, with a TOTAL line of `totals` (one per money column,
// "" for none); JSON is {"rows":[...],"total":...} with the first money column's total.
void Print(const std::vector<std::string>& keys, const std::vector<std::string>& money,
           const std::vector<std::vector<std::string>>& rows,
           const std::vector<std::string>& totals, OutputFormat format, bool exact) {
  if (format == OutputFormat::kJson) {
    nlohmann::ordered_json out = {{"rows", nlohmann::ordered_json::array()}};
    for (const auto& row : rows) {
      nlohmann::ordered_json r = nlohmann::ordered_json::object();
      for (size_t i = 0; i < row.size(); ++i)
        r[i < keys.size() ? keys[i] : money[i - keys.size()]] = row[i];
      out["rows"].push_back(std::move(r));
    }
    out["total"] = totals.front();
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  RecordTable t;
  t.columns = keys;
  t.numeric.assign(keys.size(), false);
  t.decimal.assign(keys.size(), false);
  for (const std::string& m : money) {
    t.columns.push_back(m);
    t.numeric.push_back(true);
    t.decimal.push_back(true);
  }
  t.money = t.decimal;
  for (const auto& row : rows) t.rows.emplace_back(row.begin(), row.end());
  if (format == OutputFormat::kTable) {
    std::vector<std::optional<std::string>> sum(t.columns.size(), std::string());
    sum[0] = "TOTAL";
    for (size_t i = 0; i < totals.size(); ++i) sum[keys.size() + i] = totals[i];
    t.rows.push_back(std::move(sum));
  }
  const std::string text = RenderRecordTable(t, format, exact);
  std::fwrite(text.data(), 1, text.size(), stdout);
}

int RunShowback(const GlobalOptions& globals, const ReportFlags& flags) {
  auto format = ParseOutputFormat(flags.format);
  if (!format.ok()) {
    PrintError("showback: " + format.status().message());
    return 2;
  }
  int code = 0;
  const std::vector<std::string> by = SplitList(flags.by, ',');
  auto table = Query(globals, flags, by, "showback", &code);
  if (!table) return code;
  if (*format == OutputFormat::kJson) {
    std::printf("%s\n", ShowbackJson(*table).dump().c_str());
    return 0;
  }
  // Estimated cost is never mixed in silently: its own column, and a line that says why.
  const bool estimated = !table->estimated.is_zero();
  if (estimated) {
    PrintError("showback: " + MoneyText(table->estimated, globals.exact) +
               " of the cost is estimated at reference prices: no bill line names those assets "
               "(see tally reconcile)");
  }
  std::vector<std::vector<std::string>> rows;
  for (const ShowbackRow& r : table->rows) {
    rows.push_back(r.keys);
    rows.back().push_back(r.cost.ToString());
    if (estimated) rows.back().push_back(r.estimated.ToString());
  }
  if (estimated) {
    Print(by, {"cost", "estimated"}, rows,
          {table->total.ToString(), table->estimated.ToString()}, *format, globals.exact);
  } else {
    Print(by, {"cost"}, rows, {table->total.ToString()}, *format, globals.exact);
  }
  return 0;
}

int RunChargeback(const GlobalOptions& globals, const ReportFlags& flags) {
  auto format = ParseOutputFormat(flags.format);
  auto config = LoadConfig(flags.config);
  if (!format.ok() || !config.ok()) {
    PrintError("chargeback: " + (format.ok() ? config.status() : format.status()).message());
    return format.ok() ? 1 : 2;
  }
  for (const std::string& w : config->warnings) PrintError("chargeback: warning: " + w);
  const std::vector<std::string> by = ChargebackKeys(SplitList(flags.by, ','));
  int code = 0;
  auto table = Query(globals, flags, by, "chargeback", &code);
  if (!table) return code;
  const ChargebackTable priced = PriceChargeback(*table, config->chargeback_rates);
  std::vector<std::vector<std::string>> rows;
  for (const ChargebackRow& r : priced.rows) {
    rows.push_back(r.keys);
    rows.back().push_back(r.cost.ToString());
    rows.back().push_back(r.charge.ToString());
  }
  Print(by, {"cost", "charge"}, rows, {priced.total.ToString(), ""}, *format, globals.exact);
  return 0;
}

int RunExport(const GlobalOptions& globals, const ReportFlags& flags) {
  auto version = ParseFocusVersion(flags.focus_version);
  std::optional<Timestamp> from, to;
  Status window = ParseWindowFlags(flags.from, flags.to, &from, &to);
  if (flags.format != "focus" || !version.ok() || !window.ok()) {
    PrintError("export: " + (flags.format != "focus" ? std::string("--format must be focus")
                             : !version.ok()         ? version.status().message()
                                                     : window.message()));
    return 2;
  }
  auto config = LoadConfig(flags.config);
  auto store = config.ok() ? OpenStore(globals.store, OpenMode::kMustExist)
                           : Result<std::unique_ptr<Store>>(config.status());
  if (!store.ok()) {
    PrintError("export: " + store.status().message());
    return 1;
  }
  auto exported = ExportFocus(**store, *config, from, to, *version);
  if (!exported.ok()) {
    PrintError("export: " + exported.status().message());
    return 1;
  }
  std::fwrite(exported->csv.data(), 1, exported->csv.size(), stdout);
  PrintError("export: " + std::to_string(exported->rows) + " rows of " +
             std::to_string(exported->origins) + " origin charges (FOCUS " + flags.focus_version +
             ")");
  if (exported->origins_not_allocated > 0) {
    PrintError("export: " + std::to_string(exported->origins_not_allocated) +
               " origin charges lie in no allocated hour and are left out (run tally allocate)");
  }
  if (!exported->not_charged.is_zero()) {
    PrintError("export: " + MoneyText(exported->not_charged, globals.exact) +
               " of rate-card and estimated cost has no origin charge and is left out");
  }
  return 0;
}

int RunGpu(const GlobalOptions& globals, const ReportFlags& flags) {
  auto format = ParseOutputFormat(flags.format);
  std::optional<Timestamp> from, to;
  Status window = ParseWindowFlags(flags.from, flags.to, &from, &to);
  if (!format.ok() || !window.ok()) {
    PrintError("gpu: " + (format.ok() ? window : format.status()).message());
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto report = BuildGpuReport(**store, from, to);
  if (!report.ok()) {
    PrintError("gpu: " + report.status().message());
    return 1;
  }
  if (*format == OutputFormat::kJson) {
    std::printf("%s\n", GpuReportJson(*report).dump().c_str());
    return 0;
  }
  if (report->nodes.empty()) PrintError("gpu: no GPU capacity in the window");
  std::string text = RenderRecordTable(GpuNodesTable(*report), *format, globals.exact);
  if (*format == OutputFormat::kTable) text += "\n";
  text += RenderRecordTable(GpuConsumersTable(*report), *format, globals.exact);
  if (*format == OutputFormat::kTable) text += "\n";
  text += RenderRecordTable(GpuOwnersTable(*report), *format, globals.exact);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

void AddReportCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  CLI::App* report =
      app->add_subcommand("report", "showback, chargeback, GPU and FOCUS export of allocations");
  report->require_subcommand(1);
  auto flags = std::make_shared<ReportFlags>();
  auto common = [&](CLI::App* sub, const char* by_help) {
    sub->add_option("--by", flags->by, by_help)->capture_default_str();
    sub->add_option("--from", flags->from, "first hour (inclusive)");
    sub->add_option("--to", flags->to, "end (exclusive)");
    sub->add_option("--where", flags->where,
                    "keep rows whose KEY has one of the values: namespace=ads,search (repeatable; "
                    "any --by key)");
  };
  CLI::App* showback = report->add_subcommand("showback", "allocated cost grouped by columns");
  common(showback,
         "owner, consumer, asset, resource, class (compute, storage, network, cache, other), "
         "service, source, kind, namespace, controller, hour, day, label.<key> (comma-separated)");
  showback->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  showback->callback([=]() { *exit_code = RunShowback(*globals, *flags); });

  CLI::App* chargeback = report->add_subcommand(
      "chargeback", "what each group is charged: its cost, or its usage at internal rates");
  common(chargeback, "as showback; a bare name that is not a column is a label (cost_center)");
  chargeback->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  chargeback->add_option("--config", flags->config, "policy with chargeback.rates");
  chargeback->callback([=]() { *exit_code = RunChargeback(*globals, *flags); });

  CLI::App* gpu = report->add_subcommand(
      "gpu", "GPU capacity, requested and used GPU-hours and cost, per node and per consumer");
  gpu->add_option("--from", flags->from, "first hour (inclusive)");
  gpu->add_option("--to", flags->to, "end (exclusive)");
  gpu->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  gpu->footer("utilization = used / capacity; efficiency = used / requested.");
  gpu->callback([=]() { *exit_code = RunGpu(*globals, *flags); });

  CLI::App* exporter = report->add_subcommand(
      "export", "allocated cost as FOCUS 1.3 or 1.4 rows with the split-allocation columns");
  exporter->add_option("--from", flags->from, "origin charges starting at or after (inclusive)");
  exporter->add_option("--to", flags->to, "origin charges starting before (exclusive)");
  exporter->add_option("--format", flags->format, "focus")->required();
  exporter->add_option("--focus-version", flags->focus_version, "1.3 or 1.4")
      ->capture_default_str();
  exporter->add_option("--config", flags->config,
                       "the policy allocation ran under (default: ./tally.yaml if present), to "
                       "trace bill lines to assets as it did");
  exporter->footer(
      "Each row is one origin charge's part for one consumer (or idle, or unallocated); an "
      "origin's rows sum back to it in all four cost metrics. See docs/focus-export.md.");
  exporter->callback([=]() { *exit_code = RunExport(*globals, *flags); });
}

}  // namespace tally::cli
