// tally demo: the generated platform loads, allocates and reconciles to exactly zero, and its
// truth lists every planted inefficiency.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

TEST(DemoTest, LoadsAllocatesAndReconcilesExactly) {
  testing::TempDir dir;
  const std::string store = dir.File("t.db");
  auto demo = RunTally({"--store", store, "demo", "--out", dir.File("demo"), "--teams", "5",
                        "--workloads", "24", "--days", "3", "--start", "2026-03-30", "--load"});
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  EXPECT_NE(demo.out.find("allocate: 72 of 72 hours recomputed"), std::string::npos) << demo.out;

  auto reconcile = RunTally({"--store", store, "reconcile", "--format", "json"});
  ASSERT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;
  const auto rows = nlohmann::json::parse(reconcile.out)["rows"];
  ASSERT_EQ(rows.size(), 3u);  // AWS, rate-card, TOTAL
  for (const auto& row : rows) EXPECT_EQ(row["difference"], "0") << row.dump();

  // The AWS bill allocated equals the bill ingested (the window crosses a month: two partitions).
  auto costs = RunTally({"--store", store, "costs", "--format", "json"});
  const auto total = nlohmann::json::parse(costs.out)["total"];
  EXPECT_EQ(rows[0]["source"], "AWS");
  EXPECT_EQ(rows[0]["bill"], total) << costs.out;

  // Showback by team: every team appears and the total is the whole bill.
  auto showback =
      RunTally({"--store", store, "report", "showback", "--by", "owner", "--format", "json"});
  ASSERT_EQ(showback.exit_code, 0) << showback.err;
  const auto sb = nlohmann::json::parse(showback.out);
  EXPECT_EQ(sb["total"], rows[2]["bill"]);
  std::set<std::string> owners;
  for (const auto& r : sb["rows"]) owners.insert(r["owner"].get<std::string>());
  for (const char* team : {"search", "ads", "payments", "identity", "data-eng"}) {
    EXPECT_TRUE(owners.contains(team)) << team << " in " << showback.out;
  }

  const auto truth = nlohmann::json::parse(testing::ReadFile(dir.File("demo/truth.json")));
  std::set<std::string> kinds;
  for (const auto& i : truth["inefficiencies"]) {
    kinds.insert(i["kind"].get<std::string>());
    EXPECT_FALSE(i["owner"].get<std::string>().empty());
    EXPECT_NE(i["true_monthly_cost"], "0") << i.dump();
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"over_requested", "abandoned", "idle_gpu",
                                          "orphaned_volume", "cost_spike"}));

  // Loading the same demo again changes nothing and recomputes only what changed.
  auto again = RunTally({"--store", store, "demo", "--out", dir.File("demo"), "--teams", "5",
                         "--workloads", "24", "--days", "3", "--start", "2026-03-30", "--load"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(
      RunTally({"--store", store, "report", "showback", "--by", "owner", "--format", "json"}).out,
      showback.out);
}

}  // namespace
}  // namespace tally
