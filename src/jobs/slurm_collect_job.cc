#include "jobs/slurm_collect_job.h"

#include <algorithm>
#include <cstdio>

#include "collect/command_runner.h"
#include "ingest/telemetry/slurm/sacct_readers.h"
#include "ingest/telemetry/slurm/slurm_nodes.h"
#include "jobs/job_usage_store.h"

namespace tally {
namespace {

// What sacct is asked for: allocations and steps, times in UTC.
constexpr const char* kSacctFormat =
    "JobID,JobIDRaw,Cluster,Account,User,Partition,QOS,State,Start,End,ElapsedRaw,AllocTRES,"
    "NodeList,TotalCPU,MaxRSS,TimelimitRaw,JobName";

std::string SacctTime(Timestamp t) {  // "2026-12-02T13:00:00", read by sacct in TZ=UTC
  std::string text = t.ToString();
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  return text;
}

// The first hour of [now - lookback, current hour) the source has not completed.
Result<Timestamp> FirstOpenHour(UsageStore& store, const SlurmCollectJob& job, Timestamp now) {
  const Timestamp current = now.StartOfHour();
  const Timestamp first =
      Timestamp::FromUnixSeconds(current.unix_seconds() - job.lookback_hours * 3600);
  TALLY_ASSIGN_OR_RETURN(std::vector<Timestamp> complete,
                         store.CompleteUsageHours(job.source, TimeWindow{first, current}));
  std::sort(complete.begin(), complete.end());
  Timestamp h = first;
  for (const Timestamp& done : complete) {
    if (done != h) break;
    h = Timestamp::FromUnixSeconds(h.unix_seconds() + 3600);
  }
  return h;
}

// The nodes' capacity for every hour of `window`, as one hour-replacing batch.
UsageBatch NodeCapacity(const std::vector<SlurmNode>& nodes, const std::string& source,
                                TimeWindow window, bool complete) {
  UsageBatch batch(source, window);
  batch.set_complete(complete);
  for (const SlurmNode& node : nodes) {
    Asset asset;
    asset.name = node.name;
    const uint32_t a = batch.AddAsset(asset);
    for (int64_t h = window.start.unix_seconds(); h < window.end.unix_seconds(); h += 3600) {
      const Timestamp hour = Timestamp::FromUnixSeconds(h);
      batch.AddCapacity({hour, a, "cpu", "core", Decimal::FromUnits(node.cpus)});
      batch.AddCapacity({hour, a, "memory", "GiB",
                         Decimal::FromRaw(Decimal::FromUnits(node.memory_mib).raw() / 1024)});
      if (node.gpus > 0) batch.AddCapacity({hour, a, "gpu", "gpu", Decimal::FromUnits(node.gpus)});
    }
  }
  return batch;
}

Result<SlurmCollectSummary> Collect(UsageStore& store, const SlurmCollectJob& job, Timestamp now) {
  SlurmCollectSummary summary;
  Timestamp start = job.since ? job.since->StartOfHour() : Timestamp();
  if (!job.since) {
    TALLY_ASSIGN_OR_RETURN(start, FirstOpenHour(store, job, now));
  }
  if (now <= start) return InvalidArgument("nothing to collect: --since is not in the past");
  summary.window = TimeWindow{start, now};
  CommandOptions options;
  options.env.push_back("TZ=UTC");
  if (!job.slurm_conf.empty()) options.env.push_back("SLURM_CONF=" + job.slurm_conf);
  options.timeout_seconds = job.timeout_seconds;

  TALLY_ASSIGN_OR_RETURN(
      std::string sacct,
      RunCommand({job.sacct, "--allusers", "--parsable2", "--duplicates", "--starttime",
                  SacctTime(start), "--endtime", SacctTime(now), "--format", kSacctFormat},
                 options));
  TALLY_ASSIGN_OR_RETURN(std::string sinfo,
                         RunCommand({job.sinfo, "--Node", "--noheader", "--format", kSinfoNodeFormat},
                                    options));
  SlurmJobSet set(job.cluster);
  std::vector<SlurmLineProblem> problems;
  if (!sacct.empty()) TALLY_RETURN_IF_ERROR(set.AddText(sacct, "sacct", {}, &problems));
  TALLY_ASSIGN_OR_RETURN(std::vector<SlurmNode> nodes, ParseSinfoNodes(sinfo));
  summary.jobs = set.jobs().size();
  summary.steps = set.steps();
  summary.skipped_lines = static_cast<int64_t>(problems.size());
  summary.nodes = nodes.size();

  JobUsage usage(job.source);
  TALLY_RETURN_IF_ERROR(AddSlurmJobs(set, now.unix_seconds(), &usage));
  // The nodes' capacity: complete for the hours before this one, open for this one.
  const Timestamp current = now.StartOfHour();
  std::vector<UsageBatch> capacity;
  if (current > start) {
    capacity.push_back(NodeCapacity(nodes, job.source + "/nodes", {start, current}, true));
  }
  capacity.push_back(NodeCapacity(nodes, job.source + "/nodes",
                                  {current, Timestamp::FromUnixSeconds(current.unix_seconds() + 3600)},
                                  false));
  TALLY_ASSIGN_OR_RETURN(summary.jobs_commit,
                         StoreJobUsage(store, usage, job.source, now, TimeWindow{start, current},
                                       std::move(capacity)));
  (void)store.RecordUsageRun(job.source + "/nodes", now, "");
  return summary;
}

}  // namespace

std::string SlurmCollectSummary::ToString() const {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s to %s: %zu job allocations (%lld steps), %lld usage facts stored (%lld "
                "replaced), %zu nodes, %lld sacct lines skipped",
                window.start.ToString().c_str(), window.end.ToString().c_str(), jobs,
                static_cast<long long>(steps), static_cast<long long>(jobs_commit.facts_stored),
                static_cast<long long>(jobs_commit.facts_replaced), nodes,
                static_cast<long long>(skipped_lines));
  return line;
}

Result<SlurmCollectSummary> RunSlurmCollect(UsageStore& store, const SlurmCollectJob& job,
                                            Timestamp now) {
  Result<SlurmCollectSummary> summary = Collect(store, job, now);
  if (!summary.ok()) (void)store.RecordUsageRun(job.source, now, summary.status().message());
  return summary;
}

}  // namespace tally
