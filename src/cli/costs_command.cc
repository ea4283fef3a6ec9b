// tally costs: sums a cost metric over the stored cost lines, grouped by columns, optionally
// per period, filtered and cut to the top N groups (report/cost_report.h).
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "common/strings.h"
#include "report/cost_report.h"
#include "report/output_format.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct CostsFlags {
  std::string by;
  std::string metric = "EffectiveCost";
  std::string from, to;
  std::string step;
  std::vector<std::string> where;
  size_t top = 0;
  std::string format = "table";
};

Result<CostQuery> BuildQuery(const CostsFlags& flags) {
  CostQuery query;
  for (const std::string& name : SplitList(flags.by, ',')) {
    TALLY_ASSIGN_OR_RETURN(GroupKey key, GroupKey::Parse(name));
    query.group_by.push_back(std::move(key));
  }
  TALLY_ASSIGN_OR_RETURN(query.metric, ParseCostMetric(flags.metric));
  TALLY_RETURN_IF_ERROR(ParseWindowFlags(flags.from, flags.to, &query.from, &query.to));
  TALLY_ASSIGN_OR_RETURN(query.step, ParseCostStep(flags.step));
  for (const std::string& text : flags.where) {
    TALLY_ASSIGN_OR_RETURN(CostFilter filter, CostFilter::Parse(text));
    query.where.push_back(std::move(filter));
  }
  query.top = flags.top;
  return query;
}

int RunCosts(const GlobalOptions& globals, const CostsFlags& flags) {
  auto query = BuildQuery(flags);
  if (!query.ok()) {
    PrintError("costs: " + query.status().message());
    return 2;
  }
  auto format = ParseOutputFormat(flags.format);
  if (!format.ok()) {
    PrintError("costs: " + format.status().message());
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto table = QueryCostTable(store->get(), *query);
  if (!table.ok()) {
    PrintError("costs: " + table.status().message());
    return 1;
  }
  for (const std::string& warning : CostTableWarnings(*query, *table)) {
    PrintError("costs: warning: " + warning);
  }
  std::string out = RenderCostTable(*table, *format, globals.exact);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void AddCostsCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<CostsFlags>();
  CLI::App* costs = app->add_subcommand(
      "costs", "sum a cost metric over stored cost lines, grouped by FOCUS columns");
  costs->add_option("--by", flags->by,
                    "group by columns, comma-separated: any FOCUS dimension, Tags.<key>, or an "
                    "x_ column (e.g. ProviderName,ServiceCategory)");
  costs
      ->add_option("--metric", flags->metric,
                   "EffectiveCost, BilledCost, ListCost or ContractedCost")
      ->capture_default_str();
  costs->add_option("--from", flags->from, "first day included (YYYY-MM-DD, on ChargePeriodStart)");
  costs->add_option("--to", flags->to, "first day excluded (YYYY-MM-DD)");
  costs->add_option("--step", flags->step,
                    "hour, day or month: one row per group and period of ChargePeriodStart");
  costs->add_option("--where", flags->where,
                    "keep lines whose COLUMN is one of the values: COLUMN=VALUE[,VALUE...] "
                    "(a FOCUS dimension or Tags.<key>; an empty value means null); repeatable, "
                    "all must hold");
  costs->add_option("--top", flags->top,
                    "keep the N costliest groups, the rest summed as one (other) row");
  costs->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  costs->callback([=]() { *exit_code = RunCosts(*globals, *flags); });
}

}  // namespace tally::cli
