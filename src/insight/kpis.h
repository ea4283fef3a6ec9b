// KPIs (`tally kpis`, GET /api/v1/kpis; docs/kpis.md): the few numbers that say whether spend is
// healthy, for the whole platform and per owner, over a window of allocated hours.
//
//   total          allocated cost (platform: the bill; an owner: what it was charged)
//   owned          the part with a real owner: not __unallocated__, __unowned__ or __idle__
//                  (an asset owner's idle capacity is owned)
//   coverage       owned / total (platform only)
//   idle           idle capacity's cost (kind idle), idle_share = idle / total
//   unallocated    bill lines that match no asset (kind unallocated), owned or not
//   efficiency     per resource, usage / request over the consumers' usage facts
//   gpu_utilization  platform: each GPU asset's used GPU-hours / its capacity, weighted by the
//                  asset's GPU cost (an idle GPU weighs in at 0); an owner: each consumer's
//                  used / requested GPU-hours, weighted by its GPU cost
//   unit costs     the resource's cost (all kinds) per unit used: per core-hour (cpu), per
//                  GPU-hour (gpu; a slice of "mig-slice/7" is 1/7 of one), per TiB-month stored (storage GiB-hours / 1024 / 730), and
//                  each unit metric of tally.yaml: cost / (usage of its resource / per)
//   commitments    from the bill's CommitmentDiscount columns, per currency: utilization =
//                  Used / (Used + Unused) EffectiveCost; coverage = Used / usage EffectiveCost
//                  outside Unused lines (ChargeCategory Usage)
//
// Money is exact (Decimal); shares and ratios are statistics (double). Stateless.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "report/record_table.h"
#include "tally/decimal.h"
#include "tally/store.h"

namespace tally {

struct KpiQuery {
  std::optional<Timestamp> from, to;
  std::vector<UnitMetric> unit_metrics;
};

struct ResourceEfficiency {
  std::string resource, unit;
  Decimal request, usage;  // amount-hours
  std::optional<double> ratio;  // usage / request; nullopt without requests
};

struct UnitCost {
  std::string name;  // "core-hour", "gpu-hour", "tib-month", or the unit metric's name
  Decimal cost, units;
  std::optional<Decimal> per_unit;  // nullopt when no unit was used
};

struct KpiSet {
  std::string owner;  // "" for the platform
  Decimal total, owned, idle, unallocated;
  std::optional<double> coverage, idle_share;
  std::vector<ResourceEfficiency> efficiency;
  std::optional<double> gpu_utilization;
  Decimal gpu_cost;
  std::vector<UnitCost> unit_costs;
};

struct CommitmentKpis {
  std::string currency;
  Decimal used, unused, usage;  // EffectiveCost of Used, Unused, and Usage lines not Unused
  std::optional<double> utilization, coverage;
};

struct KpiReport {
  KpiSet platform;
  std::vector<KpiSet> owners;  // costliest first
  std::vector<CommitmentKpis> commitments;
};

// Errors: the store's.
Result<KpiReport> BuildKpis(Store* store, const KpiQuery& query);

// {"platform":{...}, "owners":[{...}], "commitments":[...]}; each set: owner, total, owned,
// idle, unallocated (decimal strings), coverage, idle_share, gpu_utilization (numbers or null),
// gpu_cost, efficiency:[{resource, unit, request, usage, ratio}], unit_costs:[{name, cost,
// units, per_unit}].
nlohmann::ordered_json KpiJson(const KpiReport& report);
// One row per set and KPI: owner, kpi, value.
RecordTable KpiRecordTable(const KpiReport& report);

}  // namespace tally
