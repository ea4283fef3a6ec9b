// tally ingest usage-csv | inventory: the generic usage and capacity files any pipeline can
// write (docs/formats/usage-csv.md).
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "tally/clock.h"
#include "ingest/telemetry/usage_csv/usage_csv_reader.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct UsageCsvFlags {
  std::vector<std::string> paths;
  std::string source;
};

int RunUsageCsv(const GlobalOptions& globals, const UsageCsvFlags& flags, UsageCsvKind kind) {
  const std::string name = kind == UsageCsvKind::kUsage ? "usage-csv" : "inventory";
  const std::string prefix = "ingest " + name + ": ";
  UsageCsvTotals totals;
  const std::string source = flags.source.empty() ? name : flags.source;
  auto run = UsageCsvRun::Read(flags.paths, kind, source, &totals);
  if (!run.ok()) {
    PrintError(prefix + run.status().message() + " (nothing was stored)");
    return 1;
  }
  auto store = OpenStore(globals.store);
  const size_t capacity_facts = (*run)->capacity_facts();
  auto commit = store.ok() ? (*store)->StoreUsageStream(
                                 [&](UsageBatch* batch) { return (*run)->Next(batch); })
                           : Result<UsageCommit>(store.status());
  if (!commit.ok()) {
    PrintError(prefix + commit.status().message() + " (nothing was stored)");
    return 1;
  }
  (void)(*store)->RecordUsageRun(source, SystemClock().Now(), "");  // for its freshness
  std::printf(
      "%s%lld files, %lld rows, %zu consumers, %zu assets, %lld usage and %zu capacity "
      "facts over %lld hours (%lld usage facts replaced)\n",
      prefix.c_str(), static_cast<long long>(totals.files), static_cast<long long>(totals.rows),
      (*run)->consumers(), (*run)->assets(),
      static_cast<long long>(commit->facts_stored), capacity_facts,
      static_cast<long long>(commit->hours), static_cast<long long>(commit->facts_replaced));
  return 0;
}

void AddOne(CLI::App* ingest, const GlobalOptions* globals, int* exit_code, UsageCsvKind kind) {
  auto flags = std::make_shared<UsageCsvFlags>();
  const bool usage = kind == UsageCsvKind::kUsage;
  CLI::App* sub = ingest->add_subcommand(
      usage ? "usage-csv" : "inventory",
      usage ? "ingest usage CSV: start,end,consumer,asset,resource,request,usage,unit,labels"
            : "ingest asset capacity CSV: start,end,asset,resource,capacity,unit,labels");
  sub->add_option("paths", flags->paths, "CSV files (.csv or .csv.gz)")->required();
  sub->add_option("--source", flags->source,
                  std::string("source name (default \"") + (usage ? "usage-csv" : "inventory") +
                      "\"); a run replaces what the source stored for the hours it covers");
  sub->callback([=]() { *exit_code = RunUsageCsv(*globals, *flags, kind); });
}

}  // namespace

void AddUsageCsvCommands(CLI::App* ingest, const GlobalOptions* globals, int* exit_code) {
  AddOne(ingest, globals, exit_code, UsageCsvKind::kUsage);
  AddOne(ingest, globals, exit_code, UsageCsvKind::kInventory);
}

}  // namespace tally::cli
