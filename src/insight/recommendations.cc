#include "insight/recommendations.h"

#include <algorithm>
#include <map>
#include <set>

#include "insight/commitment_purchase.h"
#include "insight/waste_inputs.h"

namespace tally {
namespace {

using namespace waste;  // NOLINT(google-build-using-namespace): the kinds and their inputs

constexpr int64_t kDefaultDays = 14;

}  // namespace


const std::vector<std::string>& RecommendationKinds() {
  static const std::vector<std::string> kinds = {
      "idle_gpu",  "abandoned", "rightsizing",  "orphaned_volume",
      "slurm_job", "spark_app", "cold_storage", "commitment", "node_consolidation"};
  return kinds;
}

Result<RecommendationReport> BuildRecommendations(Store* store, const RecommendQuery& q) {
  const auto& kinds = RecommendationKinds();
  if (!q.kind.empty() && std::find(kinds.begin(), kinds.end(), q.kind) == kinds.end()) {
    return InvalidArgument("unknown kind \"" + q.kind +
                           "\": idle_gpu, abandoned, rightsizing, orphaned_volume, slurm_job, "
                           "spark_app, cold_storage, commitment or node_consolidation");
  }
  RecommendationReport report;
  // The window: the last 14 days of the allocation, else of the data (batch jobs need no cost
  // to be judged).
  TALLY_ASSIGN_OR_RETURN(AllocationStatus status, store->GetAllocationStatus());
  std::optional<TimeWindow> data;
  if (status.last_hour) {
    data = TimeWindow{*status.first_hour, Timestamp::FromUnixSeconds(status.last_hour->unix_seconds() + 3600)};
  } else {
    TALLY_ASSIGN_OR_RETURN(data, store->DataWindow());
  }
  if (!data && (!q.from || !q.to)) return report;  // no data
  const Timestamp to = q.to.value_or(data ? data->end : Timestamp());
  Timestamp from = q.from.value_or(Timestamp::FromUnixSeconds(to.unix_seconds() - kDefaultDays * 86400));
  if (!q.from && data && data->start > from) from = data->start;
  if (to <= from) return InvalidArgument("the window is empty: --to must be after --from");
  report.from = from.ToString();
  report.to = to.ToString();
  report.hours = (to.unix_seconds() - from.unix_seconds()) / 3600;
  TALLY_ASSIGN_OR_RETURN(Costs costs, LoadCosts(store, from, to));
  TALLY_ASSIGN_OR_RETURN(auto usage, LoadUsage(store, from, to, q, costs));
  const Context x{q, costs, report.hours, to.unix_seconds()};
  auto owner_of = [&](const std::string& consumer) {
    auto it = costs.owner.find(consumer);
    return it == costs.owner.end() ? std::string() : it->second.second;
  };
  for (const auto& [name, u] : usage) {
    if (u.slurm || u.spark) {
      std::optional<Recommendation> job = BatchJob(x, name, u);
      if (!job || (!q.kind.empty() && job->kind != q.kind)) continue;
      job->owner = owner_of(name);
      report.rows.push_back(std::move(*job));
      continue;
    }
    std::optional<Recommendation> r = IdleGpu(x, name, u);
    if (!r) r = ColdStorage(x, name, u);
    if (!r && u.gpu_hours == 0 && u.storage_gib_hours == 0) r = Abandoned(x, name, u);
    if (!r) r = Rightsizing(x, name, u);
    if (!r || (!q.kind.empty() && r->kind != q.kind)) continue;
    r->owner = owner_of(name);
    report.rows.push_back(std::move(*r));
  }
  if (q.kind.empty() || q.kind == "orphaned_volume") {
    TALLY_ASSIGN_OR_RETURN(std::vector<AssetRecord> assets, store->ListAssets(from, to));
    for (const AssetRecord& a : assets) {
      if (!a.Orphaned()) continue;
      const std::string owner = costs.asset_owner.contains(a.asset.name)
                                    ? costs.asset_owner.at(a.asset.name).second
                                    : "";
      if (!InSubtree(owner, q.owner)) continue;
      const Decimal cost = costs.asset_total.contains(a.asset.name) ? costs.asset_total.at(a.asset.name)
                                                                    : Decimal();
      const Decimal monthly = x.Monthly(cost);
      if (monthly < q.min_monthly_savings) continue;
      Recommendation r;
      r.kind = "orphaned_volume";
      r.asset = a.asset.name;
      r.owner = owner;
      r.monthly_savings = monthly;
      r.confidence = std::min(1.0, static_cast<double>(report.hours) / (7 * 24));
      const auto capacity = a.capacity.find("storage");
      r.evidence = {{"capacity_gib_hours", capacity == a.capacity.end() ? "0" : capacity->second.ToString()},
                    {"mounted_hours", 0},
                    {"hours", report.hours}};
      r.action = "delete volume " + a.asset.name + " (snapshot it first): no pod mounted it in " +
                 std::to_string(report.hours) + " hours";
      report.rows.push_back(std::move(r));
    }
  }
  if ((q.kind.empty() || q.kind == "node_consolidation") && q.owner.empty()) {
    std::set<std::string> advised;
    for (const Recommendation& r : report.rows) advised.insert(r.consumer);
    TALLY_ASSIGN_OR_RETURN(std::vector<Recommendation> removals,
                           Consolidation(store, x, usage, advised));
    for (Recommendation& r : removals) report.rows.push_back(std::move(r));
  }
  for (const auto& [consumer, resources] : costs.direct) {
    Decimal total;
    for (const auto& [resource, cost] : resources) total += cost;
    report.consumer_monthly[consumer] = x.Monthly(total);
    report.consumer_owner[consumer] = owner_of(consumer);
  }
  for (const auto& [asset, cost] : costs.asset_total) report.asset_monthly[asset] = x.Monthly(cost);
  for (Recommendation& r : report.rows) {
    const auto& costs_of = r.consumer.empty() ? report.asset_monthly : report.consumer_monthly;
    auto it = costs_of.find(r.consumer.empty() ? r.asset : r.consumer);
    if (it != costs_of.end()) r.monthly_cost = it->second;
  }
  if ((q.kind.empty() || q.kind == "commitment") && q.owner.empty()) {
    TALLY_ASSIGN_OR_RETURN(std::vector<Recommendation> buys,
                           CommitmentPurchases(store, from, to, q.commitment_discount));
    for (Recommendation& r : buys) report.rows.push_back(std::move(r));
  }
  std::stable_sort(report.rows.begin(), report.rows.end(), [](const auto& a, const auto& b) {
    return a.monthly_savings > b.monthly_savings;
  });
  for (const Recommendation& r : report.rows) report.total += r.monthly_savings;
  return report;
}

Json RecommendationJson(const RecommendationReport& report) {
  Json rows = Json::array();
  std::map<std::string, Decimal> by_kind, by_owner;
  for (const Recommendation& r : report.rows) {
    by_kind[r.kind] += r.monthly_savings;
    by_owner[r.owner] += r.monthly_savings;
    rows.push_back({{"kind", r.kind},
                    {"consumer", r.consumer.empty() ? Json() : Json(r.consumer)},
                    {"asset", r.asset},
                    {"owner", r.owner},
                    {"monthly_savings", r.monthly_savings.ToString()},
                    {"confidence", std::round(r.confidence * 100) / 100},
                    {"evidence", r.evidence},
                    {"action", r.action}});
  }
  Json kinds = Json::object(), owners = Json::object();
  for (const auto& [k, v] : by_kind) kinds[k] = v.ToString();
  for (const auto& [k, v] : by_owner) owners[k] = v.ToString();
  return {{"from", report.from},          {"to", report.to},
          {"hours", report.hours},        {"total", report.total.ToString()},
          {"by_kind", std::move(kinds)},  {"by_owner", std::move(owners)},
          {"rows", std::move(rows)}};
}

RecordTable RecommendationRecordTable(const RecommendationReport& report) {
  RecordTable t;
  t.columns = {"kind", "consumer_or_asset", "owner", "monthly_savings", "confidence", "action"};
  t.numeric = {false, false, false, true, true, false};
  t.decimal = {false, false, false, true, true, false};
  t.money = {false, false, false, true, false, false};
  for (const Recommendation& r : report.rows) {
    t.rows.push_back({r.kind, r.consumer.empty() ? r.asset : r.consumer, r.owner,
                      r.monthly_savings.ToString(), Number(r.confidence, "%.2f"), r.action});
  }
  return t;
}

}  // namespace tally
