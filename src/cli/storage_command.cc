// tally ingest storage-csv PATH...: buckets and warehouse tables by prefix, so a bucket's cost
// splits by the bytes each prefix holds (docs/formats/storage-csv.md).
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "ingest/telemetry/storage/storage_usage_csv.h"
#include "tally/clock.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct StorageFlags {
  std::vector<std::string> paths;
  std::string source = "storage";
};

int RunStorageCsv(const GlobalOptions& globals, const StorageFlags& flags) {
  const std::string prefix = "ingest storage-csv: ";
  auto file = ReadStorageUsageCsv(flags.paths, flags.source);
  if (!file.ok()) {
    PrintError(prefix + file.status().message() + " (nothing was stored)");
    return 1;
  }
  std::vector<UsageBatch> batches;
  for (auto& [bucket, batch] : file->buckets) batches.push_back(std::move(batch));
  auto store = OpenStore(globals.store);
  auto commit = store.ok() ? (*store)->StoreUsage(batches) : Result<UsageCommit>(store.status());
  if (!commit.ok()) {
    PrintError(prefix + commit.status().message() + " (nothing was stored)");
    return 1;
  }
  for (const UsageBatch& b : batches) {
    (void)(*store)->RecordUsageRun(b.source(), SystemClock().Now(), "");
  }
  std::printf("%s%lld rows, %zu buckets or tables, %lld usage facts stored (%lld replaced)\n",
              prefix.c_str(), static_cast<long long>(file->rows), batches.size(),
              static_cast<long long>(commit->facts_stored),
              static_cast<long long>(commit->facts_replaced));
  return 0;
}

}  // namespace

void AddStorageCsvCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<StorageFlags>();
  CLI::App* sub = ingest->add_subcommand(
      "storage-csv",
      "ingest bucket and table usage by prefix (date,bucket,prefix,bytes,objects,last_access,"
      "labels): a bucket's cost splits by its prefixes' bytes");
  sub->add_option("paths", flags->paths, "storage-usage CSV files (.csv or .csv.gz)")->required();
  sub->add_option("--source", flags->source,
                  "source name prefix; each bucket is stored as <source>/<bucket> and replaces "
                  "only its own days")
      ->capture_default_str();
  sub->footer(
      "A row holds for the 24 hours of its date. A bad row fails the run and stores nothing "
      "(docs/formats/storage-csv.md).");
  sub->callback([=]() { *exit_code = RunStorageCsv(*globals, *flags); });
}

}  // namespace tally::cli
