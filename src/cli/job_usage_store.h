// Stores batch jobs' usage (JobUsage: Spark applications, Slurm jobs) as consumer-replacing
// batches and logs the run: shared by `ingest spark-eventlog`, `ingest slurm-sacct` and
// `collect slurm`.
#pragma once

#include <optional>

#include "cli/cli.h"
#include "ingest/telemetry/jobs/job_usage.h"
#include "tally/store.h"

namespace tally::cli {

// `collected`, when given, marks those hours collected (complete) for the source, so a
// collector resumes after them.
Result<UsageCommit> StoreJobUsage(const GlobalOptions& globals, const JobUsage& usage,
                                  const std::string& source,
                                  std::optional<TimeWindow> collected = std::nullopt);

}  // namespace tally::cli
