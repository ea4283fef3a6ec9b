#include "allocate/allocator.h"

#include <algorithm>

#include "allocate/ownership.h"

namespace tally {
namespace {

bool MatchesAsset(const AllocationCostLine& line, const Asset& asset) {
  const std::string& id = line.resource_id;
  if (id.empty()) return false;
  if (id == asset.name || id == asset.provider_id) return true;
  // Kubernetes provider ids are "aws:///us-east-1a/i-0abc" or "gce://project/zone/name"; the
  // bill names the instance alone.
  const std::string& p = asset.provider_id;
  return p.size() > id.size() && p.ends_with(id) && p[p.size() - id.size() - 1] == '/';
}

bool RateCardFits(const RateCard& card, const std::string& asset) {
  if (card.asset.ends_with('*')) {
    return asset.starts_with(std::string_view(card.asset).substr(0, card.asset.size() - 1));
  }
  return card.asset == asset;
}

}  // namespace

Allocator::Allocator(const Config& config, const AllocationInputs& inputs)
    : config_(config), inputs_(inputs) {
  std::unordered_map<std::string, uint32_t> by_id;
  for (uint32_t a = 0; a < inputs.assets.size(); ++a) {
    const Asset& asset = inputs.assets[a];
    by_id.emplace(asset.name, a);
    if (!asset.provider_id.empty()) {
      by_id.emplace(asset.provider_id, a);
      const size_t slash = asset.provider_id.rfind('/');
      if (slash != std::string::npos) by_id.emplace(asset.provider_id.substr(slash + 1), a);
    }
  }
  line_asset_.reserve(inputs.lines.size());
  for (const AllocationCostLine& line : inputs.lines) {
    auto it = by_id.find(line.resource_id);
    line_asset_.push_back(it != by_id.end() && MatchesAsset(line, inputs.assets[it->second])
                              ? it->second
                              : kNoAsset);
  }
  consumer_owner_.reserve(inputs.consumers.size());
  for (const Consumer& c : inputs.consumers) {
    OwnershipSubject subject;
    subject.consumer = &c;
    consumer_owner_.push_back(OwnerOf(config.ownership, subject, kUnownedOwner));
  }
  idle_owner_.assign(inputs.assets.size(), "");
  rate_card_.assign(inputs.assets.size(), nullptr);
  for (uint32_t a = 0; a < inputs.assets.size(); ++a) {
    for (const RateCard& card : config.rate_cards) {
      if (RateCardFits(card, inputs.assets[a].name)) {
        rate_card_[a] = &card;
        break;
      }
    }
  }
}

const std::string& Allocator::IdleOwner(uint32_t asset) {
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
    const Timestamp next = Timestamp::FromUnixSeconds(month.unix_seconds() + 32 * 86400).StartOfMonth();
    const auto hours = static_cast<size_t>((next.unix_seconds() - month.unix_seconds()) / 3600);
    std::vector<Decimal> even(hours, Decimal::FromUnits(1));
    it = rate_card_months_.emplace(key, SplitProportionally(rate_card_[asset]->MonthlyTotal(), even))
             .first;
  }
  return it->second[static_cast<size_t>((hour.unix_seconds() - month.unix_seconds()) / 3600)];
}

Status Allocator::AllocateHour(const HourInputs& in, std::vector<AllocationRow>* rows,
                               std::map<std::string, Decimal>* bill) {
  const size_t first = rows->size();
  // Group the hour's line parts by (asset, source, service); unmatched lines go straight out.
  std::map<std::tuple<uint32_t, std::string, std::string>, Decimal> units;
  for (const auto& [line_index, amount] : in.cost_parts) {
    const AllocationCostLine& line = inputs_.lines[line_index];
    (*bill)[line.source] += amount;
    const uint32_t asset = line_asset_[line_index];
    if (asset != kNoAsset) {
      units[{asset, line.source, line.service}] += amount;
      continue;
    }
    OwnershipSubject subject;
    subject.tags = &line.tags;
    subject.service = line.service;
    subject.account = line.account;
    subject.source = line.source;
    rows->push_back(AllocationRow{in.hour, line.source, std::string(kUnallocatedConsumer),
                                  line.resource_id, "",
                                  OwnerOf(config_.ownership, subject, kUnallocatedConsumer),
                                  line.service, AllocationKind::kUnallocated, amount, {}});
  }
  for (uint32_t a = 0; a < rate_card_.size(); ++a) {
    if (rate_card_[a] == nullptr) continue;
    TALLY_ASSIGN_OR_RETURN(Decimal cost, RateCardHour(a, in.hour));
    (*bill)["rate-card"] += cost;
    units[{a, "rate-card", "On-premises"}] += cost;
  }
  for (const auto& [key, cost] : units) {
    const auto& [asset, source, service] = key;
    TALLY_RETURN_IF_ERROR(AllocateUnit(in, CostUnit{asset, source, service, cost}, rows));
  }
  ApplySharedStages(rows, first);
  return Status::Ok();
}

