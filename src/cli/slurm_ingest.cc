#include "cli/slurm_ingest.h"

#include "tally/clock.h"

namespace tally::cli {

Result<UsageCommit> StoreSlurmJobs(const GlobalOptions& globals, const SlurmJobSet& set,
                                   int64_t now, const std::string& source,
                                   std::optional<TimeWindow> collected) {
  JobUsage usage(source);
  for (const SlurmJob& job : set.jobs()) {
    const Status added = AddSlurmJob(job, now, &usage);
    if (!added.ok()) return InvalidArgument("job " + job.job_id_raw + ": " + added.message());
  }
  TALLY_ASSIGN_OR_RETURN(std::vector<UsageBatch> batches, usage.Finish());
  if (collected && collected->end > collected->start) {
    UsageBatch marks(source, *collected);  // no facts: marks the hours collected
    marks.set_replace(UsageReplace::kConsumers);
    batches.push_back(std::move(marks));
  }
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(globals.store));
  TALLY_ASSIGN_OR_RETURN(UsageCommit commit, store->StoreUsage(batches));
  (void)store->RecordUsageRun(source, SystemClock().Now(), "");
  return commit;
}

}  // namespace tally::cli
