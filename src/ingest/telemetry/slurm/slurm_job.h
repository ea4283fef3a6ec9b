// Slurm job allocations from accounting (sacct, slurmrestd) and what they become as usage
// (docs/formats/slurm.md). A job allocation is the consumer slurm/<cluster>/<JobIDRaw>; its steps
// only say what it used (CPU time, peak RSS), never what it reserved.
//   cpu (core), memory (GiB), gpu (gpu): request = AllocTRES cpu, mem and gres/gpu held from
//     Start for Elapsed (a running job up to now), split over the nodes of its NodeList;
//     usage = TotalCPU (or UserCPU + SystemCPU) spread over the run, and the largest step's
//     MaxRSS per node. Pending jobs reserve nothing.
//   billing (billing-unit): request = AllocTRES billing (Slurm's TRESBillingWeights applied by
//     slurmctld) over the run, so chargeback can match sreport.
//   walltime (hour): request = the time limit, usage = the elapsed time, spread over the run
//     (the limit's efficiency; none for an unlimited job).
// billing and walltime have no asset: they describe the job, and allocation passes them by.
// Labels: account, user, partition, qos, cluster, and state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ingest/telemetry/jobs/job_usage.h"
#include "tally/decimal.h"
#include "tally/result.h"

namespace tally {

struct SlurmJob {
  std::string cluster;
  std::string job_id_raw;  // "4103947"; an array task has its own raw id
  std::string job_id;      // "4103947_[1-3]", as sacct prints it
  std::string account, user, partition, qos, state, name;
  std::optional<int64_t> start;    // Unix seconds; none while pending
  std::optional<int64_t> end;      // none while running
  std::optional<int64_t> elapsed;  // seconds
  std::optional<int64_t> time_limit_minutes;
  std::map<std::string, Decimal> alloc_tres;  // "cpu", "mem" (MiB), "gres/gpu", "billing", "node"
  std::vector<std::string> nodes;
  std::optional<Decimal> cpu_seconds;     // TotalCPU, or the steps' sum
  std::optional<Decimal> max_rss_bytes;   // the largest step's
  int64_t line = 0;                       // where the allocation was read (text inputs)

  // The allocation's GPUs: gres/gpu, else the sum of typed gres/gpu:<type>.
  Decimal Gpus() const;
};

// Adds the job's facts to `usage`; a job with no start, no elapsed time or no nodes adds none.
// `now` bounds a running job without elapsed time. Errors: kInvalidArgument (out of range).
Status AddSlurmJob(const SlurmJob& job, int64_t now, JobUsage* usage);

// Parses Slurm's texts: "2024-11-13T11:08:00" (taken as UTC; run sacct with TZ=UTC), durations
// "[D-][HH:]MM:SS[.fff]" (Elapsed, TotalCPU), sizes "10000M", "112488K", "1.5G" (in bytes), and
// TRES lists "cpu=6,mem=10000M,gres/gpu=1" (mem in MiB).
std::optional<int64_t> ParseSlurmTime(std::string_view text);
std::optional<Decimal> ParseSlurmDuration(std::string_view text);
std::optional<Decimal> ParseSlurmSize(std::string_view text);
Result<std::map<std::string, Decimal>> ParseTres(std::string_view text);

// Expands a hostlist ("cpn-f15-[27-29],d13n[03,05,07-08]") into names. Errors: bad syntax, or
// more than `limit` names.
Result<std::vector<std::string>> ExpandHostlist(std::string_view text, size_t limit = 100'000);

}  // namespace tally
