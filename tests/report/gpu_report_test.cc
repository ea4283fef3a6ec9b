// The GPU view counts GPUs only. A platform of a CPU node, a volume, a GPU node (4 GPUs) and a
// MIG node (one device, shared by fractional requests), two hours, with cpu, memory and storage
// facts and cost beside the GPU ones: only the GPU capacity, requests, usage and the gpu
// component's cost may reach the view. Every expected figure is worked out in the comments.
#include "report/gpu_report.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tally {
namespace {

constexpr int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z
Timestamp H(int h) { return Timestamp::FromUnixSeconds(kStart + int64_t{h} * 3600); }
Decimal D(const char* text) { return *Decimal::Parse(text); }

class GpuReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite:" + dir_.File("t.db"));
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    UsageBatch batch("inventory", TimeWindow{H(0), H(2)});
    const uint32_t cpu = batch.AddAsset({"cpu-1", "i-1", "m5.2xlarge", "z", {}});
    const uint32_t vol = batch.AddAsset({"vol-1", "vol-1", "gp3", "z", {}});
    const uint32_t gpu = batch.AddAsset({"gpu-1", "i-2", "p4d", "z", {}});
    const uint32_t mig = batch.AddAsset({"mig-1", "i-3", "p4d-mig", "z", {}});
    const uint32_t a = batch.AddConsumer({"ml/a/c", "ml", "a", "c", "", {}});
    const uint32_t b = batch.AddConsumer({"ml/b/c", "ml", "b", "c", "", {}});
    const uint32_t m = batch.AddConsumer({"ml/m/c", "ml", "m", "c", "", {}});
    const uint32_t web = batch.AddConsumer({"web/w/c", "web", "w", "c", "", {}});
    for (int h = 0; h < 2; ++h) {
      auto cap = [&](uint32_t asset, const char* resource, const char* unit, const char* amount) {
        batch.AddCapacity({H(h), asset, resource, unit, D(amount)});
      };
      cap(cpu, "cpu", "core", "8");
      cap(cpu, "memory", "GiB", "32");
      cap(vol, "storage", "GiB", "100");
      cap(gpu, "cpu", "core", "32");
      cap(gpu, "memory", "GiB", "256");
      cap(gpu, "gpu", "gpu", "4");
      cap(mig, "cpu", "core", "16");
      cap(mig, "gpu", "gpu", "1");
      auto use = [&](uint32_t consumer, uint32_t asset, const char* resource, const char* unit,
                     const char* request, const char* usage) {
        batch.AddUsage({H(h), consumer, asset, resource, unit, D(request), D(usage)});
      };
      use(a, gpu, "gpu", "gpu", "2", "1.5");
      use(a, gpu, "cpu", "core", "8", "6");
      use(b, gpu, "gpu", "gpu", "1", "0.25");
      use(m, mig, "gpu", "gpu", "0.5", "0.5");
      use(web, cpu, "cpu", "core", "2", "1");
      use(web, cpu, "memory", "GiB", "4", "3");
    }
    ASSERT_TRUE(store_->StoreUsage(std::span(&batch, 1)).ok());

