// Fractional GPUs, figured by hand (docs/allocation.md, "Shared GPUs"), on the inputs of
// tests/golden/gpu-sharing: a MIG GPU of $7 an hour in instances of 3, 2 and 1 of its 7 slices
// (one free), and a $4 GPU time-sliced into 4 replicas, one per pod, each 60% busy.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

TEST(GpuSharingTest, SlicesByComputeShareReplicasByOneNthIdleByUtilization) {
  const std::string in = std::string(TALLY_SOURCE_DIR) + "/tests/golden/gpu-sharing/";
  testing::TempDir dir;
  const std::string store = "sqlite:" + dir.File("t.db");
  for (auto [format, file] : {std::pair{"focus", "bill.csv"}, {"inventory", "inventory.csv"},
                              {"usage-csv", "usage.csv"}}) {
    ASSERT_EQ(RunTally({"--store", store, "ingest", format, in + file}).exit_code, 0) << file;
  }
  ASSERT_EQ(RunTally({"--store", store, "allocate", "--config", in + "tally.yaml"}).exit_code, 0);

  // Slices by their share of the 7: $3, $2, $1, and the free slice $1 idle; replicas $1 each.
  auto showback = RunTally({"--store", store, "report", "showback", "--by", "consumer", "--format",
                            "json"});
  ASSERT_EQ(showback.exit_code, 0) << showback.err;
  std::map<std::string, std::string> cost;
  const auto sb = nlohmann::json::parse(showback.out);
  for (const auto& r : sb["rows"]) cost[r["consumer"]] = r["cost"];
  EXPECT_EQ(cost, (std::map<std::string, std::string>{{"__idle__", "1"},
                                                      {"search/t1", "1"},
                                                      {"search/t2", "1"},
                                                      {"search/t3", "1"},
                                                      {"search/t4", "1"},
                                                      {"speech/m1", "1"},
                                                      {"vision/m2", "2"},
                                                      {"vision/m3", "3"}}));
  auto reconcile = RunTally({"--store", store, "reconcile", "--format", "csv"});
  EXPECT_EQ(reconcile.exit_code, 0) << reconcile.out;  // exact
  EXPECT_NE(reconcile.out.find("\nCloud,11,10,1,0,0,"), std::string::npos) << reconcile.out;

  // GPU-hours in whole GPUs: each device is 1; the time-sliced one 2.4 of 4 replicas busy.
  auto gpu = RunTally({"--store", store, "report", "gpu", "--format", "json"});
  ASSERT_EQ(gpu.exit_code, 0) << gpu.err;
  const auto view = nlohmann::json::parse(gpu.out);
  EXPECT_EQ(view["total"]["capacity"], "2");
  EXPECT_EQ(view["nodes"][1]["node"], "ts-1");
  EXPECT_EQ(view["nodes"][1]["used"], "0.6");
  // Idle by utilization, per owner: vision's 3-slice instance half busy leaves $1.5, speech's
  // 1-slice at 25% $0.75, search's replicas at 60% 4 × $0.4 = $1.6; the free slice is the
  // asset owner's (platform) $1. Never $0, never twice: 1.5 + 0.75 + 1.6 + 1 = 4.85.
  std::map<std::string, std::string> idle;
  for (const auto& o : view["owners"]) idle[o["owner"]] = o["idle_cost"];
  EXPECT_EQ(idle, (std::map<std::string, std::string>{
                      {"platform", "1"}, {"search", "1.6"}, {"speech", "0.75"}, {"vision", "1.5"}}));
}

}  // namespace
}  // namespace tally
