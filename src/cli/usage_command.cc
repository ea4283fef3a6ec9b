// tally usage: stored usage facts summed over a window, grouped by consumer fields, node,
// resource or label; request and usage in amount-hours (core-hours, GiB-hours, GPU-hours).
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "common/strings.h"
#include "report/record_table.h"
#include "report/usage_report.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct UsageFlags {
  std::string by = "namespace";
  std::string from, to;
  std::string format = "table";
};

// usage / request as a percentage with one decimal, "" when nothing was requested.
std::string Efficiency(Decimal request, Decimal usage) {
  if (request.is_zero()) return "";
  auto ratio = usage.Multiply(Decimal::FromUnits(100));
  if (!ratio.ok()) return "";
  auto pct = ratio->Divide(request);
  return pct.ok() ? pct->Round(1).ToString() : "";
}

int RunUsage(const GlobalOptions& globals, const UsageFlags& flags) {
  UsageQuery query;
  for (const std::string& name : SplitList(flags.by, ',')) {
    auto key = UsageGroupKey::Parse(name);
    if (!key.ok()) {
      PrintError("usage: " + key.status().message());
      return 2;
    }
    if (key->kind == UsageGroupKey::Kind::kResource || key->kind == UsageGroupKey::Kind::kUnit) {
      continue;  // always in the rows
    }
    query.group_by.push_back(std::move(*key));
  }
  Status window = ParseWindowFlags(flags.from, flags.to, &query.from, &query.to);
  auto format = ParseOutputFormat(flags.format);
  if (!window.ok() || !format.ok()) {
    PrintError("usage: " + (window.ok() ? format.status() : window).message());
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto table = QueryUsage(**store, query);
  if (!table.ok()) {
    PrintError("usage: " + table.status().message());
    return 1;
  }
  RecordTable out;
  out.columns = table->columns;
  out.numeric.assign(out.columns.size(), false);
  out.decimal.assign(out.columns.size(), false);
  for (const char* c : {"request", "usage", "efficiency_pct"}) {
    out.columns.emplace_back(c);
    out.numeric.push_back(true);
    out.decimal.push_back(true);
  }
  for (const UsageRow& row : table->rows) {
    std::vector<std::optional<std::string>> cells(row.keys.begin(), row.keys.end());
    cells.emplace_back(row.request.ToString());
    cells.emplace_back(row.usage.ToString());
    const std::string eff = Efficiency(row.request, row.usage);
    cells.push_back(eff.empty() ? std::nullopt : std::optional<std::string>(eff));
    out.rows.push_back(std::move(cells));
  }
  const std::string text = RenderRecordTable(out, *format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (table->facts == 0) PrintError("usage: no usage facts in the window");
  return 0;
}

}  // namespace

void AddUsageCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<UsageFlags>();
  CLI::App* sub = app->add_subcommand(
      "usage", "report stored usage: request and usage in core-, GiB- and GPU-hours");
  sub->add_option(
         "--by", flags->by,
         "group by: consumer, namespace, pod, container, controller, node, source, day, hour, "
         "label.<key> (comma-separated); rows are always split by resource")
      ->capture_default_str();
  sub->add_option("--from", flags->from, "first hour (inclusive), e.g. 2026-11-01");
  sub->add_option("--to", flags->to, "end of the window (exclusive)");
  sub->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  sub->callback([=]() { *exit_code = RunUsage(*globals, *flags); });
}

}  // namespace tally::cli
