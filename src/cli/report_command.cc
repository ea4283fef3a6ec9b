// tally report showback | chargeback | export: allocated cost, grouped for people, priced for
// internal billing, or written back out as FOCUS rows with the allocation columns.
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "common/strings.h"
#include "config/config.h"
#include "report/allocation_views.h"
#include "report/chargeback.h"
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
  return std::move(*table);
}

// Renders key columns plus money columns; JSON is {"rows":[...],"total":...}.
void Print(const std::vector<std::string>& keys, const std::vector<std::string>& money,
           const std::vector<std::vector<std::string>>& rows, const std::string& total,
           OutputFormat format) {
  if (format == OutputFormat::kJson) {
    nlohmann::ordered_json out = {{"rows", nlohmann::ordered_json::array()}};
    for (const auto& row : rows) {
      nlohmann::ordered_json r = nlohmann::ordered_json::object();
      for (size_t i = 0; i < row.size(); ++i)
        r[i < keys.size() ? keys[i] : money[i - keys.size()]] = row[i];
      out["rows"].push_back(std::move(r));
    }
    out["total"] = total;
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
  for (const auto& row : rows) t.rows.emplace_back(row.begin(), row.end());
  if (format == OutputFormat::kTable) {
    std::vector<std::optional<std::string>> sum(t.columns.size(), std::string());
    sum[0] = "TOTAL";
    sum[keys.size()] = total;
    t.rows.push_back(std::move(sum));
  }
  const std::string text = RenderRecordTable(t, format);
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
  std::vector<std::vector<std::string>> rows;
  for (const ShowbackRow& r : table->rows) {
    rows.push_back(r.keys);
    rows.back().push_back(r.cost.ToString());
  }
  Print(by, {"cost"}, rows, table->total.ToString(), *format);
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
  Print(by, {"cost", "charge"}, rows, priced.total.ToString(), *format);
  return 0;
}

int RunExport(const GlobalOptions& globals, const ReportFlags& flags) {
  if (flags.format != "focus") {
    PrintError("export: --format must be focus");
    return 2;
  }
  int code = 0;
  auto table = Query(globals, flags, FocusExportKeys(), "export", &code);
  if (!table) return code;
  const std::string out = RenderFocusExport(*table);
  std::fwrite(out.data(), 1, out.size(), stdout);
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
  std::string text = RenderRecordTable(GpuNodesTable(*report), *format);
  if (*format == OutputFormat::kTable) text += "\n";
  text += RenderRecordTable(GpuConsumersTable(*report), *format);
  if (*format == OutputFormat::kTable) text += "\n";
  text += RenderRecordTable(GpuOwnersTable(*report), *format);
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
  };
  CLI::App* showback = report->add_subcommand("showback", "allocated cost grouped by columns");
  common(showback,
         "owner, consumer, asset, resource, class (compute, storage, network, cache, other), "
         "service, source, kind, namespace, hour, day, label.<key> (comma-separated)");
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
      "export", "allocated cost as FOCUS rows with the FOCUS 1.3 Allocated* columns");
  exporter->add_option("--from", flags->from, "first hour (inclusive)");
  exporter->add_option("--to", flags->to, "end (exclusive)");
  exporter->add_option("--format", flags->format, "focus")->required();
  exporter->callback([=]() { *exit_code = RunExport(*globals, *flags); });
}

}  // namespace tally::cli