    // Per hour, the gpu components: gpu-1 $8 (a 2 of 4 GPUs $4, b $2, idle $2), mig-1 $2
    // (m half $1, idle $1); and cost that is not the GPUs': a's cpu, the CPU node, the volume.
    std::vector<AllocatedHour> hours;
    for (int h = 0; h < 2; ++h) {
      AllocatedHour out{H(h), {}, {}};
      auto row = [&](const char* consumer, const char* asset, const char* resource,
                     AllocationKind kind, const char* cost) {
        // The GPU nodes' unrequested capacity is the platform team's; the rest is "ml".
        const char* owner = kind == AllocationKind::kIdle ? "platform" : "ml";
        out.rows.push_back({H(h), "AWS", consumer, asset, resource, owner, "EC2", kind, D(cost),
                            Decimal()});
      };
      row("ml/a/c", "gpu-1", "gpu", AllocationKind::kDirect, "4");
      row("ml/b/c", "gpu-1", "gpu", AllocationKind::kDirect, "2");
      row("__idle__", "gpu-1", "gpu", AllocationKind::kIdle, "2");
      row("ml/a/c", "gpu-1", "cpu", AllocationKind::kDirect, "3");
      row("ml/m/c", "mig-1", "gpu", AllocationKind::kDirect, "1");
      row("__idle__", "mig-1", "gpu", AllocationKind::kIdle, "1");
      row("web/w/c", "cpu-1", "cpu", AllocationKind::kDirect, "0.4");
      row("__idle__", "cpu-1", "cpu", AllocationKind::kIdle, "0.6");
      row("__idle__", "vol-1", "storage", AllocationKind::kIdle, "0.1");
      out.bill["AWS"] = D("14.1");
      hours.push_back(std::move(out));
    }
    ASSERT_TRUE(store_->StoreAllocations(hours, "p").ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(GpuReportTest, CountsOnlyGpuCapacityRequestsUsageAndCost) {
  auto report = BuildGpuReport(*store_, std::nullopt, std::nullopt);
  ASSERT_TRUE(report.ok()) << report.status().message();
  // Only the two nodes with GPUs; the CPU node and the volume are not GPU nodes.
  ASSERT_EQ(report->nodes.size(), 2u);
  const auto& [gpu_name, gpu] = report->nodes[0];
  const auto& [mig_name, mig] = report->nodes[1];
  EXPECT_EQ(gpu_name, "gpu-1");
  EXPECT_EQ(mig_name, "mig-1");
  // gpu-1: 4 GPUs × 2 h = 8 GPU-h; requested (2 + 1) × 2 = 6; used (1.5 + 0.25) × 2 = 3.5;
  // cost (4 + 2 + 2) × 2 = 16, idle 2 × 2 = 4.
  EXPECT_EQ(gpu.capacity, D("8"));
  EXPECT_EQ(gpu.requested, D("6"));
  EXPECT_EQ(gpu.used, D("3.5"));
  EXPECT_EQ(gpu.cost, D("16"));
  EXPECT_EQ(gpu.idle_cost, D("4"));
  // mig-1: 1 device × 2 h = 2; requested 0.5 × 2 = 1; used 1; cost (1 + 1) × 2 = 4, idle 2.
  EXPECT_EQ(mig.capacity, D("2"));
  EXPECT_EQ(mig.requested, D("1"));
  EXPECT_EQ(mig.used, D("1"));
  EXPECT_EQ(mig.cost, D("4"));
  EXPECT_EQ(mig.idle_cost, D("2"));
  // Totals: 10 GPU-h of capacity, 7 requested, 4.5 used; $20, of which $6 idle.
  EXPECT_EQ(report->total.capacity, D("10"));
  EXPECT_EQ(report->total.requested, D("7"));
  EXPECT_EQ(report->total.used, D("4.5"));
  EXPECT_EQ(report->total.cost, D("20"));
  EXPECT_EQ(report->total.idle_cost, D("6"));
  // Consumers with GPUs only, by cost: a $8 (not its $6 of cpu), b $4, m $2.
  ASSERT_EQ(report->consumers.size(), 3u);
  EXPECT_EQ(report->consumers[0].consumer, "ml/a/c");
  EXPECT_EQ(report->consumers[0].amounts.cost, D("8"));
  EXPECT_EQ(report->consumers[0].amounts.requested, D("4"));
  EXPECT_EQ(report->consumers[1].consumer, "ml/b/c");
  EXPECT_EQ(report->consumers[1].amounts.cost, D("4"));
  EXPECT_EQ(report->consumers[2].consumer, "ml/m/c");
  EXPECT_EQ(report->consumers[2].amounts.cost, D("2"));
  // One day: the same totals; the JSON's utilization is used / capacity = 4.5 / 10.
  ASSERT_EQ(report->daily.size(), 1u);
  EXPECT_EQ(report->daily[0].second.capacity, D("10"));
  const auto json = GpuReportJson(*report);
  EXPECT_EQ(json["total"]["utilization"], "0.45");
  EXPECT_EQ(json["nodes"][0]["utilization"], "0.4375");
  EXPECT_EQ(json["nodes"][1]["utilization"], "0.5");
}

TEST_F(GpuReportTest, IdleCostIsUnusedHeldGpusAndUnrequestedCapacityPerOwner) {
  auto report = BuildGpuReport(*store_, std::nullopt, std::nullopt);
  ASSERT_TRUE(report.ok()) << report.status().message();
  // Per hour: a holds 2 GPUs for $4 and uses 1.5: $4 × 0.5 / 2 = $1 unused; b holds 1 for $2
  // and uses 0.25: $2 × 0.75 = $1.5; m uses all it holds: $0. Two hours: a $2, b $3.
  ASSERT_EQ(report->consumers.size(), 3u);
  EXPECT_EQ(report->consumers[0].amounts.unused_cost, D("2"));
  EXPECT_EQ(report->consumers[1].amounts.unused_cost, D("3"));
  EXPECT_EQ(report->consumers[2].amounts.unused_cost, D("0"));
  EXPECT_EQ(report->total.unused_cost, D("5"));
  // Owners: ml holds $14 of GPUs and left $5 unused; platform owns the $6 nobody requested
  // (gpu-1 $2 + mig-1 $1 an hour) and is listed first, by idle cost.
  ASSERT_EQ(report->owners.size(), 2u);
  EXPECT_EQ(report->owners[0].owner, "platform");
  EXPECT_EQ(report->owners[0].unrequested_cost, D("6"));
  EXPECT_EQ(report->owners[0].idle_cost(), D("6"));
  EXPECT_EQ(report->owners[1].owner, "ml");
  EXPECT_EQ(report->owners[1].cost, D("14"));
  EXPECT_EQ(report->owners[1].unused_cost, D("5"));
  EXPECT_EQ(report->owners[1].unrequested_cost, D("0"));
  const auto json = GpuReportJson(*report);
  EXPECT_EQ(json["owners"][1]["idle_cost"], "5");
  EXPECT_EQ(json["total"]["unused_cost"], "5");
}

}  // namespace
}  // namespace tally
