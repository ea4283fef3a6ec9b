// tally demo: the generated platform loads, allocates and reconciles to exactly zero, its
// truth lists every planted inefficiency, and the GPU view shows the truth's GPU-hours.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tally/decimal.h"
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
  // The README's chargeback example: three cost centers, every workload in one.
  auto chargeback = RunTally({"--store", store, "report", "chargeback", "--by", "cost_center",
                              "--format", "json"});
  ASSERT_EQ(chargeback.exit_code, 0) << chargeback.err;
  const auto cb = nlohmann::json::parse(chargeback.out);
  std::set<std::string> centers;
  for (const auto& r : cb["rows"]) centers.insert(r["label.cost_center"].get<std::string>());
  EXPECT_TRUE(centers.contains("cc-100") && centers.contains("cc-200") &&
              centers.contains("cc-300"))
      << chargeback.out;

  const auto truth = nlohmann::json::parse(testing::ReadFile(dir.File("demo/truth.json")));
  std::set<std::string> kinds;
  for (const auto& i : truth["inefficiencies"]) {
    kinds.insert(i["kind"].get<std::string>());
    EXPECT_FALSE(i["owner"].get<std::string>().empty());
    EXPECT_NE(i["true_monthly_cost"], "0") << i.dump();
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"over_requested", "abandoned", "idle_gpu",
                                          "orphaned_volume", "cost_spike", "commitment",
                                          "underutilized_node"}));

  // The GPU view counts GPUs only: per GPU node, its capacity and busy GPU-hours are the truth's
  // (what the generator wrote), no other node is listed, and the utilization the overview shows
  // is busy / capacity.
  auto gpu = RunTally({"--store", store, "report", "gpu", "--format", "json"});
  ASSERT_EQ(gpu.exit_code, 0) << gpu.err;
  const auto view = nlohmann::json::parse(gpu.out);
  const auto& want = truth["gpu"];
  ASSERT_FALSE(want["nodes"].empty());
  EXPECT_EQ(view["total"]["capacity"], want["capacity_gpu_hours"]) << gpu.out;
  EXPECT_EQ(view["total"]["used"], want["busy_gpu_hours"]) << gpu.out;
  EXPECT_EQ(view["total"]["utilization"], want["utilization"]) << gpu.out;
  std::map<std::string, std::pair<std::string, std::string>> nodes;
  for (const auto& n : view["nodes"]) nodes[n["node"]] = {n["capacity"], n["used"]};
  ASSERT_EQ(nodes.size(), want["nodes"].size()) << gpu.out;
  for (const auto& n : want["nodes"]) {
    EXPECT_EQ(nodes[n["node"]], (std::pair<std::string, std::string>{n["capacity_gpu_hours"],
                                                                      n["busy_gpu_hours"]}))
        << n.dump();
  }

  // GPU idle cost per owner: the truth's, summed hour by hour from the unit prices the demo
  // bills, equals tally's to within the 10^-18 rounding of each split (a few thousand splits).
  const auto& truth_idle = want["idle_cost_by_owner"];
  ASSERT_FALSE(truth_idle.empty());
  std::map<std::string, nlohmann::json> tally_idle;
  for (const auto& o : view["owners"]) tally_idle[o["owner"]] = o;
  EXPECT_EQ(tally_idle.size(), truth_idle.size()) << view["owners"].dump();
  const Decimal tolerance = *Decimal::Parse("0.000000001");
  for (const auto& [owner, t] : truth_idle.items()) {
    ASSERT_TRUE(tally_idle.contains(owner)) << owner;
    for (const char* figure : {"unused_cost", "unrequested_cost", "idle_cost"}) {
      const Decimal got = *Decimal::Parse(tally_idle[owner][figure].get<std::string>());
      const Decimal truth_value = *Decimal::Parse(t[figure].get<std::string>());
      const Decimal diff = got < truth_value ? truth_value - got : got - truth_value;
      EXPECT_TRUE(diff <= tolerance) << owner << " " << figure << ": tally " << got.ToString()
                                     << ", truth " << truth_value.ToString();
    }
  }

  // Loading the same demo again changes nothing and recomputes only what changed.
  auto again = RunTally({"--store", store, "demo", "--out", dir.File("demo"), "--teams", "5",
                         "--workloads", "24", "--days", "3", "--start", "2026-03-30", "--load"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(
      RunTally({"--store", store, "report", "showback", "--by", "owner", "--format", "json"}).out,
      showback.out);
}

// Showback reads whole days from the daily rollup and the rest hour by hour: for windows on and
// off day boundaries, and after one hour is allocated again, it equals the hourly rows summed.
TEST(DemoTest, DailyRollupEqualsTheHours) {
  testing::TempDir dir;
  const std::string store = dir.File("t.db");
  auto demo = RunTally({"--store", store, "demo", "--out", dir.File("demo"), "--teams", "4",
                        "--workloads", "16", "--days", "3", "--start", "2026-03-30", "--load"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  auto showback = [&](const std::string& by, std::vector<std::string> window) {
    std::vector<std::string> args = {"--store", store, "report",   "showback",
                                     "--by",    by,    "--format", "json"};
    args.insert(args.end(), window.begin(), window.end());
    auto r = RunTally(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  };
  // Per owner, from the rollup where it can, and summed from rows split by hour or day.
  auto compare = [&](std::vector<std::string> window) {
    std::map<std::string, std::string> direct;
    const auto whole = showback("owner", window);  // named: a temporary's rows would dangle
    for (const auto& row : whole["rows"]) direct[row["owner"]] = row["cost"];
    ASSERT_FALSE(direct.empty());
    for (const char* split : {"owner,hour", "owner,day"}) {
      std::map<std::string, Decimal> sums;
      const auto parts = showback(split, window);
      for (const auto& row : parts["rows"]) {
        sums[row["owner"]] += *Decimal::Parse(row["cost"].get<std::string>());
      }
      std::map<std::string, std::string> summed;
      for (const auto& [owner, sum] : sums) summed[owner] = sum.ToString();
      EXPECT_EQ(direct, summed) << split;
    }
  };
  compare({});
  compare({"--from", "2026-03-30T05:00:00Z", "--to", "2026-04-01T17:00:00Z"});
  compare({"--from", "2026-03-31", "--to", "2026-04-01"});

  // One hour's usage changes: that hour is allocated again and its day summed again.
  std::ifstream usage(dir.File("demo/usage.csv"));
  std::string header, first;
  std::getline(usage, header);
  std::getline(usage, first);
  const std::string rest = first.substr(first.find(',', first.find(',') + 1));  // after start,end
  testing::WriteFile(dir.File("extra.csv"),
                     header + "\n2026-03-31T10:00:00Z,2026-03-31T11:00:00Z" + rest + "\n");
  auto extra = RunTally(
      {"--store", store, "ingest", "usage-csv", "--source", "extra", dir.File("extra.csv")});
  ASSERT_EQ(extra.exit_code, 0) << extra.err;
  auto allocate = RunTally({"--store", store, "allocate", "--config", dir.File("demo/tally.yaml")});
  EXPECT_NE(allocate.out.find("allocate: 1 of 72 hours recomputed"), std::string::npos)
      << allocate.out;
  compare({});
  compare({"--from", "2026-03-31", "--to", "2026-04-01"});
  EXPECT_EQ(RunTally({"--store", store, "reconcile"}).exit_code, 0);
}

}  // namespace
}  // namespace tally
