// Budgets through the owner hierarchy, by hand: one node billed 4.00 an hour for two days, its
// 4 cores held 2 by ml/training and 1 by ml/serving (1 idle). The parent ml counts its whole
// subtree (2 days × 24 h × 3.00 = 144), its children are listed and over-allotting them is
// warned about; a threshold reached exactly (144 of 180 = 80%) counts as crossed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tally/time.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using Json = nlohmann::json;
using testing::RunTally;

TEST(BudgetsTest, OwnerBudgetsRollUpThroughTheHierarchy) {
  testing::TempDir dir;
  std::string bill = testing::kFocusBillHeader;
  std::string inventory = "start,end,asset,resource,capacity,unit,labels\n";
  std::string usage = "start,end,consumer,asset,resource,request,usage,unit,labels\n";
  const int64_t start = 1'772'323'200;  // 2026-03-01T00:00:00Z
  for (int h = 0; h < 48; ++h) {
    const std::string from = Timestamp::FromUnixSeconds(start + h * 3600).ToString();
    const std::string to = Timestamp::FromUnixSeconds(start + (h + 1) * 3600).ToString();
    bill += "2026-03-01,2026-04-01," + from + "," + to + ",4,4,USD,Cloud,acct,Compute,Compute,Usage,node-a,{}\n";
    inventory += from + "," + to + ",node-a,cpu,4,core,\n";
    usage += from + "," + to + ",train/a,node-a,cpu,2,2,core,team=ml/training\n";
    usage += from + "," + to + ",serve/b,node-a,cpu,1,1,core,team=ml/serving\n";
  }
  testing::WriteFile(dir.File("bill.csv"), bill);
  testing::WriteFile(dir.File("inventory.csv"), inventory);
  testing::WriteFile(dir.File("usage.csv"), usage);
  testing::WriteFile(dir.File("tally.yaml"),
                     "budgets:\n"
                     "  - {name: ml, owner: ml, amount: 180}\n"
                     "  - {name: training, owner: ml/training, amount: 150}\n"
                     "  - {name: serving, owner: ml/serving, amount: 50}\n"
                     "  - {name: ml-q, owner: ml, amount: 1000, period: quarter}\n");
  const std::string store = "sqlite:" + dir.File("t.db");
  ASSERT_EQ(testing::IngestEach(store, {{"focus", dir.File("bill.csv")},
                                       {"inventory", dir.File("inventory.csv")},
                                       {"usage-csv", dir.File("usage.csv")}}),
            "");
  auto r = RunTally({"--store", store, "allocate", "--config", dir.File("tally.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTally({"--store", store, "budgets", "--config", dir.File("tally.yaml"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json b = Json::parse(r.out);
  ASSERT_EQ(b["rows"].size(), 4u);
  const Json &ml = b["rows"][0], &training = b["rows"][1], &serving = b["rows"][2];
  EXPECT_EQ(ml["actual"], "144");  // 48 h × (2 + 1) of 4.00 per 4 cores
  EXPECT_EQ(training["actual"], "96");
  EXPECT_EQ(serving["actual"], "48");
  EXPECT_EQ(ml["period"], "2026-03");
  EXPECT_EQ(ml["as_of"], "2026-03-02");
  EXPECT_EQ(ml["children"], Json::array({"training", "serving"}));
  EXPECT_EQ(training["children"], Json::array());
  // 144 of 180 is 80% exactly: crossed. serving: 48 of 50 is 96%: 80 crossed, not 100.
  EXPECT_EQ(ml["crossed"]["actual"], Json::array({80}));
  EXPECT_EQ(serving["crossed"]["actual"], Json::array({80}));
  // The children are allotted 200 of the parent's 180.
  ASSERT_EQ(b["warnings"].size(), 1u);
  EXPECT_NE(b["warnings"][0].get<std::string>().find("budget ml: its children"), std::string::npos);
  // The quarter's budget is not a child of the month's (nor the month's of the quarter's).
  EXPECT_EQ(b["rows"][3]["period"], "2026-Q1");
  EXPECT_EQ(b["rows"][3]["children"], Json::array());
  EXPECT_EQ(b["rows"][3]["actual"], "144");
  // The burn-down: 31 days, the actual cumulative on the two days with data.
  ASSERT_EQ(ml["burn_down"].size(), 31u);
  EXPECT_EQ(ml["burn_down"][0]["actual"], "72");
  EXPECT_EQ(ml["burn_down"][1]["actual"], "144");
  EXPECT_TRUE(ml["burn_down"][2]["actual"].is_null());
  EXPECT_FALSE(ml["burn_down"][2]["forecast"].is_null());
  // No budgets in a file: a clear error, not an empty table.
  testing::WriteFile(dir.File("empty.yaml"), "idle: keep\n");
  r = RunTally({"--store", store, "budgets", "--config", dir.File("empty.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no budgets"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tally
