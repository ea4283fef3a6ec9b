// tally recommend on the demo platform against its truth.json: every planted inefficiency of a
// waste kind is found (recall 100%), nothing else is (precision), and each monthly saving is
// within 10% of the truth's; the cost spike is an anomaly, not waste (demo_finance_test.cc).
// A platform of efficient workloads (usage 85-95% of request) gets no rightsizing worth $5.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "tally/time.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using Json = nlohmann::json;
using testing::RunTally;

// What the recommendation kinds find of the truth's kinds.
const std::map<std::string, std::string> kKindOf = {{"over_requested", "rightsizing"},
                                                    {"abandoned", "abandoned"},
                                                    {"idle_gpu", "idle_gpu"},
                                                    {"orphaned_volume", "orphaned_volume"}};

TEST(RecommendTest, TheDemosPlantedWasteIsFoundWithItsSavingsAndNothingElse) {
  testing::TempDir dir;
  const std::string store = "sqlite:" + dir.File("t.db");
  auto r = RunTally({"--store", store, "demo", "--out", dir.File("demo"), "--start", "2026-10-01",
                     "--load"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTally({"--store", store, "recommend", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json found = Json::parse(r.out);
  const Json truth = Json::parse(testing::ReadFile(dir.File("demo/truth.json")));
  int planted = 0, matched = 0;
  for (const Json& t : truth["inefficiencies"]) {
    if (!kKindOf.contains(t["kind"])) continue;  // the cost spike: an anomaly
    ++planted;
    const std::string kind = kKindOf.at(t["kind"]);
    const std::string name = t["consumer"];
    for (const Json& row : found["rows"]) {
      const std::string who = row["consumer"].is_null() ? row["asset"] : row["consumer"];
      if (row["kind"] != kind || who != name) continue;
      ++matched;
      const double want = std::stod(t["true_monthly_cost"].get<std::string>());
      const double got = std::stod(row["monthly_savings"].get<std::string>());
      EXPECT_NEAR(got, want, 0.10 * want) << kind << " " << name;
      EXPECT_EQ(row["owner"], t["owner"]) << name;
      EXPECT_FALSE(row["action"].get<std::string>().empty());
      EXPECT_FALSE(row["evidence"].empty());
      std::printf("%-16s %-28s saving %8.2f, truth %8.2f (%+.1f%%)\n", kind.c_str(), name.c_str(),
                  got, want, 100 * (got - want) / want);
    }
  }
  EXPECT_EQ(planted, 6);
  EXPECT_EQ(matched, planted) << found.dump(1);  // recall 100%
  const double precision = static_cast<double>(matched) / static_cast<double>(found["rows"].size());
  EXPECT_GE(precision, 0.9) << found.dump(1);
  std::printf("recall %d/%d, precision %.2f\n", matched, planted, precision);
  // Rightsizing's evidence: the request, the percentile and the target under the policy.
  for (const Json& row : found["rows"]) {
    if (row["kind"] != "rightsizing") continue;
    const Json& cpu = row["evidence"]["cpu"];
    EXPECT_NEAR(std::stod(cpu["target"].get<std::string>()),
                std::stod(cpu["percentile"].get<std::string>()) * 1.15, 0.002);
    EXPECT_LT(std::stod(cpu["target"].get<std::string>()), std::stod(cpu["request"].get<std::string>()));
  }
  // The filters: a kind, an owner.
  r = RunTally({"--store", store, "recommend", "--kind", "idle_gpu", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["rows"].size(), 1u);
  r = RunTally({"--store", store, "recommend", "--owner", "identity", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const Json& row : Json::parse(r.out)["rows"]) EXPECT_EQ(row["owner"], "identity");
  r = RunTally({"--store", store, "recommend", "--kind", "nonsense"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown kind"), std::string::npos) << r.err;
  r = RunTally({"--store", store, "recommend", "--cpu-percentile", "1.5"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(RecommendTest, EfficientWorkloadsGetNoRightsizingWorthFiveDollars) {
  // 20 workloads on one 32-core node for 14 days, each using 85% to 95% of its request of 1.5
  // cores and 6 GiB every hour, with a daily swing.
  testing::TempDir dir;
  std::string bill =
      "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
      "EffectiveCost,BillingCurrency,ProviderName,BillingAccountId,ServiceName,ServiceCategory,"
      "ChargeCategory,ResourceId,Tags\n";
  std::string inventory = "start,end,asset,resource,capacity,unit,labels\n";
  std::string usage = "start,end,consumer,asset,resource,request,usage,unit,labels\n";
  const int64_t start = 1'772'323'200;  // 2026-03-01
  for (int h = 0; h < 14 * 24; ++h) {
    const std::string from = Timestamp::FromUnixSeconds(start + h * 3600).ToString();
    const std::string to = Timestamp::FromUnixSeconds(start + (h + 1) * 3600).ToString();
    bill += "2026-03-01,2026-04-01," + from + "," + to +
            ",2.5,2.5,USD,Cloud,acct,Compute,Compute,Usage,node-a,{}\n";
    inventory += from + "," + to + ",node-a,cpu,32,core,\n" + from + "," + to +
                 ",node-a,memory,128,GiB,\n";
    for (int w = 0; w < 20; ++w) {
      const double share = 0.85 + 0.10 * (0.5 + 0.5 * std::sin((h % 24 + w) * 0.2618));
      char line[256];
      std::snprintf(line, sizeof line, "app/w%d/main,node-a,cpu,1.5,%.4f,core,team=t%d\n", w,
                    1.5 * share, w % 3);
      usage += from + "," + to + "," + line;
      std::snprintf(line, sizeof line, "app/w%d/main,node-a,memory,6,%.4f,GiB,team=t%d\n", w,
                    6 * share, w % 3);
      usage += from + "," + to + "," + line;
    }
  }
  testing::WriteFile(dir.File("bill.csv"), bill);
  testing::WriteFile(dir.File("inventory.csv"), inventory);
  testing::WriteFile(dir.File("usage.csv"), usage);
  const std::string store = "sqlite:" + dir.File("t.db");
  for (const auto& [format, file] : std::vector<std::pair<std::string, std::string>>{
           {"focus", "bill.csv"}, {"inventory", "inventory.csv"}, {"usage-csv", "usage.csv"}}) {
    auto r = RunTally({"--store", store, "ingest", format, dir.File(file)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto r = RunTally({"--store", store, "allocate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Even with no floor on the savings, nothing rightsizing would save reaches $5 a month.
  r = RunTally({"--store", store, "recommend", "--min-savings", "0", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json found = Json::parse(r.out);
  for (const Json& row : found["rows"]) {
    EXPECT_NE(row["kind"], "abandoned") << row.dump();
    if (row["kind"] == "rightsizing") {
      EXPECT_LT(std::stod(row["monthly_savings"].get<std::string>()), 5) << row.dump();
    }
  }
  r = RunTally({"--store", store, "recommend", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["rows"].size(), 0u) << r.out;
}

}  // namespace
}  // namespace tally
