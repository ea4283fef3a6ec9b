// Stores batch jobs' usage (JobUsage: Spark applications, Slurm jobs) as consumer-replacing
// batches and logs the run on the source: shared by `ingest spark-eventlog`,
// `ingest slurm-sacct`, `collect slurm` and `tally serve`.
#pragma once

#include <optional>
#include <string>

#include "ingest/telemetry/jobs/job_usage.h"
#include "tally/store.h"

namespace tally {

// `collected`, when given, marks those hours collected (complete) for the source, so a
// collector resumes after them; `also` are stored in the same transaction (a collector's node
// capacity facts, which the commit does not count). Errors: the store's (nothing is stored).
Result<UsageCommit> StoreJobUsage(UsageStore& store, const JobUsage& usage,
                                  const std::string& source, Timestamp now,
                                  std::optional<TimeWindow> collected = std::nullopt,
                                  std::vector<UsageBatch> also = {});

}  // namespace tally
