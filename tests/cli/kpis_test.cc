// tally kpis on the golden allocation cases, against figures computed by hand from their input
// files (tests/golden/*/usage.csv, inventory.csv, bill.csv and docs/allocation.md's worked
// figures), and commitment KPIs on the FOCUS specification's commitment examples.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tally/decimal.h"
#include "testing/test_util.h"

namespace tally {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::RunTally;

Decimal D(const Json& j) { return *Decimal::Parse(j.get<std::string>()); }
Decimal D(const char* text) { return *Decimal::Parse(text); }

class KpisTest : public ::testing::Test {
 protected:
  // Loads a golden case and returns `tally kpis --format json`.
  Json Kpis(const std::string& name) {
    const fs::path dir = fs::path(TALLY_SOURCE_DIR) / "tests" / "golden" / name;
    store_ = "sqlite:" + dir_.File(name + ".db");
    EXPECT_EQ(testing::IngestEach(store_, {{"focus", (dir / "bill.csv").string()},
                                           {"inventory", (dir / "inventory.csv").string()},
                                           {"usage-csv", (dir / "usage.csv").string()}}),
              "");
    auto a = RunTally({"--store", store_, "allocate", "--config", (dir / "tally.yaml").string()});
    EXPECT_EQ(a.exit_code, 0) << a.err;
    auto r = RunTally({"--store", store_, "kpis", "--config", (dir / "tally.yaml").string(),
                       "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out);
  }
  static const Json& Owner(const Json& kpis, const std::string& owner) {
    for (const Json& o : kpis["owners"]) {
      if (o["owner"] == owner) return o;
    }
    static const Json none;
    ADD_FAILURE() << "no owner " << owner;
    return none;
  }
  static Json Efficiency(const Json& set, const std::string& resource) {
    for (const Json& e : set["efficiency"]) {
      if (e["resource"] == resource) return e;
    }
    return Json();
  }
  static Json Unit(const Json& set, const std::string& name) {
    for (const Json& u : set["unit_costs"]) {
      if (u["name"] == name) return u;
    }
    return Json();
  }
  testing::TempDir dir_;
  std::string store_;
};

TEST_F(KpisTest, WorkedExampleByHand) {
  const Json k = Kpis("worked-example");
  const Json& p = k["platform"];
  // The bill is 20: 10 + 6 of nodes, 3 of support (tagged search), 1 of tax.
  EXPECT_EQ(D(p["total"]), D("20"));
  // Real owners: search 7.625, ads 7.5, platform 0.75 (node-b's idle, its owner's).
  EXPECT_EQ(D(p["owned"]), D("15.875"));
  EXPECT_DOUBLE_EQ(p["coverage"].get<double>(), 15.875 / 20);
  // Idle: memory 3.25 + cpu 0.625; unallocated: support 3 + tax 1.
  EXPECT_EQ(D(p["idle"]), D("3.875"));
  EXPECT_DOUBLE_EQ(p["idle_share"].get<double>(), 3.875 / 20);
  EXPECT_EQ(D(p["unallocated"]), D("4"));
  // usage.csv: cpu requested 1+2+2+1 = 6, used 0.5+2.5+3+0 = 6; memory 4+2+4+2 = 12 and
  // 6+1+2+2 = 11.
  EXPECT_DOUBLE_EQ(Efficiency(p, "cpu")["ratio"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(Efficiency(p, "memory")["ratio"].get<double>(), 11.0 / 12);
  // ads: cpu 2+2 requested, 2.5+3 used; memory 2+4 and 1+2. search: cpu 1+1, 0.5+0; memory
  // 4+2, 6+2.
  EXPECT_DOUBLE_EQ(Efficiency(Owner(k, "ads"), "cpu")["ratio"].get<double>(), 5.5 / 4);
  EXPECT_DOUBLE_EQ(Efficiency(Owner(k, "ads"), "memory")["ratio"].get<double>(), 3.0 / 6);
  EXPECT_DOUBLE_EQ(Efficiency(Owner(k, "search"), "cpu")["ratio"].get<double>(), 0.5 / 2);
  EXPECT_DOUBLE_EQ(Efficiency(Owner(k, "search"), "memory")["ratio"].get<double>(), 8.0 / 6);
  // CPU's cost, direct 3.125 + 2.25 + 1.25 + 0.75 and idle 0.625 = 8, over 6 core-hours used.
  EXPECT_EQ(D(Unit(p, "core-hour")["cost"]), D("8"));
  EXPECT_EQ(D(Unit(p, "core-hour")["per_unit"]), *D("8").Divide(D("6")));
  // ads: cpu 3.125 + 2.25 over 5.5 core-hours.
  EXPECT_EQ(D(Unit(Owner(k, "ads"), "core-hour")["per_unit"]), *D("5.375").Divide(D("5.5")));
  // No GPUs: no utilization, no GPU-hour cost.
  EXPECT_TRUE(p["gpu_utilization"].is_null());
  EXPECT_TRUE(Unit(p, "gpu-hour")["per_unit"].is_null());
}

TEST_F(KpisTest, GpuSharingByHand) {
  const Json k = Kpis("gpu-sharing");
  const Json& p = k["platform"];
  EXPECT_EQ(D(p["total"]), D("11"));
  // mig-1: 1.5 + 2 + 0.25 = 3.75 of 7 slices used, cost 7; ts-1: 4 × 0.6 = 2.4 of 4 replicas,
  // cost 4. Weighted by cost: (7 × 3.75/7 + 4 × 2.4/4) / 11.
  EXPECT_NEAR(p["gpu_utilization"].get<double>(), (3.75 + 2.4) / 11, 1e-12);
  // vision: m3 used 1.5 of 3 (cost 3), m2 2 of 2 (cost 2); search: 0.6 each; speech 0.25.
  EXPECT_NEAR(Owner(k, "vision")["gpu_utilization"].get<double>(), (3 * 0.5 + 2 * 1.0) / 5, 1e-12);
  EXPECT_NEAR(Owner(k, "search")["gpu_utilization"].get<double>(), 0.6, 1e-12);
  EXPECT_NEAR(Owner(k, "speech")["gpu_utilization"].get<double>(), 0.25, 1e-12);
  // GPU-hours: 3.75 slices of 7 and 2.4 replicas of 4.
  const Decimal gpu_hours = *D("3.75").Divide(D("7")) + D("0.6");
  EXPECT_EQ(D(Unit(p, "gpu-hour")["units"]), gpu_hours);
  EXPECT_EQ(D(Unit(p, "gpu-hour")["per_unit"]), *D("11").Divide(gpu_hours));
  // vision: 5 over 3.5 slices = 0.5 GPU-hour.
  EXPECT_EQ(D(Unit(Owner(k, "vision"), "gpu-hour")["per_unit"]), D("10"));
  // The platform owns the free slice (its idle cost): everything has a real owner.
  EXPECT_DOUBLE_EQ(p["coverage"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(p["idle_share"].get<double>(), 1.0 / 11);
}

TEST_F(KpisTest, UnitMetricsFromAUsageSeries) {
  // The worked example plus 4,000 inference requests served by ads/web in its hour: the cost
  // of 1,000 requests of ads is ads' 7.5 over 4.
  const std::string golden = std::string(TALLY_SOURCE_DIR) + "/tests/golden/worked-example/";
  testing::WriteFile(dir_.File("usage.csv"),
                     testing::ReadFile(golden + "usage.csv") +
                         "2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,ads/web,node-a,requests,0,4000,"
                         "request,team=ads\n");
  testing::WriteFile(dir_.File("tally.yaml"),
                     testing::ReadFile(golden + "tally.yaml") +
                         "kpis:\n  unit_metrics:\n"
                         "    - {name: per-1k-requests, resource: requests, per: 1000, owner: ads}\n");
  const std::string store = "sqlite:" + dir_.File("units.db");
  ASSERT_EQ(testing::IngestEach(store, {{"focus", golden + "bill.csv"},
                                        {"inventory", golden + "inventory.csv"},
                                        {"usage-csv", dir_.File("usage.csv")}}),
            "");
  auto r = RunTally({"--store", store, "allocate", "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTally({"--store", store, "kpis", "--config", dir_.File("tally.yaml"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json k = Json::parse(r.out);
  EXPECT_EQ(D(Owner(k, "ads")["total"]), D("7.5"));
  const Json unit = Unit(Owner(k, "ads"), "per-1k-requests");
  ASSERT_FALSE(unit.is_null()) << k.dump();
  EXPECT_EQ(D(unit["units"]), D("4"));
  EXPECT_EQ(D(unit["per_unit"]), *D("7.5").Divide(D("4")));
  // Not the platform's: the metric names its owner.
  EXPECT_TRUE(Unit(k["platform"], "per-1k-requests").is_null());
}

TEST_F(KpisTest, CommitmentUtilizationAndCoverageFromTheFocusExamples) {
  const std::string dir = testing::SharedDataDir() +
                          "/billing/focus-spec-examples/commitment_discount_flexibility/";
  struct Case {
    std::string file;
    double utilization, coverage;
  };
  // Used / (Used + Unused) and Used / the Usage lines that are not Unused, from the files.
  for (const Case& c :
       {Case{"one_hundred_percent_utilization_with_commitment_discount_flexibility_with_1_resource.csv",
             1.0, 0.5 / (0.5 + 2.25)},
        Case{"zero_percent_utilization_without_commitment_discount_flexibility.csv", 0.0, 0.0}}) {
    testing::TempDir tmp;
    const std::string store = "sqlite:" + tmp.File("t.db");
    auto r = RunTally({"--store", store, "ingest", "focus", dir + c.file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunTally({"--store", store, "kpis", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json k = Json::parse(r.out);
    ASSERT_EQ(k["commitments"].size(), 1u) << c.file;
    EXPECT_NEAR(k["commitments"][0]["utilization"].get<double>(), c.utilization, 1e-12) << c.file;
    EXPECT_NEAR(k["commitments"][0]["coverage"].get<double>(), c.coverage, 1e-12) << c.file;
  }
}

}  // namespace
}  // namespace tally
