#include "insight/kpis.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "report/cost_report.h"
#include "report/showback.h"
#include "report/usage_report.h"

namespace tally {
namespace {

// Idle and unallocated rows no one owns carry the consumer's name as their owner.
constexpr std::string_view kIdleOwner = kIdleConsumer;
constexpr std::string_view kUnallocatedOwner = kUnallocatedConsumer;

double Ratio(Decimal a, Decimal b) {
  return static_cast<double>(a.raw()) / static_cast<double>(b.raw());
}

std::optional<double> Share(Decimal part, Decimal whole) {
  if (whole.is_zero()) return std::nullopt;
  return Ratio(part, whole);
}

// What the KPIs of one owner (or the platform) are computed from.
struct Totals {
  Decimal total, owned, idle, unallocated;
  std::map<std::string, Decimal> resource_cost;              // all kinds
  std::map<std::pair<std::string, std::string>, ResourceEfficiency> efficiency;  // resource, unit
  Decimal gpu_weight, gpu_weighted;  // Σ cost, Σ cost × utilization
};

UnitCost MakeUnitCost(std::string name, Decimal cost, Decimal units) {
  UnitCost u{std::move(name), cost, units, std::nullopt};
  if (units > Decimal()) u.per_unit = *cost.Divide(units);
  return u;
}

Decimal UsageOf(const Totals& t, const std::string& resource) {
  Decimal sum;
  for (const auto& [key, e] : t.efficiency) {
    if (key.first == resource) sum += WholeUnits(e.usage, e.unit);
  }
  return sum;
}

KpiSet Finish(std::string owner, const Totals& t, const std::vector<UnitMetric>& metrics) {
  KpiSet k;
  k.owner = std::move(owner);
  k.total = t.total;
  k.owned = t.owned;
  k.idle = t.idle;
  k.unallocated = t.unallocated;
  if (k.owner.empty()) k.coverage = Share(t.owned, t.total);
  k.idle_share = Share(t.idle, t.total);
  for (const auto& [key, e] : t.efficiency) k.efficiency.push_back(e);
  if (t.gpu_weight > Decimal()) k.gpu_utilization = Ratio(t.gpu_weighted, t.gpu_weight);
  auto cost_of = [&](const std::string& r) {
    auto it = t.resource_cost.find(r);
    return it == t.resource_cost.end() ? Decimal() : it->second;
  };
  k.gpu_cost = cost_of("gpu");
  k.unit_costs.push_back(MakeUnitCost("core-hour", cost_of("cpu"), UsageOf(t, "cpu")));
  k.unit_costs.push_back(MakeUnitCost("gpu-hour", k.gpu_cost, UsageOf(t, "gpu")));
  // GiB-hours to TiB-months: / 1024 / 730.
  const Decimal tib_months = *UsageOf(t, "storage").Divide(Decimal::FromUnits(1024 * 730));
  k.unit_costs.push_back(MakeUnitCost("tib-month", cost_of("storage"), tib_months));
  for (const UnitMetric& m : metrics) {
    if (m.owner != k.owner) continue;
    k.unit_costs.push_back(MakeUnitCost(m.name, t.total, *UsageOf(t, m.resource).Divide(m.per)));
  }
  return k;
}

Result<std::vector<CommitmentKpis>> Commitments(Store* store, const KpiQuery& q) {
  CostQuery cq;
  for (const char* name : {"BillingCurrency", "ChargeCategory", "CommitmentDiscountStatus"}) {
    TALLY_ASSIGN_OR_RETURN(GroupKey key, GroupKey::Parse(name));
    cq.group_by.push_back(std::move(key));
  }
  cq.from = q.from;
  cq.to = q.to;
  TALLY_ASSIGN_OR_RETURN(CostTable table, QueryCostTable(store, cq));
  std::map<std::string, CommitmentKpis> by_currency;
  for (const CostRow& row : table.rows) {
    if (row.keys[1].value_or("") != "Usage") continue;
    CommitmentKpis& c = by_currency[row.keys[0].value_or("")];
    const std::string status = row.keys[2].value_or("");
    if (status == "Used") c.used += row.value;
    if (status == "Unused") {
      c.unused += row.value;
    } else {
      c.usage += row.value;
    }
  }
  std::vector<CommitmentKpis> out;
  for (auto& [currency, c] : by_currency) {
    c.currency = currency;
    c.utilization = Share(c.used, c.used + c.unused);
    c.coverage = Share(c.used, c.usage);
    if (c.used.is_zero() && c.unused.is_zero()) c.utilization.reset();  // no commitments at all
    out.push_back(std::move(c));
  }
  return out;
}

std::string Fraction(const std::optional<double>& v) {
  if (!v) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", *v * 100);
  return text;
}

nlohmann::ordered_json Number(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}

}  // namespace

Result<KpiReport> BuildKpis(Store* store, const KpiQuery& query) {
  ShowbackQuery sq;
  for (AllocationColumn c : {AllocationColumn::kOwner, AllocationColumn::kConsumer,
                             AllocationColumn::kAsset, AllocationColumn::kResource,
                             AllocationColumn::kKind}) {
    sq.group_by.push_back(ShowbackKey::Of(c));
  }
  sq.from = query.from;
  sq.to = query.to;
  TALLY_ASSIGN_OR_RETURN(ShowbackTable rows, QueryShowback(*store, sq));
  Totals platform;
  std::map<std::string, Totals> owners;
  std::map<std::string, std::pair<Decimal, std::string>> consumer_owner;  // costliest owner
  std::map<std::string, Decimal> consumer_gpu_cost, asset_gpu_cost;
  const std::string idle_kind(AllocationKindName(AllocationKind::kIdle));
  const std::string direct_kind(AllocationKindName(AllocationKind::kDirect));
  const std::string unallocated_kind(AllocationKindName(AllocationKind::kUnallocated));
  for (const ShowbackRow& r : rows.rows) {
    const std::string &owner = r.keys[0], &consumer = r.keys[1], &asset = r.keys[2],
                      &resource = r.keys[3], &kind = r.keys[4];
    // A real owner: an idle row an asset's owner pays for is owned; __idle__ is not.
    const bool owned = owner != kIdleOwner && owner != kUnallocatedOwner && owner != kUnownedOwner;
    for (Totals* t : {&platform, &owners[owner]}) {
      t->total += r.cost;
      if (kind == idle_kind) t->idle += r.cost;
      if (owned) t->owned += r.cost;
      if (kind == unallocated_kind) t->unallocated += r.cost;
      if (!resource.empty()) t->resource_cost[resource] += r.cost;
    }
    if (kind == direct_kind) {
      auto& [cost, best] = consumer_owner[consumer];
      if (best.empty() || r.cost > cost) {
        cost = r.cost;
        best = owner;
      }
      if (resource == "gpu") consumer_gpu_cost[consumer] += r.cost;
    }
    if (resource == "gpu") asset_gpu_cost[asset] += r.cost;
  }
  // Usage per consumer: efficiency, units used, and each consumer's GPU utilization.
  UsageQuery uq;
  TALLY_ASSIGN_OR_RETURN(UsageGroupKey by_consumer, UsageGroupKey::Parse("consumer"));
  uq.group_by = {by_consumer};
  uq.from = query.from;
  uq.to = query.to;
  TALLY_ASSIGN_OR_RETURN(UsageTable usage, QueryUsage(*store, uq));
  for (const UsageRow& u : usage.rows) {
    const std::string &consumer = u.keys[0], &resource = u.keys[1], &unit = u.keys[2];
    auto it = consumer_owner.find(consumer);
    std::vector<Totals*> into = {&platform};
    if (it != consumer_owner.end()) into.push_back(&owners[it->second.second]);
    for (Totals* t : into) {
      ResourceEfficiency& e = t->efficiency[{resource, unit}];
      e.resource = resource;
      e.unit = unit;
      e.request += u.request;
      e.usage += u.usage;
    }
    if (resource == "gpu" && it != consumer_owner.end() && u.request > Decimal()) {
      const Decimal cost = consumer_gpu_cost[consumer];
      Totals& t = owners[it->second.second];
      t.gpu_weight += cost;
      t.gpu_weighted += *cost.Multiply(*u.usage.Divide(u.request));
    }
  }
  // The platform's GPU utilization per asset: used GPU-hours over capacity.
  uq.resource = "gpu";
  TALLY_ASSIGN_OR_RETURN(UsageGroupKey by_asset, UsageGroupKey::Parse("asset"));
  uq.group_by = {by_asset};
  TALLY_ASSIGN_OR_RETURN(UsageTable gpu_usage, QueryUsage(*store, uq));
  TALLY_ASSIGN_OR_RETURN(UsageTable gpu_capacity, QueryCapacity(*store, uq));
  std::map<std::string, Decimal> used;
  for (const UsageRow& u : gpu_usage.rows) used[u.keys[0]] += u.usage;
  for (const UsageRow& c : gpu_capacity.rows) {
    const std::string& asset = c.keys[0];
    if (c.request <= Decimal() || !asset_gpu_cost.contains(asset)) continue;
    const Decimal cost = asset_gpu_cost[asset];
    const Decimal util = std::min(*used[asset].Divide(c.request), Decimal::FromUnits(1));
    platform.gpu_weight += cost;
    platform.gpu_weighted += *cost.Multiply(util);
  }
  auto ratios = [](Totals* t) {
    for (auto& [key, e] : t->efficiency) {
      if (e.request > Decimal()) e.ratio = Ratio(e.usage, e.request);
    }
  };
  ratios(&platform);
  for (auto& [owner, t] : owners) ratios(&t);
  KpiReport report;
  report.platform = Finish("", platform, query.unit_metrics);
  for (const auto& [owner, t] : owners) report.owners.push_back(Finish(owner, t, query.unit_metrics));
  std::stable_sort(report.owners.begin(), report.owners.end(),
                   [](const KpiSet& a, const KpiSet& b) { return a.total > b.total; });
  TALLY_ASSIGN_OR_RETURN(report.commitments, Commitments(store, query));
  return report;
}

nlohmann::ordered_json KpiJson(const KpiReport& report) {
  using Json = nlohmann::ordered_json;
  auto set_json = [](const KpiSet& k) {
    Json j = {{"owner", k.owner.empty() ? Json() : Json(k.owner)},
              {"total", k.total.ToString()},
              {"owned", k.owned.ToString()},
              {"idle", k.idle.ToString()},
              {"unallocated", k.unallocated.ToString()},
              {"coverage", Number(k.coverage)},
              {"idle_share", Number(k.idle_share)},
              {"gpu_utilization", Number(k.gpu_utilization)},
              {"gpu_cost", k.gpu_cost.ToString()}};
    Json eff = Json::array();
    for (const ResourceEfficiency& e : k.efficiency) {
      eff.push_back({{"resource", e.resource}, {"unit", e.unit}, {"request", e.request.ToString()},
                     {"usage", e.usage.ToString()}, {"ratio", Number(e.ratio)}});
    }
    j["efficiency"] = std::move(eff);
    Json units = Json::array();
    for (const UnitCost& u : k.unit_costs) {
      units.push_back({{"name", u.name}, {"cost", u.cost.ToString()}, {"units", u.units.ToString()},
                       {"per_unit", u.per_unit ? Json(u.per_unit->ToString()) : Json()}});
    }
    j["unit_costs"] = std::move(units);
    return j;
  };
  Json owners = Json::array();
  for (const KpiSet& k : report.owners) owners.push_back(set_json(k));
  Json commitments = Json::array();
  for (const CommitmentKpis& c : report.commitments) {
    commitments.push_back({{"currency", c.currency}, {"used", c.used.ToString()},
                           {"unused", c.unused.ToString()}, {"usage", c.usage.ToString()},
                           {"utilization", Number(c.utilization)}, {"coverage", Number(c.coverage)}});
  }
  return {{"platform", set_json(report.platform)}, {"owners", std::move(owners)},
          {"commitments", std::move(commitments)}};
}

RecordTable KpiRecordTable(const KpiReport& report) {
  RecordTable t;
  t.columns = {"owner", "kpi", "value"};
  t.numeric = {false, false, true};
  t.decimal = {false, false, false};
  t.money = {false, false, false};
  auto add = [&](const KpiSet& k) {
    const std::string owner = k.owner.empty() ? "(platform)" : k.owner;
    auto row = [&](std::string kpi, std::string value) {
      t.rows.push_back({owner, std::move(kpi), std::move(value)});
    };
    row("total", k.total.Round(2).ToString());
    if (k.coverage) row("coverage", Fraction(k.coverage));
    row("idle_share", Fraction(k.idle_share));
    for (const ResourceEfficiency& e : k.efficiency) {
      row("efficiency." + e.resource, Fraction(e.ratio));
    }
    if (k.gpu_utilization) row("gpu_utilization", Fraction(k.gpu_utilization));
    for (const UnitCost& u : k.unit_costs) {
      if (u.per_unit) row("cost_per." + u.name, u.per_unit->Round(4).ToString());
    }
  };
  add(report.platform);
  for (const KpiSet& k : report.owners) add(k);
  for (const CommitmentKpis& c : report.commitments) {
    if (!c.utilization) continue;
    t.rows.push_back({"(platform)", "commitment_utilization " + c.currency, Fraction(c.utilization)});
    t.rows.push_back({"(platform)", "commitment_coverage " + c.currency, Fraction(c.coverage)});
  }
  return t;
}

}  // namespace tally
