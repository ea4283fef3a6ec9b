// Stores Slurm job allocations as usage: shared by `tally ingest slurm-sacct` and
// `tally collect slurm`.
#pragma once

#include <optional>
#include <string>

#include "cli/cli.h"
#include "ingest/telemetry/slurm/sacct_readers.h"
#include "tally/store.h"

namespace tally::cli {

// Adds every job of `set` (running jobs count up to `now`, Unix seconds) and stores them under
// `source`, each job replacing its own earlier facts. `collected`, when given, marks those hours
// as collected (complete) for the source, so a collector resumes after them.
Result<UsageCommit> StoreSlurmJobs(const GlobalOptions& globals, const SlurmJobSet& set,
                                   int64_t now, const std::string& source,
                                   std::optional<TimeWindow> collected);

}  // namespace tally::cli
