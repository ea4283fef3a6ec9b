// Allocation runs over the inputs of tests/golden/worked-example, with figures computed by hand
// (docs/allocation.md walks through the same numbers): two nodes, mixed requests and usage, an
// overcommitted node, idle, an unmatched support line with a team tag, a tax line without tags,
// shared-cost stages; then what the golden files cannot show: an hour added, a bill restated,
// chargeback and the FOCUS export. Every case checks the invariant through `tally reconcile`:
// allocated + idle + unallocated = bill, exactly.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

// The inputs of tests/golden/worked-example: the hour 2024-01-01T00:00Z, node-a $10, node-b $6,
// support $3 (team=search), tax $1; four consumers on the two nodes.
std::string Golden(const char* file) {
  return testing::ReadFile(std::string(TALLY_SOURCE_DIR) + "/tests/golden/worked-example/" + file);
}

// The worked example's usage moved to the next hour.
std::string NextHourUsage() {
  std::string usage = Golden("usage.csv");
  for (auto [from, to] : {std::pair{"T01:00:00Z", "T02:00:00Z"}, {"T00:00:00Z", "T01:00:00Z"}}) {
    for (size_t at = usage.find(from); at != std::string::npos; at = usage.find(from, at + 1)) {
      usage.replace(at, std::string(from).size(), to);
    }
  }
  return usage;
}

class AllocationGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* file : {"bill.csv", "inventory.csv", "usage.csv"}) {
      testing::WriteFile(dir_.File(file), Golden(file));
    }
    // Reference prices that make the arithmetic easy to follow by hand.
    testing::WriteFile(dir_.File("tally.yaml"), Golden("tally.yaml") + extra_config_);
    for (auto args :
         std::vector<std::vector<std::string>>{{"ingest", "focus", dir_.File("bill.csv")},
                                               {"ingest", "inventory", dir_.File("inventory.csv")},
                                               {"ingest", "usage-csv", dir_.File("usage.csv")}}) {
      auto r = Tally(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  // owner -> cost from `report showback --by owner --format csv`.
  std::map<std::string, std::string> ShowbackBy(const std::string& by) {
    auto r = Tally({"report", "showback", "--by", by, "--format", "csv"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> out;
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      const size_t comma = line.rfind(',');
      out[line.substr(0, comma)] = line.substr(comma + 1);
    }
    return out;
  }
  // The bill of $20 is exactly accounted for; with amounts given, they are these.
  void ExpectReconciles(const char* allocated = nullptr, const char* idle = nullptr,
                        const char* unallocated = nullptr) {
    auto r = Tally({"reconcile", "--format", "csv"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("\nCloud,20,"), std::string::npos) << r.out;
    // Its one hour, and nothing left over.
    EXPECT_NE(r.out.find(",0,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z\nTOTAL,20,"),
              std::string::npos)
        << r.out;
    if (allocated != nullptr) {
      EXPECT_NE(
          r.out.find(std::string("Cloud,20,") + allocated + "," + idle + "," + unallocated + ",0"),
          std::string::npos)
          << r.out;
    }
  }

  testing::TempDir dir_;
  std::string extra_config_;
};

TEST_F(AllocationGoldenTest, DirectIdleOvercommitAndUnallocated) {
  auto allocate = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(allocate.exit_code, 0) << allocate.err;
  // node-a cpu $5 over bases 1 + 2.5 and idle 0.5; memory $5 over 6 + 2 and idle 8.
  // node-b is overcommitted on cpu: $3 over bases 3 + 1, no idle; memory $3 over 4 + 2 + 2.
  const auto by_consumer = ShowbackBy("consumer,resource");
  EXPECT_EQ(by_consumer.at("search/api,cpu"), "1.25");
  EXPECT_EQ(by_consumer.at("ads/web,cpu"), "3.125");
  EXPECT_EQ(by_consumer.at("search/api,memory"), "1.875");
  EXPECT_EQ(by_consumer.at("ads/web,memory"), "0.625");
  EXPECT_EQ(by_consumer.at("ads/batch,cpu"), "2.25");
  EXPECT_EQ(by_consumer.at("search/etl,cpu"), "0.75");
  EXPECT_EQ(by_consumer.at("ads/batch,memory"), "1.5");
  EXPECT_EQ(by_consumer.at("search/etl,memory"), "0.75");
  EXPECT_EQ(by_consumer.at("__idle__,cpu"), "0.625");
  EXPECT_EQ(by_consumer.at("__idle__,memory"), "3.25");  // 2.5 on node-a, 0.75 on node-b
  EXPECT_EQ(by_consumer.at("__unallocated__,"), "4");

  // Owners: the team label; node-b's idle goes to its owner; support to its team tag.
  const auto by_owner = ShowbackBy("owner");
  EXPECT_EQ(by_owner.at("search"), "7.625");
  EXPECT_EQ(by_owner.at("ads"), "7.5");
  EXPECT_EQ(by_owner.at("platform"), "0.75");
  EXPECT_EQ(by_owner.at("__idle__"), "3.125");
  EXPECT_EQ(by_owner.at("__unallocated__"), "1");
  ExpectReconciles("12.125", "3.875", "4");
}

class SharedStagesTest : public AllocationGoldenTest {
 protected:
  SharedStagesTest() {
    extra_config_ =
        "shared:\n"
        "  - name: untagged\n    pool: {owner: __unallocated__}\n    distribute: even\n"
        "  - name: platform\n    pool: {owner: platform}\n    distribute: fixed\n"
        "    percentages: {search: 60, ads: 40}\n";
  }
};

TEST_F(SharedStagesTest, PoolsMoveToOwnersAndTheBillStillReconciles) {
  auto allocate = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(allocate.exit_code, 0) << allocate.err;
  const auto by_owner = ShowbackBy("owner");
  // Tax $1 evenly to search and ads; platform's idle $0.75 as 60/40.
  EXPECT_EQ(by_owner.at("search"), "8.575");
  EXPECT_EQ(by_owner.at("ads"), "8.3");
  EXPECT_EQ(by_owner.at("__idle__"), "3.125");
  EXPECT_FALSE(by_owner.contains("platform"));
  EXPECT_FALSE(by_owner.contains("__unallocated__"));
  ExpectReconciles("13.875", "3.125", "3");
}

TEST_F(AllocationGoldenTest, OneMoreHourRecomputesOnlyThatHour) {
  ASSERT_EQ(Tally({"allocate", "--config", dir_.File("tally.yaml")}).exit_code, 0);
  const auto before = ShowbackBy("owner");
  testing::WriteFile(dir_.File("usage2.csv"), NextHourUsage());
  ASSERT_EQ(Tally({"ingest", "usage-csv", dir_.File("usage2.csv"), "--source", "hour2"}).exit_code,
            0);
  auto again = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("allocate: 1 of 2 hours recomputed"), std::string::npos) << again.out;
  // The second hour has usage but no bill: nothing changes in money.
  EXPECT_EQ(ShowbackBy("owner"), before);
  auto current = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  EXPECT_NE(current.out.find("all 2 hours"), std::string::npos) << current.out;
  // A policy change recomputes everything.
  testing::WriteFile(dir_.File("tally.yaml"), "reference_prices: {cpu: 1, memory: 0.5}\n");
  auto changed = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  EXPECT_NE(changed.out.find("allocate: 2 of 2 hours recomputed"), std::string::npos)
      << changed.out;
  ExpectReconciles();
}

TEST_F(AllocationGoldenTest, ARestatedBillRecomputesItsHours) {
  ASSERT_EQ(Tally({"allocate", "--config", dir_.File("tally.yaml")}).exit_code, 0);
  auto current = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  EXPECT_NE(current.out.find("all 1 hours"), std::string::npos) << current.out;
  // The provider restates the month: support drops to $2. Its hour is recomputed.
  std::string restated = Golden("bill.csv");
  const size_t support = restated.find(",3,3,USD");
  restated.replace(support, 8, ",2,2,USD");
  testing::WriteFile(dir_.File("bill.csv"), restated);
  ASSERT_EQ(Tally({"ingest", "focus", dir_.File("bill.csv")}).exit_code, 0);
  auto again = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  EXPECT_NE(again.out.find("allocate: 1 of 1 hours recomputed"), std::string::npos) << again.out;
  auto r = Tally({"reconcile", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\nCloud,19,12.125,3.875,3,0,1,"), std::string::npos) << r.out;
}

TEST_F(AllocationGoldenTest, ChargebackAtInternalRatesShowsTheRecovery) {
  testing::WriteFile(dir_.File("rates.yaml"),
                     "reference_prices: {cpu: 1, memory: 0.25}\n"
                     "chargeback:\n  rates: {cpu: 1, memory: 0.5}\n");
  ASSERT_EQ(Tally({"allocate", "--config", dir_.File("rates.yaml")}).exit_code, 0);
  auto r = Tally({"report", "chargeback", "--by", "owner", "--config", dir_.File("rates.yaml"),
                  "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // search: cpu bases 1 + 1 = 2, memory 6 + 2 = 8 → 2 + 4 = 6; ads: cpu 2.5 + 3, memory 2 + 4
  // → 5.5 + 3 = 8.5; the rest of the $20 bill is the platform's under-recovery: 5.5.
  EXPECT_NE(r.out.find("search,7.625,6\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ads,7.5,8.5\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("__platform_recovery__,0,5.5\n"), std::string::npos) << r.out;
  ExpectReconciles("12.125", "3.875", "4");
}

TEST_F(AllocationGoldenTest, ExportWritesFocusAllocatedColumns) {
  ASSERT_EQ(Tally({"allocate", "--config", dir_.File("tally.yaml")}).exit_code, 0);
  auto r = Tally({"report", "export", "--format", "focus"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("AllocatedMethodId,AllocatedMethodDetails,AllocatedResourceId"),
            std::string::npos);
  // A part of node-a's $10 charge: $1.25 as billed and effective cost (the bill has no list or
  // contracted cost).
  EXPECT_NE(r.out.find(",Compute,Compute,node-a,,,,,,,1.25,1.25,0,0,tally/direct,"),
            std::string::npos)
      << r.out;
  // The exported rows add up to the bill.
  testing::WriteFile(dir_.File("export.csv"), r.out);
  auto back = RunTally({"--store", dir_.File("e.db"), "ingest", "focus", dir_.File("export.csv")});
  EXPECT_NE(back.out.find("EffectiveCost 20 USD"), std::string::npos) << back.out << back.err;
  ExpectReconciles("12.125", "3.875", "4");
}

}  // namespace
}  // namespace tally
