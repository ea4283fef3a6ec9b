#include "cli/job_usage_store.h"

#include "tally/clock.h"

namespace tally::cli {

Result<UsageCommit> StoreJobUsage(const GlobalOptions& globals, const JobUsage& usage,
                                  const std::string& source,
                                  std::optional<TimeWindow> collected) {
  TALLY_ASSIGN_OR_RETURN(std::vector<UsageBatch> batches, usage.Finish());
  if (collected && collected->end > collected->start) {
    UsageBatch marks(source, *collected);  // no facts: marks the hours collected
    marks.set_replace(UsageReplace::kConsumers);
    batches.push_back(std::move(marks));
  }
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(globals.store));
  TALLY_ASSIGN_OR_RETURN(UsageCommit commit, store->StoreUsage(batches));
  (void)store->RecordUsageRun(source, SystemClock().Now(), "");  // for its freshness
  return commit;
}

}  // namespace tally::cli