Status Allocator::AllocateUnit(const HourInputs& in, const CostUnit& unit,
                               std::vector<AllocationRow>* rows) {
  const Asset& asset = inputs_.assets[unit.asset];
  auto row = [&](std::string consumer, std::string resource, std::string owner,
                 AllocationKind kind, Decimal cost, Decimal quantity = Decimal()) {
    if (cost.is_zero()) return;
    rows->push_back(AllocationRow{in.hour, unit.source, std::move(consumer), asset.name,
                                  std::move(resource), std::move(owner), unit.service, kind,
                                  cost, quantity});
  };
  // Capacity per resource (several sources may report it: the largest counts).
  std::map<std::string, Decimal> capacity;
  for (const CapacityFact& f : in.capacity) {
    if (f.asset != unit.asset) continue;
    Decimal& c = capacity[f.resource];
    c = std::max(c, f.capacity);
  }
  if (capacity.empty()) {
    row(std::string(kIdleConsumer), "", IdleOwner(unit.asset), AllocationKind::kIdle, unit.cost);
    return Status::Ok();
  }
  std::vector<std::string> resources;
  std::vector<Decimal> weights;
  const RateCard* card = rate_card_[unit.asset];
  for (const auto& [resource, cap] : capacity) {
    resources.push_back(resource);
    if (card != nullptr && !card->weights.empty()) {
      auto w = card->weights.find(resource);
      weights.push_back(w == card->weights.end() ? Decimal() : w->second);
      continue;
    }
    auto price = config_.reference_prices.find(resource);
    if (price == config_.reference_prices.end()) {
      weights.emplace_back();
      continue;
    }
    TALLY_ASSIGN_OR_RETURN(Decimal w, cap.Multiply(price->second));
    weights.push_back(w);
  }
  const std::vector<Decimal> components = SplitProportionally(unit.cost, weights);

  // Each consumer's basis per resource on this asset (several sources: the largest counts).
  std::map<std::pair<std::string, uint32_t>, Decimal> bases;
  for (const UsageFact& f : in.usage) {
    if (f.asset != unit.asset) continue;
    Decimal& b = bases[{f.resource, f.consumer}];
    b = std::max({b, f.request, f.usage});
  }
  std::map<uint32_t, Decimal> direct_by_consumer;  // for sharing idle by asset
  Decimal idle_total;
  for (size_t r = 0; r < resources.size(); ++r) {
    const Decimal component = components[r];
    if (component.is_zero()) continue;
    std::vector<uint32_t> who;
    std::vector<Decimal> w;
    Decimal sum;
    for (auto it = bases.lower_bound({resources[r], 0});
         it != bases.end() && it->first.first == resources[r]; ++it) {
      who.push_back(it->first.second);
      w.push_back(it->second);
      sum += it->second;
    }
    const Decimal cap = capacity[resources[r]];
    const bool idle = sum < cap || who.empty();
    if (idle) w.push_back(cap - sum);  // unused capacity is idle
    const std::vector<Decimal> parts = SplitProportionally(component, w);
    for (size_t i = 0; i < who.size(); ++i) {
      row(inputs_.consumers[who[i]].name, resources[r], consumer_owner_[who[i]],
          AllocationKind::kDirect, parts[i], w[i]);
      direct_by_consumer[who[i]] += parts[i];
    }
    if (!idle) continue;
    if (config_.idle == IdlePolicy::kShareByAsset) {
      idle_total += parts.back();
    } else {
      row(std::string(kIdleConsumer), resources[r], IdleOwner(unit.asset), AllocationKind::kIdle,
          parts.back());
    }
  }
  if (idle_total.is_zero()) return Status::Ok();
  // Idle shared to the asset's consumers in proportion to their direct cost.
  std::vector<uint32_t> who;
  std::vector<Decimal> w;
  for (const auto& [c, cost] : direct_by_consumer) {
    who.push_back(c);
    w.push_back(cost);
  }
  if (who.empty()) {
    row(std::string(kIdleConsumer), "", IdleOwner(unit.asset), AllocationKind::kIdle, idle_total);
    return Status::Ok();
  }
  const std::vector<Decimal> parts = SplitProportionally(idle_total, w);
  for (size_t i = 0; i < who.size(); ++i) {
    row(inputs_.consumers[who[i]].name, "", consumer_owner_[who[i]], AllocationKind::kShared,
        parts[i]);
  }
  return Status::Ok();
}

void Allocator::ApplySharedStages(std::vector<AllocationRow>* rows, size_t first) {
  for (const SharedStage& stage : config_.shared) {
    // The pool, per source; the targets' weights, per owner.
    std::map<std::string, Decimal> pool;
    std::map<std::string, Decimal> targets;
    std::vector<AllocationRow> kept;
    for (size_t i = first; i < rows->size(); ++i) {
      AllocationRow& r = (*rows)[i];
      Consumer consumer;
      consumer.name = r.consumer;
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
      kept.push_back(std::move(r));
    }
    if (pool.empty()) continue;
    std::vector<std::string> owners;
    std::vector<Decimal> weights;
    if (stage.distribution == SharedStage::Distribution::kFixed) {
      for (const auto& [owner, pct] : stage.percentages) {
        owners.push_back(owner);
        weights.push_back(pct);
      }
    } else {
      for (const auto& [owner, cost] : targets) {
        owners.push_back(owner);
        weights.push_back(stage.distribution == SharedStage::Distribution::kEven
                              ? Decimal::FromUnits(1)
                              : cost);
      }
    }
    const Timestamp hour = (*rows)[first].hour;
    rows->resize(first);
    for (AllocationRow& r : kept) rows->push_back(std::move(r));
    for (const auto& [source, amount] : pool) {
      if (owners.empty()) {  // nobody to share with: the pool stays, unallocated
        rows->push_back(AllocationRow{hour, source, "__shared__/" + stage.name, "", "",
                                      std::string(kUnallocatedConsumer), "",
                                      AllocationKind::kUnallocated, amount, {}});
        continue;
      }
      const std::vector<Decimal> parts = SplitProportionally(amount, weights);
      for (size_t i = 0; i < owners.size(); ++i) {
        if (parts[i].is_zero()) continue;
        rows->push_back(AllocationRow{hour, source, "__shared__/" + stage.name, "", "", owners[i],
                                      "", AllocationKind::kShared, parts[i], {}});
      }
    }
  }
}

}  // namespace tally
