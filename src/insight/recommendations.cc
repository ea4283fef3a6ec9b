#include "insight/recommendations.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "insight/commitment_purchase.h"
#include "report/showback.h"

namespace tally {
namespace {

using Json = nlohmann::ordered_json;

constexpr int64_t kMonthHours = 730;
constexpr int64_t kDefaultDays = 14;
constexpr size_t kMaxSamples = 20'000'000;  // hourly CPU and memory samples held at once

double ToDouble(Decimal d) { return static_cast<double>(d.raw()) / static_cast<double>(Decimal::kOne); }

Decimal FromDouble(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9f", v);
  return *Decimal::Parse(text);
}

bool InSubtree(const std::string& owner, const std::string& root) {
  return root.empty() || owner == root ||
         (owner.size() > root.size() && owner.compare(0, root.size(), root) == 0 &&
          owner[root.size()] == '/');
}

// What the window's costs say per consumer and asset.
struct Costs {
  std::map<std::string, std::map<std::string, Decimal>> direct;  // consumer -> resource -> cost
  std::map<std::string, std::pair<Decimal, std::string>> owner;  // consumer -> costliest owner
  std::map<std::string, Decimal> asset_total;                    // asset -> all its cost
  std::map<std::string, std::pair<Decimal, std::string>> asset_owner;
};

Result<Costs> LoadCosts(Store* store, Timestamp from, Timestamp to) {
  ShowbackQuery q;
  for (AllocationColumn c : {AllocationColumn::kConsumer, AllocationColumn::kAsset,
                             AllocationColumn::kResource, AllocationColumn::kOwner,
                             AllocationColumn::kKind}) {
    q.group_by.push_back(ShowbackKey::Of(c));
  }
  q.from = from;
  q.to = to;
  TALLY_ASSIGN_OR_RETURN(ShowbackTable table, QueryShowback(*store, q));
  const std::string direct(AllocationKindName(AllocationKind::kDirect));
  Costs c;
  for (const ShowbackRow& r : table.rows) {
    const std::string &consumer = r.keys[0], &asset = r.keys[1], &resource = r.keys[2],
                      &owner = r.keys[3];
    c.asset_total[asset] += r.cost;
    auto& asset_owner = c.asset_owner[asset];
    if (asset_owner.second.empty() || r.cost > asset_owner.first) asset_owner = {r.cost, owner};
    if (r.keys[4] != direct) continue;
    c.direct[consumer][resource] += r.cost;
    auto& best = c.owner[consumer];
    if (best.second.empty() || r.cost > best.first) best = {r.cost, owner};
  }
  return c;
}

// A consumer's usage over the window, hour by hour, as the recommendations need it.
struct ConsumerUsage {
  std::string asset, controller;
  Labels labels;
  bool slurm = false, spark = false;  // a batch job: judged by its own efficiency
  HourlySamples cpu, memory;              // usage per hour: cores, GiB
  double cpu_request = 0, memory_request = 0;  // summed over the hours (amount-hours)
  int64_t cpu_hours = 0, memory_hours = 0;
  struct Day {
    double usage = 0, request = 0;
    int64_t hours = 0;
  };
  std::map<int64_t, Day> cpu_days;  // day number -> CPU amount-hours
  double gpu_request = 0, gpu_usage = 0;
  int64_t gpu_hours = 0, gpu_idle_hours = 0;
  double cpu_usage = 0, memory_usage = 0;      // amount-hours
  double wall_request = 0, wall_usage = 0;     // Slurm: the time limit and the elapsed hours
  double storage_gib_hours = 0;
  int64_t first_hour = INT64_MAX, last_hour = INT64_MIN;
  int64_t SpanHours() const { return last_hour < first_hour ? 0 : (last_hour - first_hour) / 3600 + 1; }
};

// Slurm jobs are "slurm/<cluster>/<id>"; Spark applications carry their app_name or an
// application id.
bool IsSpark(const Consumer& c) {
  return c.labels.contains("app_name") || c.name.starts_with("application_") ||
         c.name.starts_with("app-") || c.name.starts_with("local-");
}

Result<std::map<std::string, ConsumerUsage>> LoadUsage(Store* store, Timestamp from, Timestamp to,
                                                       const RecommendQuery& q,
                                                       const Costs& costs) {
  std::map<std::string, ConsumerUsage> out;
  size_t samples = 0;
  TALLY_RETURN_IF_ERROR(store->ScanUsageFacts(
      FactKind::kUsage, from, to, std::nullopt, [&](const UsageFactView& f) -> Status {
        if (f.consumer == nullptr) return Status::Ok();
        const std::string& name = f.consumer->name;
        auto owner = costs.owner.find(name);
        if (!q.owner.empty() && (owner == costs.owner.end() || !InSubtree(owner->second.second, q.owner))) {
          return Status::Ok();
        }
        auto [it, fresh] = out.try_emplace(name);
        ConsumerUsage& u = it->second;
        if (fresh) {
          u.controller = f.consumer->controller;
          u.labels = f.consumer->labels;
          u.slurm = name.starts_with("slurm/");
          u.spark = !u.slurm && IsSpark(*f.consumer);
        }
        if (u.asset.empty() && f.asset != nullptr) u.asset = f.asset->name;
        u.first_hour = std::min(u.first_hour, f.hour);
        u.last_hour = std::max(u.last_hour, f.hour);
        const double request = ToDouble(f.request), usage = ToDouble(f.usage);
        if (f.resource == "cpu" && f.unit == "core") {
          u.cpu.emplace_back(f.hour, usage);
          u.cpu_request += request;
          u.cpu_usage += usage;
          ++u.cpu_hours;
          ConsumerUsage::Day& day = u.cpu_days[f.hour / 86400];
          day.usage += usage;
          day.request += request;
          ++day.hours;
          ++samples;
        } else if (f.resource == "memory" && f.unit == "GiB") {
          u.memory.emplace_back(f.hour, usage);
          u.memory_request += request;
          u.memory_usage += usage;
          ++u.memory_hours;
          ++samples;
        } else if (f.resource == "storage") {
          u.storage_gib_hours += usage;
        } else if (f.resource == "walltime") {
          u.wall_request += request;
          u.wall_usage += usage;
        } else if (f.resource == "gpu" && request > 0) {
          u.gpu_request += request;
          u.gpu_usage += usage;
          ++u.gpu_hours;
          if (usage < q.idle_gpu_utilization * request) ++u.gpu_idle_hours;
        }
        if (samples > kMaxSamples) {
          return InvalidArgument("too many consumer-hours to weigh at once (more than " +
                                 std::to_string(kMaxSamples) +
                                 " samples): narrow the window or name an owner");
        }
        return Status::Ok();
      }));
  return out;
}

std::string Percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", share * 100);
  return text;
}

std::string Number(double v, const char* format) {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

// The CPU cores used and requested on average each day: the series a person checks a
// recommendation against.
Json DailyCpu(const ConsumerUsage& u) {
  Json days = Json::array();
  for (const auto& [day, d] : u.cpu_days) {
    if (d.hours == 0) continue;
    days.push_back({{"date", Timestamp::FromUnixSeconds(day * 86400).ToString().substr(0, 10)},
                    {"cpu_used", Number(d.usage / static_cast<double>(d.hours), "%.4f")},
                    {"cpu_requested", Number(d.request / static_cast<double>(d.hours), "%.4f")}});
  }
  return days;
}

struct Context {
  const RecommendQuery& q;
  const Costs& costs;
  int64_t hours;
  int64_t window_end;
  Decimal Monthly(Decimal window_cost) const {
    return (*window_cost.Multiply(Decimal::FromUnits(kMonthHours)))
        .Divide(Decimal::FromUnits(hours))
        ->Round(2);
  }
  Decimal Direct(const std::string& consumer, const std::string& resource) const {
    auto c = costs.direct.find(consumer);
    if (c == costs.direct.end()) return Decimal();
    auto r = c->second.find(resource);
    return r == c->second.end() ? Decimal() : r->second;
  }
};

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


std::string Label(const ConsumerUsage& u, const char* key) {
  auto it = u.labels.find(key);
  return it == u.labels.end() ? "" : it->second;
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

}  // namespace

const std::vector<std::string>& RecommendationKinds() {
  static const std::vector<std::string> kinds = {
      "idle_gpu",  "abandoned", "rightsizing",  "orphaned_volume",
      "slurm_job", "spark_app", "cold_storage", "commitment"};
  return kinds;
}

Result<RecommendationReport> BuildRecommendations(Store* store, const RecommendQuery& q) {
  const auto& kinds = RecommendationKinds();
  if (!q.kind.empty() && std::find(kinds.begin(), kinds.end(), q.kind) == kinds.end()) {
    return InvalidArgument("unknown kind \"" + q.kind +
                           "\": idle_gpu, abandoned, rightsizing, orphaned_volume, slurm_job, "
                           "spark_app, cold_storage or commitment");
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
  for (const auto& [consumer, resources] : costs.direct) {
    Decimal total;
    for (const auto& [resource, cost] : resources) total += cost;
    report.consumer_monthly[consumer] = x.Monthly(total);
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
