#include "report/gpu_report.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "report/showback.h"
#include "report/usage_report.h"

namespace tally {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kGpu = "gpu";

// part / whole to 4 places; "" when whole is zero.
std::string Ratio(Decimal part, Decimal whole) {
  if (whole.is_zero()) return "";
  auto r = part.Divide(whole);
  return r.ok() ? r->Round(4).ToString() : "";
}

// GPU facts grouped by `by` (the query filters the resource, so every row is gpu).
Result<UsageTable> GpuFacts(Store& store, std::optional<Timestamp> from,
                            std::optional<Timestamp> to, std::vector<const char*> by,
                            bool capacity) {
  UsageQuery q;
  for (const char* key : by) q.group_by.push_back(*UsageGroupKey::Parse(key));
  q.from = from;
  q.to = to;
  q.resource = std::string(kGpu);
  return capacity ? QueryCapacity(store, q) : QueryUsage(store, q);
}

// GPU-hours in whole GPUs: a shared GPU's parts ("mig-slice/7", "replica/4") divided out.
Decimal WholeGpus(const Decimal& amount, const std::string& unit) {
  const int64_t per_whole = UnitsPerWhole(unit);
  if (per_whole == 1) return amount;
  auto whole = amount.Divide(Decimal::FromUnits(per_whole));
  return whole.ok() ? *whole : amount;
}

Json AmountsJson(const GpuAmounts& a, bool with_capacity, bool with_cost) {
  Json j = Json::object();
  if (with_capacity) j["capacity"] = a.capacity.ToString();
  j["requested"] = a.requested.ToString();
  j["used"] = a.used.ToString();
  if (with_capacity) j["utilization"] = Ratio(a.used, a.capacity);
  j["efficiency"] = Ratio(a.used, a.requested);
  if (with_cost) {
    j["cost"] = a.cost.ToString();
    if (with_capacity) j["idle_cost"] = a.idle_cost.ToString();
    j["unused_cost"] = a.unused_cost.ToString();
  }
  return j;
}

}  // namespace

Result<GpuReport> BuildGpuReport(Store& store, std::optional<Timestamp> from,
                                 std::optional<Timestamp> to) {
  // One scan of the capacity facts and one of the usage facts; every node that has GPU
  // capacity, GPU requests or GPU cost is listed, so the totals hold all of them.
  std::map<std::string, GpuAmounts> nodes, days, consumers;
  TALLY_ASSIGN_OR_RETURN(UsageTable capacity, GpuFacts(store, from, to, {"node", "day"}, true));
  for (const UsageRow& r : capacity.rows) {
    const Decimal gpus = WholeGpus(r.request, r.keys.back());
    nodes[r.keys[0]].capacity += gpus;
    days[r.keys[1]].capacity += gpus;
  }
  // Usage hour by hour, for the days and for each consumer-hour's allocated and used GPUs.
  TALLY_ASSIGN_OR_RETURN(UsageTable usage,
                         GpuFacts(store, from, to, {"node", "consumer", "hour"}, false));
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<Decimal, Decimal>> held;
  for (const UsageRow& r : usage.rows) {
    const Decimal requested = WholeGpus(r.request, r.keys.back());
    const Decimal used_gpus = WholeGpus(r.usage, r.keys.back());
    for (GpuAmounts* a :
         {&nodes[r.keys[0]], &consumers[r.keys[1]], &days[r.keys[2].substr(0, 10)]}) {
      a->requested += requested;
      a->used += used_gpus;
    }
    // In the fact's own unit: the ratio used / allocated is what matters, and parts are exact.
    auto& [request, used] = held[{r.keys[2], r.keys[0], r.keys[1]}];
    request += r.request;
    used += r.usage;
  }

  // Cost of the gpu component, by hour, node, consumer, owner and kind, in one scan.
  ShowbackQuery gpu_cost{{ShowbackKey::Of(AllocationColumn::kHour),
                          ShowbackKey::Of(AllocationColumn::kAsset),
                          ShowbackKey::Of(AllocationColumn::kConsumer),
                          ShowbackKey::Of(AllocationColumn::kOwner),
                          ShowbackKey::Of(AllocationColumn::kKind)},
                         from, to, std::string(kGpu), {}, {}};
  TALLY_ASSIGN_OR_RETURN(ShowbackTable cost, QueryShowback(store, gpu_cost));
  std::map<std::string, std::string> owner_of;
  std::map<std::string, GpuOwnerIdle> owners;
  for (const ShowbackRow& r : cost.rows) {
    const std::string &hour = r.keys[0], &asset = r.keys[1], &consumer = r.keys[2],
                      &owner = r.keys[3], &kind = r.keys[4];
    if (kind != "direct" && kind != "idle") continue;  // a component's cost is these two
    nodes[asset].cost += r.cost;
    GpuOwnerIdle& o = owners[owner];
    o.owner = owner;
    if (kind == "idle") {
      nodes[asset].idle_cost += r.cost;
      o.unrequested_cost += r.cost;
      continue;
    }
    consumers[consumer].cost += r.cost;
    owner_of[consumer] = owner;
    o.cost += r.cost;
    // Held and not used: cost × (allocated − used) / allocated, allocated = max(request, use).
    auto h = held.find({hour, asset, consumer});
    if (h == held.end()) continue;
    const auto& [request, used] = h->second;
    const Decimal allocated = std::max(request, used);
    if (allocated.is_zero() || !(used < allocated)) continue;
    TALLY_ASSIGN_OR_RETURN(Decimal part, r.cost.Multiply(allocated - used));
    TALLY_ASSIGN_OR_RETURN(Decimal unused, part.Divide(allocated));
    nodes[asset].unused_cost += unused;
    consumers[consumer].unused_cost += unused;
    o.unused_cost += unused;
  }

  GpuReport report;
  for (auto& [name, a] : nodes) {
    report.total.capacity += a.capacity;
    report.total.requested += a.requested;
    report.total.used += a.used;
    report.total.cost += a.cost;
    report.total.idle_cost += a.idle_cost;
    report.total.unused_cost += a.unused_cost;
    report.nodes.emplace_back(name, a);
  }
  for (auto& [name, o] : owners) report.owners.push_back(std::move(o));
  std::stable_sort(report.owners.begin(), report.owners.end(),
                   [](const auto& a, const auto& b) { return b.idle_cost() < a.idle_cost(); });
  for (auto& [name, a] : consumers) {
    report.consumers.push_back(GpuReport::Consumer{name, owner_of[name], a});
  }
  std::stable_sort(report.consumers.begin(), report.consumers.end(),
                   [](const auto& a, const auto& b) { return a.amounts.cost > b.amounts.cost; });
  for (auto& [day, a] : days) report.daily.emplace_back(day, a);
  return report;
}

