#include "jobs/job_usage_store.h"

namespace tally {

Result<UsageCommit> StoreJobUsage(UsageStore& store, const JobUsage& usage,
                                  const std::string& source, Timestamp now,
                                  std::optional<TimeWindow> collected,
                                  std::vector<UsageBatch> also) {
  TALLY_ASSIGN_OR_RETURN(std::vector<UsageBatch> batches, usage.Finish());
  if (collected && collected->end > collected->start) {
    UsageBatch marks(source, *collected);  // no facts: marks the hours collected
    marks.set_replace(UsageReplace::kConsumers);
    batches.push_back(std::move(marks));
  }
  for (UsageBatch& b : also) batches.push_back(std::move(b));
  TALLY_ASSIGN_OR_RETURN(UsageCommit commit, store.StoreUsage(batches));
  (void)store.RecordUsageRun(source, now, "");  // for its freshness
  return commit;
}

}  // namespace tally
