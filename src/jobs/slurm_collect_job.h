// One run of live Slurm collection (docs/formats/slurm.md): the job allocations that ran since
// the source's last complete hour, from `sacct`, and the nodes' capacity from `sinfo`.
// `tally collect slurm` runs it once; `tally serve` runs it on a schedule for the `kind: slurm`
// sources in tally.yaml.
//
// Jobs are stored under `source`, each replacing its own earlier facts (a job still running is
// read again next time); nodes under "<source>/nodes", hour by hour. Hours before the current
// one are marked complete, so the next run starts after them.
#pragma once

#include <optional>
#include <string>

#include "tally/store.h"

namespace tally {

struct SlurmCollectJob {
  std::string source = "slurm";
  std::string slurm_conf;                // SLURM_CONF for the commands; "" = their default
  std::string sacct = "sacct", sinfo = "sinfo";
  std::string cluster = "default";       // for output without a Cluster field
  std::optional<Timestamp> since;        // default: the first hour not complete, else lookback
  int64_t lookback_hours = 24;
  double timeout_seconds = 120;
};

struct SlurmCollectSummary {
  TimeWindow window;   // [start, now)
  size_t jobs = 0;     // allocations read
  int64_t steps = 0;
  int64_t skipped_lines = 0;
  size_t nodes = 0;
  UsageCommit jobs_commit;
  std::string ToString() const;  // the line `tally collect slurm` prints
};

// Errors: a command missing or failing (kNotFound, kUnavailable, with its message), output
// that cannot be read, the store's. Nothing is stored then, and the error is recorded on the
// source (RecordUsageRun).
Result<SlurmCollectSummary> RunSlurmCollect(UsageStore& store, const SlurmCollectJob& job,
                                            Timestamp now);

}  // namespace tally
