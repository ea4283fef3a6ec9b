// On-prem assets priced by a rate card cost only in the hours the inventory says they exist,
// and reconcile names the hours each source covers; a reconcile over a window whose bill hours
// are not all allocated says so and fails. Figures computed by hand.
#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

class RateCardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // rack-1 exists for one day, 2024-03-10, with 10 cores; hpc/job reserves 5 of them.
    testing::WriteFile(dir_.File("inventory.csv"),
                       "start,end,asset,resource,capacity,unit,labels\n"
                       "2024-03-10T00:00:00Z,2024-03-11T00:00:00Z,rack-1,cpu,10,core,\n");
    testing::WriteFile(dir_.File("usage.csv"),
                       "start,end,consumer,asset,resource,request,usage,unit,labels\n"
                       "2024-03-10T00:00:00Z,2024-03-11T00:00:00Z,hpc/job,rack-1,cpu,5,2,core,"
                       "team=hpc\n");
    // $7,440 over one month: March has 744 hours, so $10 an hour.
    testing::WriteFile(dir_.File("tally.yaml"),
                       "rate_cards:\n  - asset: rack-1\n    purchase_price: 7440\n"
                       "    life_months: 1\n");
    // A $10 cloud line of another account, two months earlier: allocation now covers January
    // to March, and rack-1 must not be charged for the hours before it existed.
    testing::WriteFile(dir_.File("bill.csv"),
                       "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,"
                       "ChargePeriodEnd,EffectiveCost,BilledCost,ServiceName\n"
                       "other,Cloud,2024-01-01,2024-01-15T00:00:00Z,2024-01-15T01:00:00Z,10,10,"
                       "Support\n");
    for (auto args : std::vector<std::vector<std::string>>{
             {"ingest", "inventory", dir_.File("inventory.csv")},
             {"ingest", "usage-csv", dir_.File("usage.csv")},
             {"ingest", "focus", dir_.File("bill.csv")}}) {
      auto r = Tally(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  testing::TempDir dir_;
};

TEST_F(RateCardTest, AnAssetCostsOnlyTheHoursItExists) {
  auto allocate = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(allocate.exit_code, 0) << allocate.err;
  auto r = Tally({"reconcile", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // 24 hours × $10: $5 an hour to hpc/job (5 of 10 cores), $5 idle.
  EXPECT_NE(r.out.find("\nrate-card,240,120,120,0,0,24,2024-03-10T00:00:00Z,2024-03-11T00:00:00Z\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nCloud,10,0,0,10,0,1,2024-01-15T00:00:00Z,2024-01-15T01:00:00Z\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nTOTAL,250,120,120,10,0,,,\n"), std::string::npos) << r.out;
}

// An allocation that stopped part-way (here: one that was given only January) leaves bill hours
// unallocated; reconcile must not pass over them.
TEST_F(RateCardTest, ReconcileFailsWhileBillHoursAreNotAllocated) {
  auto partial =
      Tally({"allocate", "--config", dir_.File("tally.yaml"), "--to", "2024-02-01"});
  ASSERT_EQ(partial.exit_code, 0) << partial.err;
  // The cloud line's hour is allocated; rack-1's usage hours hold no bill line, so this window
  // is complete.
  auto january = Tally({"reconcile", "--to", "2024-02-01"});
  EXPECT_EQ(january.exit_code, 0) << january.out << january.err;
  // A bill line covering hours not allocated yet.
  testing::WriteFile(dir_.File("march.csv"),
                     "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,"
                     "ChargePeriodEnd,EffectiveCost\n"
                     "other,Cloud,2024-03-01,2024-03-10T00:00:00Z,2024-03-10T03:00:00Z,6\n");
  ASSERT_EQ(Tally({"ingest", "focus", dir_.File("march.csv")}).exit_code, 0);
  auto r = Tally({"reconcile"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("reconcile: 3 hours of the window hold bill cost but are not allocated, "
                       "or changed since (2024-03-10T00:00:00Z to 2024-03-10T03:00:00Z)"),
            std::string::npos)
      << r.err;
  auto api_like = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(api_like.exit_code, 0) << api_like.err;
  auto after = Tally({"reconcile", "--format", "csv"});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_NE(after.out.find("\nCloud,16,0,0,16,0,4,"), std::string::npos) << after.out;
}

// A nonsense config fails the command with the file, line and key; an empty one is read as the
// defaults, with a warning, since its rate card is then gone.
TEST_F(RateCardTest, ConfigErrorsNameFileLineAndKey) {
  testing::WriteFile(dir_.File("bad.yaml"),
                     "rate_cards:\n  - asset: rack-1\n    purchase_price: -300000\n");
  auto bad = Tally({"allocate", "--config", dir_.File("bad.yaml")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(dir_.File("bad.yaml") +
                         ": line 3: rate_cards[0].purchase_price: must not be negative"),
            std::string::npos)
      << bad.err;
  testing::WriteFile(dir_.File("empty.yaml"), "");
  auto empty = Tally({"allocate", "--config", dir_.File("empty.yaml")});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.err.find("allocate: warning: " + dir_.File("empty.yaml") +
                           ": the file is empty: the defaults apply"),
            std::string::npos)
      << empty.err;
}

}  // namespace
}  // namespace tally
