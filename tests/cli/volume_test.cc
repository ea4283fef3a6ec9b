// Persistent volumes from kube-state-metrics scrapes: a volume two pods mount splits its cost by
// their hours mounted; a volume nobody mounts is orphaned, its cost idle under its owner (its
// claim's team) and flagged by `tally assets`; the bill reconciles exactly.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tally/decimal.h"
#include "tally/time.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

class VolumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const int64_t h = ParseTimestamp("2026-11-02T10:00:00Z")->unix_seconds();
    std::string scrape;
    auto at = [&](const std::string& series, const std::string& value,
                  std::initializer_list<int64_t> offsets) {
      for (int64_t t : offsets) scrape += series + " " + value + " " + std::to_string((h + t) * 1000) + "\n";
    };
    // Samples at :00 and :30 hold the whole hour; one at :30 alone holds its last half (--hold
    // 1800).
    at("kube_persistentvolume_capacity_bytes{persistentvolume=\"pv-data\"}", "107374182400", {0, 1800});
    at("kube_persistentvolume_info{persistentvolume=\"pv-data\",storageclass=\"gp3\","
       "ebs_volume_id=\"vol-0data\"}", "1", {0, 1800});
    at("kube_persistentvolumeclaim_info{namespace=\"search\",persistentvolumeclaim=\"data\","
       "volumename=\"pv-data\"}", "1", {0, 1800});
    at("kube_persistentvolume_capacity_bytes{persistentvolume=\"pv-orphan\"}", "53687091200", {0, 1800});
    at("kube_persistentvolume_info{persistentvolume=\"pv-orphan\",storageclass=\"gp3\","
       "csi_volume_handle=\"vol-0orphan\"}", "1", {0, 1800});
    at("kube_persistentvolume_claim_ref{persistentvolume=\"pv-orphan\",name=\"archive\","
       "claim_namespace=\"ads\"}", "1", {0, 1800});
    at("kube_persistentvolumeclaim_labels{namespace=\"ads\",persistentvolumeclaim=\"archive\","
       "label_team=\"ads\"}", "1", {0, 1800});
    at("kube_pod_spec_volumes_persistentvolumeclaims_info{namespace=\"search\",pod=\"a\","
       "volume=\"v\",persistentvolumeclaim=\"data\"}", "1", {0, 1800});
    at("kube_pod_spec_volumes_persistentvolumeclaims_info{namespace=\"search\",pod=\"b\","
       "volume=\"v\",persistentvolumeclaim=\"data\"}", "1", {1800});
    at("kubelet_volume_stats_used_bytes{namespace=\"search\",persistentvolumeclaim=\"data\"}",
       "42949672960", {0, 1800});  // 40 GiB
    for (const char* pod : {"a", "b"}) {
      at(std::string("kube_pod_labels{namespace=\"search\",pod=\"") + pod +
             "\",label_team=\"search\"}", "1", {0, 1800});
    }
    testing::WriteFile(dir_.File("kube.prom"), scrape);
    testing::WriteFile(
        dir_.File("bill.csv"),
        "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,"
        "EffectiveCost,BilledCost,ServiceName,ResourceId\n"
        "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,3,3,Amazon Elastic Block "
        "Store,vol-0data\n"
        "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,1,1,Amazon Elastic Block "
        "Store,vol-0orphan\n");
    for (auto args : std::vector<std::vector<std::string>>{
             {"ingest", "kube-scrape", dir_.File("kube.prom"), "--hold", "1800"},
             {"ingest", "focus", dir_.File("bill.csv")},
             {"allocate"}}) {
      auto r = Tally(args);
      ASSERT_EQ(r.exit_code, 0) << args[1] << ": " << r.err;
    }
  }
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  testing::TempDir dir_;
};

TEST_F(VolumeTest, TwoPodsSplitByHoursMountedAndTheOrphanIsIdleUnderItsOwner) {
  auto r = Tally({"report", "showback", "--by", "consumer,owner,asset", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, Decimal> cost;
  Decimal total;
  const nlohmann::json parsed_1 = nlohmann::json::parse(r.out);
  for (const auto& row : parsed_1["rows"]) {
    const std::string key = row["consumer"].get<std::string>() + "|" +
                            row["owner"].get<std::string>() + "|" + row["asset"].get<std::string>();
    cost[key] += *Decimal::Parse(row["cost"].get<std::string>());
    total += *Decimal::Parse(row["cost"].get<std::string>());
  }
  // pv-data, $3: a mounted it 1 hour (100 GiB-hours), b half an hour (50): $2 and $1, no idle.
  EXPECT_EQ(cost["search/a|search|pv-data"], Decimal::FromUnits(2)) << r.out;
  EXPECT_EQ(cost["search/b|search|pv-data"], Decimal::FromUnits(1)) << r.out;
  // pv-orphan, $1: nobody mounts it; idle, owned by its claim's team.
  EXPECT_EQ(cost["__idle__|ads|pv-orphan"], Decimal::FromUnits(1)) << r.out;
  EXPECT_EQ(total, Decimal::FromUnits(4));
  auto reconcile = Tally({"reconcile", "--format", "csv"});
  EXPECT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;
  EXPECT_NE(reconcile.out.find("\nAWS,4,3,1,0,0,"), std::string::npos) << reconcile.out;

  auto assets = Tally({"assets", "--format", "json"});
  ASSERT_EQ(assets.exit_code, 0) << assets.err;
  std::map<std::string, std::string> status;
  const nlohmann::json parsed_2 = nlohmann::json::parse(assets.out);
  for (const auto& row : parsed_2["rows"]) {
    status[row["asset"].get<std::string>()] = row["status"].is_null() ? "" : row["status"].get<std::string>();
  }
  EXPECT_EQ(status["pv-orphan"], "orphaned");
  EXPECT_EQ(status["pv-data"], "");
}

TEST_F(VolumeTest, TheBytesInUseSplitOverTheMountingPods) {
  auto r = Tally({"usage", "--by", "consumer", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Decimal used, requested;
  const nlohmann::json parsed_3 = nlohmann::json::parse(r.out);
  for (const auto& row : parsed_3["rows"]) {
    if (row["resource"] != "storage") continue;
    used += *Decimal::Parse(row["usage"].get<std::string>());
    requested += *Decimal::Parse(row["request"].get<std::string>());
    if (row["consumer"] == "search/a") {
      EXPECT_EQ(row["request"], "100");
    }
    if (row["consumer"] == "search/b") {
      EXPECT_EQ(row["request"], "50");
    }
  }
  EXPECT_EQ(requested, Decimal::FromUnits(150));
  // 40 GiB in use all hour, over 1.5 pod-hours mounted: a 2/3, b 1/3 (to the last unit).
  const Decimal off = used - Decimal::FromUnits(40);
  EXPECT_LT(off < Decimal() ? -off : off, *Decimal::Parse("0.000000000000001"));
}

}  // namespace
}  // namespace tally
