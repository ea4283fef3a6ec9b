// Waste and savings (`tally recommend`, GET /api/v1/recommendations; docs/recommendations.md):
// what each inefficiency costs a month, the evidence, and the action that would save it.
//
// Kinds, one recommendation per consumer at most (the first that applies, so no saving is
// counted twice for the same resource):
//   idle_gpu         GPUs held with utilization under `idle_gpu_utilization` for at least
//                    `idle_gpu_hours` hours: the GPU cost of those hours
//   abandoned        no GPU, and CPU under `abandoned_cpu` of its request on each of the last
//                    `abandoned_days` days: everything the consumer costs
//   rightsizing      CPU and memory requests above their VPA-style targets (rightsizing.h):
//                    each resource's cost × (1 - target / request), when at least
//                    `min_monthly_savings` and a cut of at least 10% (VPA's hysteresis)
//   cold_storage     a bucket or table prefix (storage-csv) last read `cold_days` ago or more:
//                    its cost × `archive_saving` (an archive tier's price is about a fifth)
// and per asset:
//   orphaned_volume  a volume no consumer mounted in the window: all it costs
//   node_consolidation  a node whose pods fit on the others' room (node_consolidation.h): all
//                    it costs
// and for the platform, from the bill (commitment_purchase.h):
//   commitment       the 10th percentile of hourly on-demand compute, bought as a 1-year
//                    commitment: that × 730 × `commitment_discount`
// Batch jobs are judged by their own run instead (no floor on savings: a job without allocated
// cost is still worth fixing):
//   slurm_job        a Slurm job (consumer slurm/<cluster>/<id>) that used under
//                    `job_efficiency` of its cores, memory or GPUs, or of its time limit
//   spark_app        a Spark application whose executors were busy under `job_efficiency` of
//                    the core-hours they held (or used that little of their memory)
// Each measured resource's share used is the evidence, with the requests that would have done;
// the savings are the cost allocated to what was not used.
//
// A month is 730 hours: savings are the window's cost × 730 / its hours. The window is the
// last 14 days of allocated data (of any data when nothing is allocated) unless given. Money is exact (Decimal) but for rightsizing's
// fraction, a statistic. Stateless; reads the store on the caller's thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "insight/rightsizing.h"
#include "report/record_table.h"
#include "tally/decimal.h"
#include "tally/store.h"

namespace tally {

struct RecommendQuery {
  std::optional<Timestamp> from, to;
  std::string kind;   // only this kind; "" for all
  std::string owner;  // only this owner path and those below it; "" for all
  RightsizingPolicy rightsizing;
  double idle_gpu_utilization = 0.05;
  int64_t idle_gpu_hours = 24;
  double abandoned_cpu = 0.05;
  int64_t abandoned_days = 7;
  Decimal min_monthly_savings = Decimal::FromUnits(5);
  double job_efficiency = 0.5;  // a batch job using less of a resource is flagged
  int64_t cold_days = 90;       // storage not read for this long is cold
  Decimal archive_saving = *Decimal::Parse("0.8");        // an archive tier's saving
  Decimal commitment_discount = *Decimal::Parse("0.28");  // a 1-year commitment's saving
};

struct Recommendation {
  std::string kind;
  std::string consumer;  // "" for an asset's recommendation
  std::string asset;
  std::string owner;
  Decimal monthly_savings;  // rounded to cents
  // What the consumer (all its resources) or the asset costs a month now: the baseline its
  // realized savings are measured against once it is applied (recommendation_lifecycle.h).
  Decimal monthly_cost;
  double confidence = 0;    // 0..1: how much of a full week of evidence there is
  nlohmann::ordered_json evidence;
  std::string action;
};

struct RecommendationReport {
  std::string from, to;  // the window
  int64_t hours = 0;
  std::vector<Recommendation> rows;  // largest savings first
  Decimal total;
  // Every consumer's and asset's monthly cost in the window, for the lifecycle, and each
  // consumer's owner (the owner of most of its cost).
  std::map<std::string, Decimal> consumer_monthly, asset_monthly;
  std::map<std::string, std::string> consumer_owner;
};

// The kinds, for validation and help.
const std::vector<std::string>& RecommendationKinds();

// Errors: kInvalidArgument for an unknown kind or a bad window; the store's.
Result<RecommendationReport> BuildRecommendations(Store* store, const RecommendQuery& query);

// {"from", "to", "hours", "total", "by_kind":{kind: savings}, "by_owner":{...}, "rows":[{kind,
// consumer, asset, owner, monthly_savings, confidence, evidence, action}]}.
nlohmann::ordered_json RecommendationJson(const RecommendationReport& report);
RecordTable RecommendationRecordTable(const RecommendationReport& report);

}  // namespace tally
