// Slurm accounting inputs into SlurmJobs (docs/formats/slurm.md):
//   text: `sacct -P` / `--parsable2` with its header; headerless files with the fields given
//         (`--fields F1,F2,...`); the XDMoD shredder layout (26 fields, no header);
//   json: `sacct --json` (data_parser 0.0.37 to 0.0.43) and slurmrestd job lists.
// Steps (JobIDRaw "123.batch", "123.0") fold into their allocation: their CPU time when the
// allocation line has none, and the largest MaxRSS. A record seen twice (the same file given
// twice, overlapping dumps) counts once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ingest/telemetry/slurm/slurm_job.h"

namespace tally {

// A line skipped, for the caller to report.
struct SlurmLineProblem {
  std::string file;
  int64_t line = 0;
  std::string reason;
};

// The fields of the XDMoD shredder's sacct call, in order.
const std::vector<std::string>& XdmodSacctFields();

// Job allocations in the order first seen, steps folded in. A record is keyed by cluster,
// JobIDRaw and start, so the same allocation read again replaces itself.
class SlurmJobSet {
 public:
  // `cluster` names jobs whose input has no cluster field.
  explicit SlurmJobSet(std::string cluster) : cluster_(std::move(cluster)) {}

  // Text: `fields` empty means the first line is the header. Lines with the wrong number of
  // fields (a cut-off last line) or unreadable values go to *problems and are skipped.
  // Errors: no JobIDRaw (or JobID) field, an empty input.
  Status AddText(std::string_view text, const std::string& file,
                 const std::vector<std::string>& fields, std::vector<SlurmLineProblem>* problems);
  // JSON: {"jobs": [...]} of sacct --json or slurmrestd. Errors: not JSON, no "jobs" array.
  Status AddJson(std::string_view text, const std::string& file,
                 std::vector<SlurmLineProblem>* problems);

  // Applies the steps' CPU time to allocations whose own line had none (the Add calls do).
  void FoldSteps();

  const std::vector<SlurmJob>& jobs() const { return jobs_; }
  int64_t steps() const { return steps_; }
  // The newest start or end read: how far a file's running jobs are known to have run.
  int64_t latest() const { return latest_; }

 private:
  SlurmJob* Allocation(const SlurmJob& job);
  std::string cluster_;
  std::vector<SlurmJob> jobs_;
  std::map<std::string, size_t> by_key_;      // cluster/raw/start -> index
  std::map<std::string, size_t> by_raw_;      // cluster/raw -> newest index (for steps)
  std::map<size_t, Decimal> step_cpu_;        // steps' CPU seconds per allocation
  int64_t steps_ = 0;
  int64_t latest_ = 0;
};

// Adds every job of `set` to `usage` (running jobs count up to `now`, Unix seconds).
// Errors: AddSlurmJob's, naming the job.
Status AddSlurmJobs(const SlurmJobSet& set, int64_t now, JobUsage* usage);

}  // namespace tally
