#include "report/focus_export.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/strings.h"
#include "report/showback.h"
#include "report/text_cells.h"

namespace tally {
namespace {

// The origin's columns as the store groups them, and where each goes.
struct OriginColumn {
  FocusColumn column;
  std::string FocusOrigin::*field;
};
constexpr OriginColumn kOriginColumns[] = {
    {FocusColumn::kBillingAccountId, &FocusOrigin::billing_account_id},
    {FocusColumn::kBillingAccountName, &FocusOrigin::billing_account_name},
    {FocusColumn::kBillingPeriodStart, &FocusOrigin::billing_period_start},
    {FocusColumn::kBillingPeriodEnd, &FocusOrigin::billing_period_end},
    {FocusColumn::kChargePeriodStart, &FocusOrigin::charge_period_start},
    {FocusColumn::kChargePeriodEnd, &FocusOrigin::charge_period_end},
    {FocusColumn::kChargeCategory, &FocusOrigin::charge_category},
    {FocusColumn::kChargeClass, &FocusOrigin::charge_class},
    {FocusColumn::kChargeDescription, &FocusOrigin::charge_description},
    {FocusColumn::kChargeFrequency, &FocusOrigin::charge_frequency},
    {FocusColumn::kInvoiceIssuerName, &FocusOrigin::invoice_issuer_name},
    {FocusColumn::kProviderName, &FocusOrigin::provider_name},
    {FocusColumn::kPublisherName, &FocusOrigin::publisher_name},
    {FocusColumn::kServiceCategory, &FocusOrigin::service_category},
    {FocusColumn::kServiceName, &FocusOrigin::service_name},
    {FocusColumn::kResourceId, &FocusOrigin::resource_id},
    {FocusColumn::kResourceName, &FocusOrigin::resource_name},
    {FocusColumn::kRegionId, &FocusOrigin::region_id},
    {FocusColumn::kSkuId, &FocusOrigin::sku_id},
    {FocusColumn::kSkuMeter, &FocusOrigin::sku_meter},
};

constexpr FocusColumn kMetrics[] = {FocusColumn::kBilledCost, FocusColumn::kEffectiveCost,
                                    FocusColumn::kListCost, FocusColumn::kContractedCost};
Decimal FocusOrigin::*MetricField(FocusColumn metric) {
  switch (metric) {
    case FocusColumn::kBilledCost:
      return &FocusOrigin::billed_cost;
    case FocusColumn::kListCost:
      return &FocusOrigin::list_cost;
    case FocusColumn::kContractedCost:
      return &FocusOrigin::contracted_cost;
    default:
      return &FocusOrigin::effective_cost;
  }
}

// Positions of FocusExportKeys().
enum Key : size_t { kHour, kSource, kService, kAsset, kConsumer, kOwner, kResource, kKind };

std::string UnitKey(std::string_view source, std::string_view service, std::string_view asset) {
  std::string key(source);
  key += '\x1f';
  key += service;
  key += '\x1f';
  key += asset;
  return key;
}

// The unit a FOCUS reader expects for an allocation basis of `resource`.
std::string UsageUnit(std::string_view resource) {
  if (resource == "cpu") return "Core-Hours";
  if (resource == "memory" || resource == "storage" || resource == "cache_memory") {
    return "GiB-Hours";
  }
  if (resource == "gpu") return "GPU-Hours";
  if (resource == "network") return "GB";
  return std::string(resource) + "-Hours";
}

const std::string& Or(const std::string& value, const std::string& fallback) {
  return value.empty() ? fallback : value;
}

// One target's weight in an origin, and its basis in the origin's hours.
struct Target {
  size_t row;  // a row of the target, for its keys
  Decimal weight;
  Decimal quantity;
};

}  // namespace

Result<FocusVersion> ParseFocusVersion(std::string_view text) {
  if (text == "1.3") return FocusVersion::k1_3;
  if (text == "1.4") return FocusVersion::k1_4;
  return InvalidArgument("unknown FOCUS version \"" + std::string(text) + "\": use 1.3 or 1.4");
}

std::vector<std::string> FocusExportKeys() {
  return {"hour", "source", "service", "asset", "consumer", "owner", "resource", "kind"};
}

FocusExport RenderFocusExport(const ShowbackTable& allocation,
                              const std::vector<FocusOrigin>& origins, const Config& config,
                              const std::vector<Asset>& assets, FocusVersion version) {
  FocusExport out;
  // Allocation rows by unit (source, service, asset), then hour.
  std::unordered_map<std::string, std::map<int64_t, std::vector<size_t>>> units;
  for (size_t i = 0; i < allocation.rows.size(); ++i) {
    const auto& k = allocation.rows[i].keys;
    if (k[kSource] == kEstimateSource || k[kSource] == "rate-card") {
      out.not_charged += allocation.rows[i].cost;
      continue;
    }
    auto hour = ParseTimestamp(k[kHour]);
    if (!hour.ok()) continue;
    units[UnitKey(k[kSource], k[kService], k[kAsset])][hour->unix_seconds()].push_back(i);
  }
  const bool v13 = version == FocusVersion::k1_3;
  out.csv = std::string("BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,"
                        "BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,"
                        "ChargeClass,ChargeDescription,ChargeFrequency,InvoiceIssuerName,") +
            (v13 ? "ProviderName,PublisherName," : "") +
            "ServiceProviderName,HostProviderName,ServiceCategory,ServiceName,ResourceId,"
            "ResourceName,RegionId,SkuId,SkuMeter,PricingQuantity,PricingUnit,BilledCost,"
            "EffectiveCost,ListCost,ContractedCost,AllocatedMethodId,AllocatedMethodDetails,"
            "AllocatedResourceId,AllocatedResourceName,AllocatedTags\n";
  const LineMatcher matcher(config, assets);
  const std::string usage = "Usage";
  for (const FocusOrigin& o : origins) {
    auto start = ParseTimestamp(o.charge_period_start);
    auto end = ParseTimestamp(o.charge_period_end);
    if (!start.ok() || !end.ok()) {
      ++out.origins_not_allocated;
      continue;
    }
    AllocationCostLine line;
    line.source = o.provider_name;
    line.service = o.service_name;
    line.resource_id = o.resource_id;
    line.usage_type = o.sku_meter.empty() ? o.sku_id : o.sku_meter;
    const LineMatch match = matcher.Match(line);
    using Hours = std::map<int64_t, std::vector<size_t>>;
    auto unit_of = [&](std::string_view asset) -> const Hours* {
      auto it = units.find(UnitKey(o.provider_name, o.service_name, asset));
      return it == units.end() ? nullptr : &it->second;
    };
    const Hours* by_asset = match.asset == kNoAsset ? nullptr : unit_of(assets[match.asset].name);
    const Hours* by_id = unit_of(o.resource_id);
    // Each hour of the charge: the asset's rows, else (a line nobody took) its unallocated rows.
    std::map<std::vector<std::string>, Target> targets;
    const int64_t first = start->StartOfHour().unix_seconds(), last = end->unix_seconds();
    std::map<int64_t, const std::vector<size_t>*> hours;
    for (const Hours* unit : {by_id, by_asset}) {  // the asset's rows win an hour
      if (unit == nullptr) continue;
      for (auto it = unit->lower_bound(first); it != unit->end() && it->first < last; ++it) {
        hours[it->first] = &it->second;
      }
    }
    for (const auto& [hour, rows] : hours) {
      Decimal sum;
      for (size_t r : *rows) {
        const Decimal c = allocation.rows[r].cost;
        sum += c.is_negative() ? -c : c;
      }
      if (sum.is_zero()) continue;
      for (size_t r : *rows) {
        const ShowbackRow& row = allocation.rows[r];
        const Decimal c = row.cost.is_negative() ? -row.cost : row.cost;
        auto share = c.Divide(sum);
        if (!share.ok()) continue;
        std::vector<std::string> key(row.keys.begin() + kAsset, row.keys.end());
        auto [it, added] = targets.try_emplace(std::move(key), Target{r, Decimal(), Decimal()});
        it->second.weight += *share;
        if (auto q = row.quantity.find(row.keys[kResource]); q != row.quantity.end()) {
          it->second.quantity += q->second;
        }
      }
    }
    if (targets.empty()) {
      ++out.origins_not_allocated;
      continue;
    }
    std::vector<Decimal> weights;
    for (const auto& [key, t] : targets) weights.push_back(t.weight);
    const std::vector<Decimal> ratios = SplitProportionally(Decimal::FromUnits(1), weights);
    std::vector<std::vector<Decimal>> parts;
    for (FocusColumn metric : kMetrics) {
      parts.push_back(SplitProportionally(o.*MetricField(metric), weights));
    }
    ++out.origins;
    size_t i = 0;
    for (const auto& [key, t] : targets) {
      const ShowbackRow& row = allocation.rows[t.row];
      const std::string& resource = row.keys[kResource];
      std::string details = "{\"Elements\":[{\"AllocatedRatio\":" + ratios[i].ToString();
      if (!resource.empty()) {
        details += ",\"UsageUnit\":" + nlohmann::json(UsageUnit(resource)).dump();
        if (!t.quantity.is_zero()) details += ",\"UsageQuantity\":" + t.quantity.ToString();
      }
      details += "}]}";
      const nlohmann::ordered_json tags = {{"owner", row.keys[kOwner]},
                                           {"kind", row.keys[kKind]},
                                           {"resource", resource},
                                           {"asset", row.keys[kAsset]}};
      std::vector<std::string> cells = {
          o.billing_account_id, o.billing_account_name, o.billing_currency,
          o.billing_period_start, o.billing_period_end, o.charge_period_start,
          o.charge_period_end, Or(o.charge_category, usage), o.charge_class,
          o.charge_description, o.charge_frequency, Or(o.invoice_issuer_name, o.provider_name)};
      if (v13) {
        cells.push_back(o.provider_name);
        cells.push_back(Or(o.publisher_name, o.provider_name));
      }
      for (const std::string& cell :
           {o.provider_name, o.provider_name, o.service_category, o.service_name, o.resource_id,
            o.resource_name, o.region_id, o.sku_id, o.sku_meter, std::string(), std::string(),
            parts[0][i].ToString(), parts[1][i].ToString(), parts[2][i].ToString(),
            parts[3][i].ToString(), "tally/" + row.keys[kKind], details, row.keys[kConsumer],
            row.keys[kConsumer], tags.dump()}) {
        cells.push_back(cell);
      }
      for (const std::string& cell : cells) {
        AppendCsvField(cell, &out.csv);
        out.csv += ',';
      }
      out.csv.back() = '\n';
      ++out.rows;
      ++i;
    }
  }
  return out;
}

Result<FocusExport> ExportFocus(Store& store, const Config& config, std::optional<Timestamp> from,
                                std::optional<Timestamp> to, FocusVersion version) {
  ShowbackQuery query;
  TALLY_ASSIGN_OR_RETURN(query.group_by, ParseShowbackKeys(FocusExportKeys()));
  query.from = from;
  query.to = to;
  TALLY_ASSIGN_OR_RETURN(ShowbackTable allocation, QueryShowback(store, query));
  TALLY_ASSIGN_OR_RETURN(AllocationParties parties, store.ListParties());
  // The origins: one scan per metric, merged on the columns' texts and the currency.
  CostQuery scan;
  for (const OriginColumn& c : kOriginColumns) {
    scan.group_by.push_back(GroupKey{GroupKey::Kind::kColumn, c.column, "",
                                     std::string(InfoOf(c.column).name)});
  }
  scan.from = from;
  scan.to = to;
  std::vector<FocusOrigin> origins;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::string> keys;  // per origin: its columns' texts, then the currency
  for (FocusColumn metric : kMetrics) {
    scan.metric = metric;
    TALLY_ASSIGN_OR_RETURN(CostCells cells, store.ScanCosts(scan));
    for (size_t c = 0; c < cells.cells.size(); ++c) {
      std::string key;
      for (uint32_t id : cells.KeysOf(c)) {
        key += cells.texts[id];
        key += '\x1f';
      }
      key += cells.texts[cells.cells[c].currency];
      auto [it, added] = index.try_emplace(key, origins.size());
      if (added) keys.push_back(std::move(key));
      if (added) {
        FocusOrigin& o = origins.emplace_back();
        o.billing_currency = cells.texts[cells.cells[c].currency];
        std::span<const uint32_t> ids = cells.KeysOf(c);
        for (size_t k = 0; k < std::size(kOriginColumns); ++k) {
          o.*kOriginColumns[k].field = cells.texts[ids[k]];
        }
      }
      origins[it->second].*MetricField(metric) += cells.cells[c].sum;
    }
  }
  // In the order of their columns, whatever order the store scanned them in: the same export
  // from either backend.
  std::vector<size_t> order(origins.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<FocusOrigin> sorted;
  sorted.reserve(origins.size());
  for (size_t i : order) sorted.push_back(std::move(origins[i]));
  return RenderFocusExport(allocation, sorted, config, parties.assets, version);
}

}  // namespace tally
