#include <algorithm>
#include <cmath>

#include "insight/node_consolidation.h"
#include "insight/waste_inputs.h"
#include "report/usage_report.h"

namespace tally::waste {
namespace {

std::string Label(const ConsumerUsage& u, const char* key) {
  auto it = u.labels.find(key);
  return it == u.labels.end() ? "" : it->second;
}

}  // namespace

std::optional<Recommendation> IdleGpu(const Context& x, const std::string& name,
                                      const ConsumerUsage& u) {
  if (u.gpu_hours == 0 || u.gpu_idle_hours < x.q.idle_gpu_hours) return std::nullopt;
  const double utilization = u.gpu_usage / u.gpu_request;
  if (utilization >= x.q.idle_gpu_utilization) return std::nullopt;
  const Decimal idle_cost = *(*x.Direct(name, "gpu").Multiply(Decimal::FromUnits(u.gpu_idle_hours)))
                                 .Divide(Decimal::FromUnits(u.gpu_hours));
  Recommendation r;
  r.kind = "idle_gpu";
  r.consumer = name;
  r.asset = u.asset;
  r.monthly_savings = x.Monthly(idle_cost);
  r.confidence = std::min(1.0, static_cast<double>(u.gpu_idle_hours) / (7 * 24));
  r.evidence = {{"gpu_hours_requested", Number(u.gpu_request, "%.2f")},
                {"gpu_hours_used", Number(u.gpu_usage, "%.2f")},
                {"utilization", utilization},
                {"idle_hours", u.gpu_idle_hours},
                {"hours", u.gpu_hours},
                {"threshold", x.q.idle_gpu_utilization}};
  r.action = "release the GPUs of " + (u.controller.empty() ? name : u.controller) +
             ": " + Percent(utilization) + " used over " + std::to_string(u.gpu_hours) +
             " hours (scale it to zero, or share the GPU: a MIG slice or time-slicing)";
  return r;
}

std::optional<Recommendation> Abandoned(const Context& x, const std::string& name,
                                        const ConsumerUsage& u) {
  if (u.gpu_hours > 0 || u.cpu_request <= 0) return std::nullopt;
  if (static_cast<int64_t>(u.cpu_days.size()) < x.q.abandoned_days) return std::nullopt;
  double highest = 0;
  auto day = u.cpu_days.rbegin();
  for (int64_t i = 0; i < x.q.abandoned_days; ++i, ++day) {
    if (day->second.request <= 0) return std::nullopt;
    highest = std::max(highest, day->second.usage / day->second.request);
  }
  if (highest >= x.q.abandoned_cpu) return std::nullopt;
  Decimal cost;
  auto c = x.costs.direct.find(name);
  if (c != x.costs.direct.end()) {
    for (const auto& [resource, amount] : c->second) cost += amount;
  }
  Recommendation r;
  r.kind = "abandoned";
  r.consumer = name;
  r.asset = u.asset;
  r.monthly_savings = x.Monthly(cost);
  r.confidence = std::min(1.0, static_cast<double>(u.cpu_days.size()) / 14);
  r.evidence = {{"days", x.q.abandoned_days},
                {"highest_daily_cpu_utilization", highest},
                {"cpu_cores_used", Number(u.cpu.empty() ? 0 : u.cpu.back().second, "%.3f")},
                {"cpu_cores_requested", Number(u.cpu_request / static_cast<double>(u.cpu_hours), "%.3f")},
                {"threshold", x.q.abandoned_cpu},
                {"daily", DailyCpu(u)}};
  r.action = "stop " + (u.controller.empty() ? name : u.controller) + " (scale to zero): CPU under " +
             Percent(x.q.abandoned_cpu) + " of its request on each of the last " +
             std::to_string(x.q.abandoned_days) + " days";
  return r;
}

std::optional<Recommendation> Rightsizing(const Context& x, const std::string& name,
                                          const ConsumerUsage& u) {
  if (u.cpu_hours == 0 && u.memory_hours == 0) return std::nullopt;
  const RightsizingTarget t = Rightsize(u.cpu, u.memory, x.window_end, x.q.rightsizing);
  Json evidence = Json::object();
  Decimal window_savings;
  std::string sets;
  auto resource = [&](const char* key, double requested_hours, int64_t hours, double target,
                      double percentile, const char* unit) {
    if (hours == 0 || requested_hours <= 0) return;
    const double request = requested_hours / static_cast<double>(hours);
    const double cut = 1 - target / request;
    evidence[key] = {{"request", Number(request, "%.3f")},
                     {"percentile", Number(percentile, "%.3f")},
                     {"target", Number(target, "%.3f")},
                     {"unit", unit},
                     {"samples", std::string(key) == "cpu" ? t.cpu_samples : t.memory_days}};
    if (cut < 0.10) return;  // VPA's hysteresis: a smaller change is not worth a restart
    window_savings += *x.Direct(name, key).Multiply(FromDouble(cut));
    sets += std::string(sets.empty() ? "" : ", ") + key + " " + Number(request, "%.3g") + " -> " +
            Number(target, "%.3g") + " " + unit;
  };
  resource("cpu", u.cpu_request, u.cpu_hours, t.cpu, t.cpu_percentile, "core");
  resource("memory", u.memory_request, u.memory_hours, t.memory_gib, t.memory_peak_percentile, "GiB");
  const Decimal monthly = x.Monthly(window_savings);
  if (sets.empty() || monthly < x.q.min_monthly_savings) return std::nullopt;
  evidence["daily"] = DailyCpu(u);
  evidence["policy"] = {{"cpu_percentile", x.q.rightsizing.cpu_percentile},
                        {"memory_percentile", x.q.rightsizing.memory_percentile},
                        {"margin", x.q.rightsizing.margin},
                        {"half_life_hours", x.q.rightsizing.half_life_hours}};
  Recommendation r;
  r.kind = "rightsizing";
  r.consumer = name;
  r.asset = u.asset;
  r.monthly_savings = monthly;
  const int64_t days = std::max(t.memory_days, t.cpu_samples / 24);
  r.confidence = std::min(1.0, static_cast<double>(days) / 7);
  r.evidence = std::move(evidence);
  r.action = "set the requests of " + name + ": " + sets;
  return r;
}

// A Slurm job or a Spark application that used under `job_efficiency` of what it reserved:
// each measured resource's share used (a resource its source did not measure, such as a
// TotalCPU missing from accounting, is left out rather than taken for zero), the time limit's
// share for Slurm, and the requests that would have done. Savings: the cost allocated to what
// it did not use.
std::optional<Recommendation> BatchJob(const Context& x, const std::string& name,
                                       const ConsumerUsage& u) {
  const double hours = u.wall_usage > 0 ? u.wall_usage : static_cast<double>(u.SpanHours());
  if (hours <= 0) return std::nullopt;
  Json evidence = Json::object();
  std::vector<std::string> findings, asks;
  Decimal window_savings;
  const double threshold = x.q.job_efficiency;
  auto measured = [&](const char* key, double requested, double used, const char* unit,
                      double suggested) {
    if (requested <= 0 || used <= 0) return;
    const double efficiency = used / requested;
    evidence[key] = {{"requested", Number(requested / hours, "%.3f")},
                     {"used", Number(used / hours, "%.3f")},
                     {"unit", unit},
                     {"efficiency", std::round(efficiency * 1000) / 1000}};
    if (efficiency >= threshold) return;
    findings.push_back(std::string(key) + " " + Percent(efficiency) + " used");
    asks.push_back(std::string(key) + "=" + Number(suggested, "%.3g") + " " + unit);
    window_savings += *x.Direct(name, key).Multiply(FromDouble(1 - efficiency));
  };
  // Cores and GiB held over the run; suggested: what was used, plus VPA's margin.
  measured("cpu", u.cpu_request, u.cpu_usage, "core", std::ceil(u.cpu_usage / hours * 1.15));
  measured("memory", u.memory_request, u.memory_usage, "GiB",
           std::ceil(u.memory_usage / hours * 1.15 * 4) / 4);
  measured("gpu", u.gpu_request, u.gpu_usage, "gpu", std::ceil(u.gpu_usage / hours));
  if (u.slurm && u.wall_request > 0 && u.wall_usage > 0) {
    const double efficiency = u.wall_usage / u.wall_request;
    evidence["time"] = {{"limit_hours", Number(u.wall_request, "%.2f")},
                        {"elapsed_hours", Number(u.wall_usage, "%.2f")},
                        {"efficiency", std::round(efficiency * 1000) / 1000}};
    if (efficiency < threshold) {
      findings.push_back("time " + Percent(efficiency) + " of the limit");
      asks.push_back("time=" + Number(std::ceil(u.wall_usage * 1.5), "%.0f") + " h");
    }
  }
  if (findings.empty()) return std::nullopt;
  for (const char* key : {"account", "user", "partition", "app_name", "queue"}) {
    if (const std::string v = Label(u, key); !v.empty()) evidence[key] = v;
  }
  evidence["hours"] = Number(hours, "%.2f");
  Recommendation r;
  r.kind = u.slurm ? "slurm_job" : "spark_app";
  r.consumer = name;
  r.asset = u.asset;
  r.monthly_savings = x.Monthly(window_savings);
  r.confidence = 1;  // the job's own accounting: measured, not sampled
  r.evidence = std::move(evidence);
  std::string found, ask;
  for (const std::string& f : findings) found += (found.empty() ? "" : ", ") + f;
  for (const std::string& a : asks) ask += (ask.empty() ? "" : ", ") + a;
  r.action = (u.slurm ? "ask for " + ask + " in jobs like " + name
                      : "run " + (Label(u, "app_name").empty() ? name : Label(u, "app_name")) +
                            " with " + ask + " (or dynamic allocation)") +
             ": " + found;
  return r;
}


// Bucket or table prefixes (storage-csv) nobody read for `cold_days`: an archive tier holds them
// for about a fifth of the price.
std::optional<Recommendation> ColdStorage(const Context& x, const std::string& name,
                                          const ConsumerUsage& u) {
  const std::string last = Label(u, "last_access");
  if (last.empty()) return std::nullopt;
  auto read = ParseTimestamp(last);
  if (!read.ok()) return std::nullopt;
  const double days = static_cast<double>(x.window_end - read->unix_seconds()) / 86400;
  if (days < static_cast<double>(x.q.cold_days)) return std::nullopt;
  const Decimal cost = x.Direct(name, "storage");
  Recommendation r;
  r.kind = "cold_storage";
  r.consumer = name;
  r.asset = u.asset;
  r.monthly_savings = x.Monthly(*cost.Multiply(x.q.archive_saving));
  r.confidence = 1;  // the last access is the store's own record
  r.evidence = {{"last_access", last},
                {"days_since_access", static_cast<int64_t>(days)},
                {"gib", Number(u.storage_gib_hours / static_cast<double>(std::max<int64_t>(u.SpanHours(), 1)), "%.1f")},
                {"archive_saving", x.q.archive_saving.ToString()}};
  r.action = "move " + name + " to an archive tier (or delete it): last read " +
             std::to_string(static_cast<int64_t>(days)) + " days ago";
  return r;
}


// Nodes whose pods fit on the others' free capacity (node_consolidation.h), planned on the last
// day's requests. GPU nodes stay as they are; a node holding a pod with another recommendation
// is not emptied (its saving would count that pod twice), though it may take pods in.
Result<std::vector<Recommendation>> Consolidation(Store* store, const Context& x,
                                                  const std::map<std::string, ConsumerUsage>& usage,
                                                  const std::set<std::string>& advised) {
  UsageQuery q;
  TALLY_ASSIGN_OR_RETURN(UsageGroupKey by_asset, UsageGroupKey::Parse("asset"));
  q.group_by = {by_asset};
  q.from = Timestamp::FromUnixSeconds(x.window_end - 86400);
  q.to = Timestamp::FromUnixSeconds(x.window_end);
  TALLY_ASSIGN_OR_RETURN(UsageTable capacity, QueryCapacity(*store, q));
  std::map<std::string, NodeLoad> nodes;
  std::set<std::string> gpu_nodes;
  for (const UsageRow& row : capacity.rows) {
    const std::string &asset = row.keys[0], &resource = row.keys[1], &unit = row.keys[2];
    const double amount = ToDouble(row.request) / 24;
    if (resource == "gpu") gpu_nodes.insert(asset);
    if (resource == "cpu" && unit == "core") nodes[asset].cpu = amount;
    if (resource == "memory" && unit == "GiB") nodes[asset].memory_gib = amount;
  }
  const int64_t last_day = (x.window_end - 1) / 86400;
  for (const auto& [name, u] : usage) {
    auto node = nodes.find(u.asset);
    if (node == nodes.end() || u.cpu_days.empty() || u.cpu_days.rbegin()->first != last_day) continue;
    const ConsumerUsage::Day& day = u.cpu_days.rbegin()->second;
    if (day.hours == 0) continue;
    node->second.pods.push_back(
        {name, day.request / static_cast<double>(day.hours),
         u.memory_hours > 0 ? u.memory_request / static_cast<double>(u.memory_hours) : 0.0});
    if (advised.contains(name)) node->second.movable = false;
  }
  std::vector<NodeLoad> loads;
  for (auto& [name, load] : nodes) {
    if (gpu_nodes.contains(name) || load.cpu <= 0 || load.memory_gib <= 0) continue;
    load.name = name;
    loads.push_back(std::move(load));
  }
  std::vector<Recommendation> out;
  for (const NodeRemoval& removal : PlanConsolidation(std::move(loads))) {
    auto cost = x.costs.asset_total.find(removal.node);
    if (cost == x.costs.asset_total.end()) continue;
    const Decimal monthly = x.Monthly(cost->second);
    if (monthly < x.q.min_monthly_savings) continue;
    const NodeLoad& node = nodes.at(removal.node);
    Json moves = Json::array();
    std::string targets;
    for (const auto& [pod, target] : removal.moves) {
      moves.push_back({{"pod", pod}, {"to", target}});
      if (targets.find(target) == std::string::npos) targets += (targets.empty() ? "" : ", ") + target;
    }
    Recommendation r;
    r.kind = "node_consolidation";
    r.asset = removal.node;
    r.owner = "(platform)";
    r.monthly_savings = monthly;
    r.confidence = std::min(1.0, static_cast<double>(x.hours) / (7 * 24));
    r.evidence = {{"cpu_cores", Number(node.cpu, "%.2f")},
                  {"cpu_requested", Number(removal.cpu_requested, "%.2f")},
                  {"memory_gib", Number(node.memory_gib, "%.2f")},
                  {"memory_requested", Number(removal.memory_requested, "%.2f")},
                  {"pods", static_cast<int64_t>(removal.moves.size())},
                  {"moves", std::move(moves)}};
    r.action = "drain and delete node " + removal.node + ": its " +
               std::to_string(removal.moves.size()) + " pods fit on " + targets;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace tally::waste
