#include "allocate/allocator.h"

#include <algorithm>

#include "allocate/ownership.h"
#include "common/strings.h"
#include "tally/network.h"

namespace tally {
namespace {

// The resource of measured energy (kWh in the hour), priced by rate cards, never a component.
constexpr std::string_view kEnergy = "energy";

constexpr std::string_view kRateCardSource = "rate-card";
constexpr std::string_view kOnPremService = "On-premises";
constexpr std::string_view kNetworkRateService = "Data transfer (rate card)";
constexpr std::string_view kInstanceEstimateService = "Estimated (instance price)";
constexpr std::string_view kCapacityEstimateService = "Estimated (reference prices)";
// The resources an estimate prices by capacity; the others' reference prices are weights only.
constexpr std::string_view kEstimatedResources[] = {"cpu", "memory", "gpu", "storage"};
const std::string kNetworkAssetPrefix = NetworkAssetName("");

// `pattern` with a trailing '*' matches a prefix, else the whole name.
bool NameFits(std::string_view pattern, std::string_view name) {
  if (pattern.ends_with('*')) return name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == name;
}

// AWS split cost allocation's weights per unit-hour (WeightPolicy::kAws).
std::optional<Decimal> AwsWeight(std::string_view resource) {
  if (resource == "gpu") return Decimal::FromUnits(9);
  if (resource == "cpu") return *Decimal::Parse("0.9");
  if (resource == "memory") return *Decimal::Parse("0.1");
  return std::nullopt;
}

}  // namespace

Allocator::Allocator(const Config& config, const AllocationInputs& inputs)
    : config_(config), inputs_(inputs), matcher_(config, inputs.assets) {
  for (const AllocationCostLine& line : inputs.lines) {
    const auto [asset, network] = matcher_.Match(line);
    line_asset_.push_back(asset);
    line_network_.push_back(network);
    OwnershipSubject subject;
    subject.tags = &line.tags;
    subject.service = line.service;
    subject.account = line.account;
    subject.source = line.source;
    // Network lines need their owner too: an hour without flows leaves them unallocated.
    line_owner_.push_back(asset != kNoAsset && !network
                              ? ""
                              : OwnerOf(config.ownership, subject, kUnallocatedConsumer));
  }
  for (const Consumer& c : inputs.consumers) {
    OwnershipSubject subject;
    subject.consumer = &c;
    consumer_owner_.push_back(OwnerOf(config.ownership, subject, kUnownedOwner));
  }
  idle_owner_.assign(inputs.assets.size(), "");
  rate_card_.assign(inputs.assets.size(), nullptr);
  weight_class_.assign(inputs.assets.size(), nullptr);
  for (uint32_t a = 0; a < inputs.assets.size(); ++a) {
    for (const WeightClass& cls : config.weight_classes) {
      if (NameFits(cls.instance_type, inputs.assets[a].instance_type)) {
        weight_class_[a] = &cls;
        break;
      }
    }
  }
  for (uint32_t a = 0; a < inputs.assets.size(); ++a) {
    for (const RateCard& card : config.rate_cards) {
      if (NameFits(card.asset, inputs.assets[a].name)) {
        rate_card_[a] = &card;
        break;
      }
    }
  }
  estimated_.assign(inputs.assets.size(), config.estimates.enabled);
  for (uint32_t a = 0; a < inputs.assets.size(); ++a) {
    if (rate_card_[a] != nullptr || inputs.assets[a].name.starts_with(kNetworkAssetPrefix)) {
      estimated_[a] = false;
    }
  }
  for (uint32_t asset : line_asset_) {
    if (asset != kNoAsset) estimated_[asset] = false;
  }
  for (const SharedStage& stage : config.shared)
    stage_consumers_.push_back("__shared__/" + stage.name);
  bases_by_asset_.resize(inputs.assets.size());
  capacity_by_asset_.resize(inputs.assets.size());
}

uint16_t Allocator::ResourceId(std::string_view name) {
  for (size_t i = 0; i < resources_.size(); ++i) {
    if (resources_[i] == name) return static_cast<uint16_t>(i);
  }
  resources_.emplace_back(name);
  return static_cast<uint16_t>(resources_.size() - 1);
}

std::string_view Allocator::IdleOwner(uint32_t asset) {
  std::string& owner = idle_owner_[asset];
  if (owner.empty()) {
    OwnershipSubject subject;
    subject.asset = &inputs_.assets[asset];
    owner = OwnerOf(config_.ownership, subject, kIdleConsumer);
  }
  return owner;
}

Result<Decimal> Allocator::RateCardHour(uint32_t asset, Timestamp hour) {
  const Timestamp month = hour.StartOfMonth();
  auto key = std::pair{asset, month.unix_seconds()};
  auto it = rate_card_months_.find(key);
  if (it == rate_card_months_.end()) {
    // The month's total over its hours, evenly and exactly.
    const Timestamp next =
        Timestamp::FromUnixSeconds(month.unix_seconds() + int64_t{32} * 86400).StartOfMonth();
    const auto hours = static_cast<size_t>((next.unix_seconds() - month.unix_seconds()) / 3600);
    const std::vector<Decimal> even(hours, Decimal::FromUnits(1));
    it =
        rate_card_months_.emplace(key, SplitProportionally(rate_card_[asset]->MonthlyTotal(), even))
            .first;
  }
  return it->second[static_cast<size_t>((hour.unix_seconds() - month.unix_seconds()) / 3600)];
}

Result<Decimal> Allocator::EstimateHour(uint32_t asset) {
  const auto& prices = config_.estimates.instance_prices;
  if (auto it = prices.find(inputs_.assets[asset].instance_type); it != prices.end()) {
    return it->second;
  }
  // Per resource, in whole units (a GPU shared in parts counts whole); several sources may
  // report one resource: the largest counts, as in the split.
  std::map<std::string_view, Decimal> wholes;
  for (const Capacity& c : capacity_by_asset_[asset]) {
    const std::string& name = resources_[c.resource];
    if (std::find(std::begin(kEstimatedResources), std::end(kEstimatedResources), name) ==
        std::end(kEstimatedResources)) {
      continue;
    }
    TALLY_ASSIGN_OR_RETURN(Decimal amount, c.amount.Divide(Decimal::FromUnits(c.per_whole)));
    wholes[name] = std::max(wholes[name], amount);
  }
  Decimal cost;
  for (const auto& [name, amount] : wholes) {
    auto price = config_.reference_prices.find(std::string(name));
    if (price == config_.reference_prices.end()) continue;
    TALLY_ASSIGN_OR_RETURN(Decimal part, amount.Multiply(price->second));
    cost += part;
  }
  return cost;
}

Status Allocator::AllocateHour(const HourInputs& in, std::vector<AllocationRow>* rows,
                               std::map<std::string, Decimal>* bill) {
  const size_t first = rows->size();
  // The hour's facts by asset; each consumer's basis is max(request, usage).
  for (uint32_t a : touched_assets_) {
    bases_by_asset_[a].clear();
    capacity_by_asset_[a].clear();
  }
  touched_assets_.clear();
  auto touch = [&](uint32_t a) {
    if (bases_by_asset_[a].empty() && capacity_by_asset_[a].empty()) touched_assets_.push_back(a);
  };
  for (const UsageFact& f : in.usage) {
    if (f.asset == kNoAsset) continue;
    touch(f.asset);
    bases_by_asset_[f.asset].push_back(
        Basis{ResourceId(f.resource), f.consumer, std::max(f.request, f.usage)});
  }
  for (const CapacityFact& f : in.capacity) {
    touch(f.asset);
    capacity_by_asset_[f.asset].push_back(
        Capacity{ResourceId(f.resource), f.capacity, UnitsPerWhole(f.unit)});
  }

  // The hour's line parts by (asset, source, service); unmatched lines go straight out.
  std::map<std::tuple<uint32_t, std::string_view, std::string_view>, Decimal> units;
  for (const auto& [line_index, amount] : in.cost_parts) {
    const AllocationCostLine& line = inputs_.lines[line_index];
    (*bill)[line.source] += amount;
    const uint32_t asset = line_asset_[line_index];
    // A transfer line in an hour without flows of its class has nobody to go to by bytes.
    if (asset != kNoAsset && !(line_network_[line_index] && capacity_by_asset_[asset].empty())) {
      units[{asset, line.source, line.service}] += amount;
      continue;
    }
    rows->push_back(AllocationRow{in.hour,
                                  line.source,
                                  kUnallocatedConsumer,
                                  line.resource_id,
                                  "",
                                  line_owner_[line_index],
                                  line.service,
                                  AllocationKind::kUnallocated,
                                  amount,
                                  {}});
  }
  for (uint32_t a = 0; a < rate_card_.size(); ++a) {
    // An on-prem asset costs only in the hours the inventory (its capacity) says it exists.
    if (rate_card_[a] == nullptr || capacity_by_asset_[a].empty()) continue;
    TALLY_ASSIGN_OR_RETURN(Decimal cost, RateCardHour(a, in.hour));
    if (const auto& price = rate_card_[a]->energy_price_per_kwh) {
      // The energy measured in the hour, priced: split below like the rest of the asset's cost.
      for (const Capacity& c : capacity_by_asset_[a]) {
        if (resources_[c.resource] != kEnergy) continue;
        TALLY_ASSIGN_OR_RETURN(Decimal energy_cost, c.amount.Multiply(*price));
        cost += energy_cost;
      }
    }
    (*bill)[std::string(kRateCardSource)] += cost;
    units[{a, kRateCardSource, kOnPremService}] += cost;
  }
  for (uint32_t a : touched_assets_) {
    // An unbilled asset, in an hour it has capacity: an estimate, kept apart as its own source.
    if (!estimated_[a] || capacity_by_asset_[a].empty()) continue;
    TALLY_ASSIGN_OR_RETURN(Decimal cost, EstimateHour(a));
    if (cost.is_zero()) continue;
    const bool by_type = config_.estimates.instance_prices.contains(inputs_.assets[a].instance_type);
    (*bill)[std::string(kEstimateSource)] += cost;
    units[{a, kEstimateSource, by_type ? kInstanceEstimateService : kCapacityEstimateService}] +=
        cost;
  }
  for (uint32_t a : touched_assets_) {
    // A network class priced by the rate card: its gigabytes × the price per GB.
    const std::optional<Decimal>& network_price = matcher_.NetworkPrice(a);
    if (!network_price) continue;
    Decimal cost;
    for (const Capacity& c : capacity_by_asset_[a]) {
      if (resources_[c.resource] != kNetworkResource) continue;
      TALLY_ASSIGN_OR_RETURN(Decimal part, c.amount.Multiply(*network_price));
      cost += part;
    }
    if (cost.is_zero()) continue;
    (*bill)[std::string(kRateCardSource)] += cost;
    units[{a, kRateCardSource, kNetworkRateService}] += cost;
  }
  for (const auto& [key, cost] : units) {
    const auto& [asset, source, service] = key;
    std::vector<Basis>& bases = bases_by_asset_[asset];
    std::sort(bases.begin(), bases.end(), [](const Basis& x, const Basis& y) {
      return x.resource != y.resource ? x.resource < y.resource : x.consumer < y.consumer;
    });
    // Several sources may report one consumer: the largest basis counts.
    size_t kept = 0;
    for (size_t i = 0; i < bases.size(); ++i) {
      if (kept > 0 && bases[kept - 1].resource == bases[i].resource &&
          bases[kept - 1].consumer == bases[i].consumer) {
        bases[kept - 1].amount = std::max(bases[kept - 1].amount, bases[i].amount);
      } else {
        bases[kept++] = bases[i];
      }
    }
    bases.resize(kept);
    TALLY_RETURN_IF_ERROR(AllocateUnit(in.hour, CostUnit{asset, source, service, cost}, bases,
                                       capacity_by_asset_[asset], rows));
  }
  ApplySharedStages(rows, first);
  return Status::Ok();
}

Status Allocator::AllocateUnit(Timestamp hour, const CostUnit& unit, std::span<const Basis> bases,
                               std::span<const Capacity> capacity_facts,
                               std::vector<AllocationRow>* rows) {
  const Asset& asset = inputs_.assets[unit.asset];
  auto row = [&](std::string_view consumer, std::string_view resource, std::string_view owner,
                 AllocationKind kind, Decimal cost, Decimal quantity = Decimal()) {
    if (cost.is_zero()) return;
    rows->push_back(AllocationRow{hour, unit.source, consumer, asset.name, resource, owner,
                                  unit.service, kind, cost, quantity});
  };
  // Capacity per resource (several sources may report it: the largest counts).
  std::vector<Capacity> capacity;
  for (const Capacity& fact : capacity_facts) {
    auto it = std::find_if(capacity.begin(), capacity.end(),
                           [&](const Capacity& c) { return c.resource == fact.resource; });
    if (it == capacity.end()) {
      capacity.push_back(fact);
    } else if (it->amount < fact.amount) {
      *it = fact;
    }
  }
  if (capacity.empty()) {
    row(kIdleConsumer, "", IdleOwner(unit.asset), AllocationKind::kIdle, unit.cost);
    return Status::Ok();
  }
  std::vector<Decimal> weights;
  // Explicit shares: the rate card's, else the asset class's; else capacity × a per-unit weight.
  const RateCard* card = rate_card_[unit.asset];
  const std::map<std::string, Decimal>* shares =
      card != nullptr && !card->weights.empty() ? &card->weights
      : weight_class_[unit.asset] != nullptr    ? &weight_class_[unit.asset]->weights
                                                : nullptr;
  for (const auto& [resource, cap, per_whole] : capacity) {
    const std::string& name = resources_[resource];
    if (shares != nullptr) {
      auto w = shares->find(name);
      weights.push_back(w == shares->end() ? Decimal() : w->second);
      continue;
    }
    std::optional<Decimal> per_unit;
    if (config_.weight_policy == WeightPolicy::kAws) per_unit = AwsWeight(name);
    if (!per_unit) {
      auto price = config_.reference_prices.find(name);
      if (price != config_.reference_prices.end()) per_unit = price->second;
    }
    if (!per_unit) {
      weights.emplace_back();
      continue;
    }
    TALLY_ASSIGN_OR_RETURN(Decimal w, cap.Multiply(*per_unit));
    if (per_whole != 1) {  // weighed in whole GPUs, not in their parts
      TALLY_ASSIGN_OR_RETURN(w, w.Divide(Decimal::FromUnits(per_whole)));
    }
    weights.push_back(w);
  }
  const std::vector<Decimal> components = SplitProportionally(unit.cost, weights);

  std::vector<std::pair<uint32_t, Decimal>> direct;  // for sharing idle by asset
  Decimal idle_total;
  std::vector<Decimal> w;
  for (size_t r = 0; r < capacity.size(); ++r) {
    const Decimal component = components[r];
    if (component.is_zero()) continue;
    const uint16_t resource = capacity[r].resource;
    auto begin = std::lower_bound(bases.begin(), bases.end(), resource,
                                  [](const Basis& b, uint16_t res) { return b.resource < res; });
    auto end = begin;
    w.clear();
    Decimal sum;
    for (; end != bases.end() && end->resource == resource; ++end) {
      w.push_back(end->amount);
      sum += end->amount;
    }
    const Decimal cap = capacity[r].amount;
    const bool idle = sum < cap || begin == end;
    if (idle) w.push_back(cap - sum);  // unused capacity is idle
    const std::vector<Decimal> parts = SplitProportionally(component, w);
    const std::string_view name = resources_[resource];
    for (auto it = begin; it != end; ++it) {
      const size_t i = static_cast<size_t>(it - begin);
      row(inputs_.consumers[it->consumer].name, name, consumer_owner_[it->consumer],
          AllocationKind::kDirect, parts[i], it->amount);
      if (config_.idle == IdlePolicy::kShareByAsset) direct.emplace_back(it->consumer, parts[i]);
    }
    if (!idle) continue;
    if (config_.idle == IdlePolicy::kShareByAsset) {
      idle_total += parts.back();
    } else {
      row(kIdleConsumer, name, IdleOwner(unit.asset), AllocationKind::kIdle, parts.back());
    }
  }
  if (idle_total.is_zero()) return Status::Ok();
  // Idle shared to the asset's consumers in proportion to their direct cost.
  if (direct.empty()) {
    row(kIdleConsumer, "", IdleOwner(unit.asset), AllocationKind::kIdle, idle_total);
    return Status::Ok();
  }
  w.clear();
  for (const auto& [c, cost] : direct) w.push_back(cost);
  const std::vector<Decimal> parts = SplitProportionally(idle_total, w);
  for (size_t i = 0; i < direct.size(); ++i) {
    row(inputs_.consumers[direct[i].first].name, "", consumer_owner_[direct[i].first],
        AllocationKind::kShared, parts[i]);
  }
  return Status::Ok();
}

void Allocator::ApplySharedStages(std::vector<AllocationRow>* rows, size_t first) {
  for (size_t s = 0; s < config_.shared.size(); ++s) {
    const SharedStage& stage = config_.shared[s];
    // The pool, per source; the targets' weights, per owner.
    std::map<std::string_view, Decimal> pool;
    std::map<std::string_view, Decimal> targets;
    std::vector<AllocationRow> kept;
    Timestamp hour;
    for (size_t i = first; i < rows->size(); ++i) {
      AllocationRow& r = (*rows)[i];
      hour = r.hour;
      Consumer consumer;
      consumer.name = std::string(r.consumer);
      OwnershipSubject subject;
      subject.consumer = &consumer;
      subject.owner = r.owner;
      subject.service = r.service;
      subject.source = r.source;
      subject.resource = r.resource;
      if (Matches(stage.pool, subject)) {
        pool[r.source] += r.cost;
        continue;
      }
      if (r.kind == AllocationKind::kDirect || r.kind == AllocationKind::kShared) {
        targets[r.owner] += r.cost;
      }
      kept.push_back(r);
    }
    if (pool.empty()) continue;
    std::vector<std::string_view> owners;
    std::vector<Decimal> weights;
    if (stage.distribution == SharedStage::Distribution::kFixed) {
      for (const auto& [owner, pct] : stage.percentages) {
        owners.push_back(owner);
        weights.push_back(pct);
      }
    } else {
      for (const auto& [owner, cost] : targets) {
        owners.push_back(owner);
        weights.push_back(
            stage.distribution == SharedStage::Distribution::kEven ? Decimal::FromUnits(1) : cost);
      }
    }
    rows->resize(first);
    rows->insert(rows->end(), kept.begin(), kept.end());
    for (const auto& [source, amount] : pool) {
      if (owners.empty()) {  // nobody to share with: the pool stays, unallocated
        rows->push_back(AllocationRow{hour,
                                      source,
                                      stage_consumers_[s],
                                      "",
                                      "",
                                      kUnallocatedConsumer,
                                      "",
                                      AllocationKind::kUnallocated,
                                      amount,
                                      {}});
        continue;
      }
      const std::vector<Decimal> parts = SplitProportionally(amount, weights);
      for (size_t i = 0; i < owners.size(); ++i) {
        if (parts[i].is_zero()) continue;
        rows->push_back(AllocationRow{hour,
                                      source,
                                      stage_consumers_[s],
                                      "",
                                      "",
                                      owners[i],
                                      "",
                                      AllocationKind::kShared,
                                      parts[i],
                                      {}});
      }
    }
  }
}

}  // namespace tally
