// Allocator: one hour of the allocation model (../shared/DESIGN.md, docs/allocation.md).
//   1. Bill lines whose ResourceId names an asset (its name, its provider id, or the last part
//      of its provider id; line_matcher.h) are that asset's cost; on-prem assets get theirs
//      from a rate card.
//   2. An asset's cost splits into resource components by weights: the rate card's, else its
//      instance type's class's (component_weights.classes), else capacity × a per-unit weight:
//      the reference price, or AWS's (GPU 9, vCPU 0.9, GiB 0.1) under component_weights: aws.
//   3. Each consumer's basis is max(request, usage); a component splits over the bases and the
//      unused capacity (idle) by largest remainder; when the bases exceed the capacity they
//      share the whole component and idle is zero. A shared GPU counts in its parts (unit
//      "mig-slice/7", "replica/4"): bases and capacity in parts split exactly, and the weights
//      of step 2 take the capacity in whole GPUs.
//      Data-transfer lines (tally.yaml's network.bill rules) are the cost of their flow class's
//      asset "network/<class>", split by the gigabytes each consumer sent (docs/network.md);
//      in an hour without flows of the class they stay unallocated. A class with a price in
//      network.prices costs its gigabytes × the price instead (source "rate-card").
//      An asset with capacity that no bill line names and no rate card prices gets an estimated
//      cost (source "estimate", docs/estimates.md): its instance type's price per hour, else its
//      capacity × the reference prices, split like a billed cost.
//   4. Lines that match no asset are unallocated, owned through their tags.
//   5. Shared-cost stages move pools of cost to owners.
// Every split sums exactly, so the hour's rows sum to the hour's bill per source.
//
// Rows hold views into `inputs` and `config` and into the allocator: keep all three alive while
// rows are used. Not thread-safe; hours are independent, so one allocator per thread.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "allocate/line_matcher.h"
#include "config/config.h"
#include "tally/allocation.h"

namespace tally {

struct HourInputs {
  Timestamp hour;
  std::span<const UsageFact> usage;        // consumer and asset index AllocationInputs
  std::span<const CapacityFact> capacity;  // asset indexes AllocationInputs::assets
  std::span<const std::pair<uint32_t, Decimal>> cost_parts;  // (line index, amount)
};

class Allocator {
 public:
  Allocator(const Config& config, const AllocationInputs& inputs);

  // Appends the hour's rows, and adds the hour's bill per source to *bill.
  Status AllocateHour(const HourInputs& in, std::vector<AllocationRow>* rows,
                      std::map<std::string, Decimal>* bill);

 private:
  struct CostUnit {
    uint32_t asset;
    std::string_view source;
    std::string_view service;
    Decimal cost;
  };
  struct Basis {
    uint16_t resource;
    uint32_t consumer;
    Decimal amount;
  };
  // An asset's capacity of a resource in the hour, in its unit, and how many of that unit make
  // one whole (UnitsPerWhole: 7 for MIG slices), for the component weights.
  struct Capacity {
    uint16_t resource;
    Decimal amount;
    int64_t per_whole = 1;
  };
  Status AllocateUnit(Timestamp hour, const CostUnit& unit, std::span<const Basis> bases,
                      std::span<const Capacity> capacity, std::vector<AllocationRow>* rows);
  void ApplySharedStages(std::vector<AllocationRow>* rows, size_t first);
  Result<Decimal> RateCardHour(uint32_t asset, Timestamp hour);
  // The estimated cost of an unbilled asset for an hour of its capacity (0: nothing to go on).
  Result<Decimal> EstimateHour(uint32_t asset);
  std::string_view IdleOwner(uint32_t asset);
  uint16_t ResourceId(std::string_view name);

  const Config& config_;
  const AllocationInputs& inputs_;
  const LineMatcher matcher_;
  std::vector<uint32_t> line_asset_;          // per line: matched asset or kNoAsset
  std::vector<bool> line_network_;            // per line: a transfer line of a flow class
  std::vector<std::string> line_owner_;       // per line: owner of an unmatched line
  std::vector<std::string> consumer_owner_;   // per consumer
  std::vector<std::string> idle_owner_;       // per asset ("" until computed)
  std::vector<const RateCard*> rate_card_;    // per asset, or null
  std::vector<const WeightClass*> weight_class_;  // per asset, or null
  std::vector<bool> estimated_;  // per asset: no bill line names it and no rate card prices it
  std::deque<std::string> resources_;         // interned resource names (a deque: rows view them)
  std::vector<std::string> stage_consumers_;  // "__shared__/<stage name>"
  // (asset, month start) -> the month's hourly parts
  std::map<std::pair<uint32_t, int64_t>, std::vector<Decimal>> rate_card_months_;
  // Per-hour scratch, kept to reuse its memory.
  std::vector<std::vector<Basis>> bases_by_asset_;
  std::vector<std::vector<Capacity>> capacity_by_asset_;
  std::vector<uint32_t> touched_assets_;
};

}  // namespace tally