Json GpuReportJson(const GpuReport& report) {
  Json nodes = Json::array(), consumers = Json::array(), daily = Json::array();
  for (const auto& [name, a] : report.nodes) {
    Json j = {{"node", name}};
    j.update(AmountsJson(a, true, true));
    nodes.push_back(std::move(j));
  }
  for (const GpuReport::Consumer& c : report.consumers) {
    Json j = {{"consumer", c.consumer}, {"owner", c.owner}};
    j.update(AmountsJson(c.amounts, false, true));
    consumers.push_back(std::move(j));
  }
  for (const auto& [day, a] : report.daily) {
    Json j = {{"day", day}};
    j.update(AmountsJson(a, true, false));
    daily.push_back(std::move(j));
  }
  Json owners = Json::array();
  for (const GpuOwnerIdle& o : report.owners) {
    owners.push_back({{"owner", o.owner},
                      {"cost", o.cost.ToString()},
                      {"unused_cost", o.unused_cost.ToString()},
                      {"unrequested_cost", o.unrequested_cost.ToString()},
                      {"idle_cost", o.idle_cost().ToString()}});
  }
  return Json{{"total", AmountsJson(report.total, true, true)},
              {"nodes", std::move(nodes)},
              {"consumers", std::move(consumers)},
              {"daily", std::move(daily)},
              {"owners", std::move(owners)}};
}

RecordTable GpuNodesTable(const GpuReport& report) {
  RecordTable t{{"node", "capacity", "requested", "used", "utilization", "cost", "idle_cost"},
                {false, true, true, true, true, true, true},
                {false, true, true, true, true, true, true},
                {},
                {false, false, false, false, false, true, true}};
  auto row = [&](const std::string& name, const GpuAmounts& a) {
    t.rows.push_back({name, a.capacity.ToString(), a.requested.ToString(), a.used.ToString(),
                      Ratio(a.used, a.capacity), a.cost.ToString(), a.idle_cost.ToString()});
  };
  for (const auto& [name, a] : report.nodes) row(name, a);
  row("TOTAL", report.total);
  return t;
}

RecordTable GpuConsumersTable(const GpuReport& report) {
  RecordTable t{{"consumer", "owner", "requested", "used", "efficiency", "cost"},
                {false, false, true, true, true, true},
                {false, false, true, true, true, true},
                {},
                {false, false, false, false, false, true}};
  for (const GpuReport::Consumer& c : report.consumers) {
    const GpuAmounts& a = c.amounts;
    t.rows.push_back({c.consumer, c.owner, a.requested.ToString(), a.used.ToString(),
                      Ratio(a.used, a.requested), a.cost.ToString()});
  }
  return t;
}

RecordTable GpuOwnersTable(const GpuReport& report) {
  RecordTable t{{"owner", "gpu_cost", "unused_cost", "unrequested_cost", "gpu_idle_cost"},
                {false, true, true, true, true},
                {false, true, true, true, true},
                {},
                {false, true, true, true, true}};
  for (const GpuOwnerIdle& o : report.owners) {
    t.rows.push_back({o.owner, o.cost.ToString(), o.unused_cost.ToString(),
                      o.unrequested_cost.ToString(), o.idle_cost().ToString()});
  }
  return t;
}

}  // namespace tally
