// The allocation engine in memory: CostSpreader spreads lines over hours exactly; Allocator
// allocates the worked example of docs/allocation.md (one hour, two nodes, four consumers, a
// tagged support line and an untagged tax line) to the figures computed there by hand, and
// shared-cost stages move a pool by proportion, evenly and by fixed percentages, exactly.
#include "allocate/allocator.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "allocate/cost_spreader.h"

namespace tally {
namespace {

Decimal D(const char* s) { return *Decimal::Parse(s); }
Timestamp T(const char* s) { return *ParseTimestamp(s); }

AllocationCostLine Line(const char* resource_id, const char* cost, const char* start,
                        const char* end, Labels tags = {}) {
  AllocationCostLine l;
  l.source = "AWS";
  l.account = "1";
  l.service = "EC2";
  l.resource_id = resource_id;
  l.tags = std::move(tags);
  l.start = T(start);
  l.end = T(end);
  l.cost = D(cost);
  return l;
}

TEST(CostSpreaderTest, SpreadsByTheSecondsOfEachHourAndSumsExactly) {
  const std::vector<AllocationCostLine> lines = {
      Line("a", "9.216", "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z"),  // a day: 24 × 0.384
      Line("b", "3", "2026-06-01T10:30:00Z", "2026-06-01T12:00:00Z"),      // 30 and 60 minutes
      Line("c", "1", "2026-06-01T05:00:00Z", "2026-06-01T08:00:00Z"),      // 3 hours of 1/3
      Line("d", "5", "2026-06-01T05:00:00Z", "2026-06-01T05:00:00Z")};     // no period
  const CostSpreader spreader(lines, TimeWindow{T("2026-06-01"), T("2026-06-02")});
  EXPECT_EQ(spreader.lines_without_period(), 1);
  std::map<uint32_t, Decimal> sums;
  for (int h = 0; h < 24; ++h) {
    const Timestamp hour = Timestamp::FromUnixSeconds(T("2026-06-01").unix_seconds() + h * 3600);
    for (const auto& [line, amount] : spreader.PartsInHour(hour)) {
      sums[line] += amount;
      const Decimal want = line == 0 ? D("0.384") : line == 1 ? D(h == 10 ? "1" : "2") : amount;
      EXPECT_EQ(amount, want) << "line " << line << " hour " << h;
    }
  }
  EXPECT_EQ(sums[0], D("9.216"));
  EXPECT_EQ(sums[1], D("3"));
  EXPECT_EQ(sums[2], D("1"));  // 0.333333333333333334 + 0.333333333333333333 × 2
  EXPECT_FALSE(sums.contains(3));
}

TEST(AllocatorTest, TheWorkedExampleOfTheAllocationDoc) {
  Config config = DefaultConfig();
  config.reference_prices = {{"cpu", D("1")}, {"memory", D("0.25")}};
  AllocationInputs in;
  auto consumer = [&](const char* name, const char* team) {
    in.consumers.push_back(Consumer{name, team, "", "", "", {{"team", team}}});
    in.consumer_ids.push_back(static_cast<int64_t>(in.consumers.size()));
    return static_cast<uint32_t>(in.consumers.size() - 1);
  };
  const uint32_t api = consumer("search/api", "search"), web = consumer("ads/web", "ads");
  const uint32_t batch = consumer("ads/batch", "ads"), etl = consumer("search/etl", "search");
  in.assets = {Asset{"node-a", "node-a", "", "", {}},
               Asset{"node-b", "node-b", "", "", {{"team", "platform"}}}};
  in.asset_ids = {1, 2};
  const char* h0 = "2026-06-01T00:00:00Z";
  const char* h1 = "2026-06-01T01:00:00Z";
  in.lines = {Line("node-a", "10", h0, h1), Line("node-b", "6", h0, h1),
              Line("support", "3", h0, h1, {{"team", "search"}}), Line("tax", "1", h0, h1)};
  const Timestamp hour = T(h0);
  auto fact = [&](uint32_t c, uint32_t a, const char* resource, const char* request,
                  const char* used) {
    return UsageFact{hour, c, a, resource, std::string(resource) == "cpu" ? "core" : "GiB",
                     D(request), D(used)};
  };
  const std::vector<UsageFact> usage = {
      fact(api, 0, "cpu", "1", "0.5"),   fact(api, 0, "memory", "4", "6"),
      fact(web, 0, "cpu", "2", "2.5"),   fact(web, 0, "memory", "2", "1"),
      fact(batch, 1, "cpu", "2", "3"),   fact(batch, 1, "memory", "4", "2"),
      fact(etl, 1, "cpu", "1", "0"),     fact(etl, 1, "memory", "2", "2")};
  const std::vector<CapacityFact> capacity = {
      {hour, 0, "cpu", "core", D("4")}, {hour, 0, "memory", "GiB", D("16")},
      {hour, 1, "cpu", "core", D("2")}, {hour, 1, "memory", "GiB", D("8")}};
  const CostSpreader spreader(in.lines, TimeWindow{hour, T(h1)});
  Allocator allocator(config, in);
  std::vector<AllocationRow> rows;
  std::map<std::string, Decimal> bill;
  ASSERT_TRUE(
      allocator.AllocateHour(HourInputs{hour, usage, capacity, spreader.PartsInHour(hour)}, &rows,
                             &bill)
          .ok());
  EXPECT_EQ(bill.at("AWS"), D("20"));

  std::map<std::string, Decimal> by_owner, by_cell;
  Decimal total;
  for (const AllocationRow& r : rows) {
    by_owner[std::string(r.owner)] += r.cost;
    by_cell[std::string(r.consumer) + " " + std::string(r.asset) + " " + std::string(r.resource)] +=
        r.cost;
    total += r.cost;
  }
  EXPECT_EQ(total, D("20"));  // allocated + idle + unallocated = bill
  EXPECT_EQ(by_owner, (std::map<std::string, Decimal>{{"search", D("7.625")},
                                                     {"ads", D("7.5")},
                                                     {"__idle__", D("3.125")},
                                                     {"__unallocated__", D("1")},
                                                     {"platform", D("0.75")}}));
  // node-a cpu: $5 over bases 1 and 2.5 and idle 0.5; node-b cpu overcommitted (3 + 1 > 2).
  EXPECT_EQ(by_cell.at("search/api node-a cpu"), D("1.25"));
  EXPECT_EQ(by_cell.at("ads/web node-a cpu"), D("3.125"));
  EXPECT_EQ(by_cell.at("__idle__ node-a cpu"), D("0.625"));
  EXPECT_EQ(by_cell.at("search/api node-a memory"), D("1.875"));
  EXPECT_EQ(by_cell.at("__idle__ node-a memory"), D("2.5"));
  EXPECT_EQ(by_cell.at("ads/batch node-b cpu"), D("2.25"));
  EXPECT_EQ(by_cell.at("search/etl node-b cpu"), D("0.75"));
  EXPECT_FALSE(by_cell.contains("__idle__ node-b cpu"));
  EXPECT_EQ(by_cell.at("__idle__ node-b memory"), D("0.75"));
}

// Allocates the hour of `usage` and `capacity` (the inputs' lines spread over it) and hands each
// row to `each` while the allocator, whose names the rows view, is alive; returns the bill.
template <typename Each>
std::map<std::string, Decimal> AllocateOneHour(const Config& config, const AllocationInputs& in,
                                               const std::vector<UsageFact>& usage,
                                               const std::vector<CapacityFact>& capacity,
                                               Each each) {
  const Timestamp hour = usage.front().hour;
  const CostSpreader spreader(in.lines,
                              TimeWindow{hour, Timestamp::FromUnixSeconds(hour.unix_seconds() + 3600)});
  Allocator allocator(config, in);
  std::vector<AllocationRow> rows;
  std::map<std::string, Decimal> bill;
  EXPECT_TRUE(allocator
                  .AllocateHour(HourInputs{hour, usage, capacity, spreader.PartsInHour(hour)},
                                &rows, &bill)
                  .ok());
  for (const AllocationRow& r : rows) each(r);
  return bill;
}

// One node of $10 for an hour, 4 cores: x's basis 1 core, y's 2, so x 2.5, y 5 and idle 2.5.
// A shared stage then moves the idle pool to the teams: in proportion to their cost (1:2, the
// odd 10^-18 to the larger remainder), evenly, or by fixed percentages.
std::map<std::string, Decimal> SharedIdle(SharedStage::Distribution distribution,
                                          std::map<std::string, Decimal> percentages = {}) {
  Config config = DefaultConfig();
  config.reference_prices = {{"cpu", D("1")}};
  SharedStage stage;
  stage.name = "idle";
  stage.pool = {{"owner", "__idle__"}};
  stage.distribution = distribution;
  stage.percentages = std::move(percentages);
  config.shared = {stage};
  AllocationInputs in;
  in.consumers = {Consumer{"x/a", "x", "", "", "", {{"team", "x"}}},
                  Consumer{"y/b", "y", "", "", "", {{"team", "y"}}}};
  in.consumer_ids = {1, 2};
  in.assets = {Asset{"node-a", "node-a", "", "", {}}};
  in.asset_ids = {1};
  const char* h0 = "2026-06-01T00:00:00Z";
  const char* h1 = "2026-06-01T01:00:00Z";
  in.lines = {Line("node-a", "10", h0, h1)};
  const Timestamp hour = T(h0);
  const std::vector<UsageFact> usage = {{hour, 0, 0, "cpu", "core", D("1"), D("0.5")},
                                        {hour, 1, 0, "cpu", "core", D("2"), D("1")}};
  const std::vector<CapacityFact> capacity = {{hour, 0, "cpu", "core", D("4")}};
  std::map<std::string, Decimal> by_owner;
  Decimal total;
  const auto bill = AllocateOneHour(config, in, usage, capacity, [&](const AllocationRow& r) {
    by_owner[std::string(r.owner)] += r.cost;
    total += r.cost;
  });
  EXPECT_EQ(total, bill.at("AWS"));  // nothing made or lost by the stage
  return by_owner;
}

TEST(AllocatorTest, SharedStagesMoveAPoolByProportionEvenlyOrByPercentages) {
  using Distribution = SharedStage::Distribution;
  EXPECT_EQ(SharedIdle(Distribution::kProportional),
            (std::map<std::string, Decimal>{{"x", D("3.333333333333333333")},
                                            {"y", D("6.666666666666666667")}}));
  EXPECT_EQ(SharedIdle(Distribution::kEven),
            (std::map<std::string, Decimal>{{"x", D("3.75")}, {"y", D("6.25")}}));
  EXPECT_EQ(SharedIdle(Distribution::kFixed, {{"x", D("20")}, {"y", D("80")}}),
            (std::map<std::string, Decimal>{{"x", D("3")}, {"y", D("7")}}));
}

// AWS's example of split cost allocation for accelerated instances: a $10 p3.16xlarge hour
// (8 GPUs, 64 vCPUs, 488 GiB) at GPU 9 : vCPU 0.9 : GiB 0.1 per unit is $0.504 a GPU-hour and
// $0.0504 a vCPU-hour (10 / 178.4 per weight unit). A pod holding 1 GPU, 8 vCPUs and 61 GiB
// pays 10 × (9 + 7.2 + 6.1) / 178.4 = $1.25. An explicit class gives its shares instead.
std::map<std::string, Decimal> PodCost(const Config& config, const char* instance_type) {
  AllocationInputs in;
  in.consumers = {Consumer{"ml/p", "ml", "", "", "", {{"team", "ml"}}}};
  in.consumer_ids = {1};
  in.assets = {Asset{"node", "node", instance_type, "", {}}};
  in.asset_ids = {1};
  const char* h0 = "2026-06-01T00:00:00Z";
  const char* h1 = "2026-06-01T01:00:00Z";
  in.lines = {Line("node", "10", h0, h1)};
  const Timestamp hour = T(h0);
  const std::vector<UsageFact> usage = {{hour, 0, 0, "gpu", "gpu", D("1"), D("1")},
                                        {hour, 0, 0, "cpu", "core", D("8"), D("8")},
                                        {hour, 0, 0, "memory", "GiB", D("61"), D("61")}};
  const std::vector<CapacityFact> capacity = {{hour, 0, "gpu", "gpu", D("8")},
                                              {hour, 0, "cpu", "core", D("64")},
                                              {hour, 0, "memory", "GiB", D("488")}};
  std::map<std::string, Decimal> by_resource;  // the pod's, rounded to cents of a cent
  Decimal total;
  AllocateOneHour(config, in, usage, capacity, [&](const AllocationRow& r) {
    total += r.cost;
    if (r.consumer == "ml/p") by_resource[std::string(r.resource)] += r.cost;
  });
  EXPECT_EQ(total, D("10"));
  for (auto& [resource, cost] : by_resource) cost = cost.Round(4);
  return by_resource;
}

TEST(AllocatorTest, ComponentWeightsByAwsSplitCostAllocationOrByAnExplicitClass) {
  Config aws = DefaultConfig();
  aws.weight_policy = WeightPolicy::kAws;
  // 10 × 9 / 178.4 = 0.50448…; 8 × 10 × 0.9 / 178.4 = 0.40358…; 61 × 10 × 0.1 / 178.4 = 0.34192….
  EXPECT_EQ(PodCost(aws, "p3.16xlarge"),
            (std::map<std::string, Decimal>{
                {"gpu", D("0.5045")}, {"cpu", D("0.4036")}, {"memory", D("0.3419")}}));
  Config explicit_class = DefaultConfig();
  explicit_class.weight_classes = {
      WeightClass{"p3.*", {{"gpu", D("0.9")}, {"cpu", D("0.09")}, {"memory", D("0.01")}}}};
  // $9 over 8 GPUs, $0.9 over 64 vCPUs, $0.1 over 488 GiB: 1.125, 0.1125, 0.0125.
  EXPECT_EQ(PodCost(explicit_class, "p3.16xlarge"),
            (std::map<std::string, Decimal>{
                {"gpu", D("1.125")}, {"cpu", D("0.1125")}, {"memory", D("0.0125")}}));
  // Another instance type is not in the class: reference prices then.
  EXPECT_NE(PodCost(explicit_class, "m5.large"), PodCost(explicit_class, "p3.16xlarge"));
}

// An on-prem GPU server on a rate card of $720 a month (June: 720 hours, $1 an hour) with energy
// at $0.25 a kWh: an hour that measured 4 kWh costs $1 + $1; one without a measurement $1. The
// energy is split like the rest (all to the one GPU component here) and is never a component.
TEST(AllocatorTest, RateCardsPriceTheEnergyMeasuredInTheHour) {
  Config config = DefaultConfig();
  RateCard card;
  card.asset = "dgx-*";
  card.purchase_price = Decimal();
  card.monthly = {{"power", D("720")}};
  card.energy_price_per_kwh = D("0.25");
  config.rate_cards = {card};
  AllocationInputs in;
  in.consumers = {Consumer{"ml/t", "ml", "", "", "", {{"team", "ml"}}}};
  in.consumer_ids = {1};
  in.assets = {Asset{"dgx-1", "dgx-1", "dgx-a100", "", {}}};
  in.asset_ids = {1};
  Allocator allocator(config, in);
  for (const auto& [hour_text, kwh, want] : {std::tuple{"2026-06-01T00:00:00Z", "4", "2"},
                                             std::tuple{"2026-06-01T01:00:00Z", "", "1"}}) {
    const Timestamp hour = T(hour_text);
    const std::vector<UsageFact> usage = {{hour, 0, 0, "gpu", "gpu", D("1"), D("1")}};
    std::vector<CapacityFact> capacity = {{hour, 0, "gpu", "gpu", D("1")}};
    if (*kwh != '\0') capacity.push_back({hour, 0, "energy", "kWh", D(kwh)});
    std::vector<AllocationRow> rows;
    std::map<std::string, Decimal> bill;
    ASSERT_TRUE(allocator.AllocateHour(HourInputs{hour, usage, capacity, {}}, &rows, &bill).ok());
    EXPECT_EQ(bill.at("rate-card"), D(want)) << hour_text;
    Decimal direct;
    for (const AllocationRow& r : rows) {
      EXPECT_NE(r.resource, "energy");
      if (r.consumer == "ml/t") direct += r.cost;
    }
    EXPECT_EQ(direct, D(want)) << hour_text;
  }
}

}  // namespace
}  // namespace tally
