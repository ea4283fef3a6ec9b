#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include "report/cost_report.h"
#include "tally/clock.h"

#include "ingest/billing/focus/focus_reader.h"
#include "ingest/ingest_files.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::TempDir;
using testing::WriteFile;

constexpr char kHeader[] =
    "BillingAccountId,ProviderName,ServiceCategory,BillingPeriodStart,ChargePeriodStart,"
    "BilledCost,EffectiveCost,Tags,x_Env\n";

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite:" + dir_.File("t.db"));
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }

  // Ingests files (written from `contents`) in one run; returns the commit.
  IngestCommit Ingest(const std::vector<std::string>& contents) {
    std::vector<std::string> paths;
    for (size_t i = 0; i < contents.size(); ++i) {
      paths.push_back(dir_.File("in" + std::to_string(file_counter_++) + ".csv"));
      WriteFile(paths.back(), contents[i]);
    }
    auto ingest = store_->BeginCostIngest({"focus", "test"});
    EXPECT_TRUE(ingest.ok());
    IngestTotals totals;
    Status s = IngestFiles(paths, "focus", ReadFocusFile, ingest->get(), {}, &totals);
    EXPECT_TRUE(s.ok()) << s.message();
    auto commit = (*ingest)->Commit();
    EXPECT_TRUE(commit.ok()) << commit.status().message();
    return commit.ok() ? *commit : IngestCommit();
  }

  CostTable Query(const std::string& by, FocusColumn metric = FocusColumn::kEffectiveCost) {
    CostQuery q;
    for (const std::string& name : {by}) {
      if (!name.empty()) q.group_by.push_back(*GroupKey::Parse(name));
    }
    q.metric = metric;
    auto table = QueryCostTable(store_.get(), q);
    EXPECT_TRUE(table.ok()) << table.status().message();
    return table.ok() ? *table : CostTable();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  int file_counter_ = 0;
};

TEST_F(SqliteStoreTest, StoresAndGroupsByColumnsTagsAndExtras) {
  Ingest({std::string(kHeader) +
          "A1,AWS,Compute,2024-05-01,2024-05-01T00:00:00Z,1.10,1.00,\"{\"\"team\"\":\"\"search\"\"}"
          "\",prod\n"
          "A1,AWS,Storage,2024-05-01,2024-05-01T01:00:00Z,2.20,2.00,\"{\"\"team\"\":\"\"ads\"\"}\","
          "dev\n"
          "A1,AWS,Compute,2024-05-01,2024-05-02T00:00:00Z,0.000000000000000001,3.00,,prod\n"});
  CostTable by_category = Query("ServiceCategory", FocusColumn::kBilledCost);
  ASSERT_EQ(by_category.rows.size(), 2u);  // costliest first
  EXPECT_EQ(*by_category.rows[1].keys[0], "Compute");
  EXPECT_EQ(by_category.rows[1].value.ToString(), "1.100000000000000001");
  EXPECT_EQ(by_category.rows[1].lines, 2);
  EXPECT_EQ(by_category.total.ToString(), "3.300000000000000001");

  CostTable by_team = Query("Tags.team");
  ASSERT_EQ(by_team.rows.size(), 3u);
  EXPECT_FALSE(by_team.rows[0].keys[0].has_value());  // 3, then 2, then 1
  EXPECT_EQ(by_team.rows[0].value.ToString(), "3");
  EXPECT_EQ(*by_team.rows[1].keys[0], "ads");
  EXPECT_EQ(*by_team.rows[2].keys[0], "search");

  CostTable by_env = Query("x_Env");
  ASSERT_EQ(by_env.rows.size(), 2u);
  EXPECT_EQ(*by_env.rows[0].keys[0], "prod");
  EXPECT_EQ(by_env.rows[0].value.ToString(), "4");

  CostTable by_day = Query("ChargePeriodStart");
  EXPECT_EQ(by_day.rows.size(), 3u);
  EXPECT_EQ(*by_day.rows[0].keys[0], "2024-05-02T00:00:00Z");
}

TEST_F(SqliteStoreTest, ReportsTheCurrenciesItSummed) {
  Ingest(
      {"BillingAccountId,BillingCurrency,BillingPeriodStart,EffectiveCost\n"
       "A,USD,2024-05-01,1\nB,EUR,2024-05-01,2\nC,,2024-05-01,3\n"});
  CostTable t = Query("");
  EXPECT_EQ(t.currencies, (std::vector<std::string>{"", "EUR", "USD"}));
}

TEST_F(SqliteStoreTest, FiltersOnChargePeriodStartHalfOpen) {
  Ingest({std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01T00:00:00Z,1,1,,\n" +
          "A1,AWS,Compute,2024-05-01,2024-05-02T00:00:00Z,2,2,,\n" +
          "A1,AWS,Compute,2024-05-01,2024-05-03T00:00:00Z,4,4,,\n"});
  CostQuery q;
  q.from = *ParseTimestamp("2024-05-02");
  q.to = *ParseTimestamp("2024-05-03");
  auto t = QueryCostTable(store_.get(), q);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->total.ToString(), "2");
}

TEST_F(SqliteStoreTest, SameExportTwiceReplacesAndNeverDoubleCounts) {
  std::string bill = std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,1.5,1.25,,\n";
  IngestCommit first = Ingest({bill});
  EXPECT_EQ(first.rows_replaced, 0);
  IngestCommit second = Ingest({bill});
  EXPECT_EQ(second.rows_stored, 1);
  EXPECT_EQ(second.rows_replaced, 1);
  EXPECT_EQ(Query("").total.ToString(), "1.25");
}

TEST_F(SqliteStoreTest, NewerExportOfAPeriodReplacesOnlyThatPeriodAndAccount) {
  Ingest({std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,1,1,,\n" +
          "A1,AWS,Compute,2024-06-01,2024-06-01,10,10,,\n" +
          "B2,AWS,Compute,2024-05-01,2024-05-01,100,100,,\n"});
  // A restated May bill for account A1: only May of A1 changes.
  IngestCommit commit =
      Ingest({std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,3,3,,\n" +
              "A1,AWS,Storage,2024-05-01,2024-05-02,4,4,,\n"});
  EXPECT_EQ(commit.rows_replaced, 1);
  ASSERT_EQ(commit.partitions.size(), 1u);
  EXPECT_EQ(commit.partitions[0].ToString(), "AWS/A1/2024-05-01");
  CostTable by_account = Query("BillingAccountId");
  ASSERT_EQ(by_account.rows.size(), 2u);
  EXPECT_EQ(by_account.rows[0].value.ToString(), "100");  // costliest first
  EXPECT_EQ(by_account.rows[1].value.ToString(), "17");   // 3 + 4 + 10
}

TEST_F(SqliteStoreTest, FilesOfOneExportIngestedTogetherAllCount) {
  Ingest({std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,1,1,,\n",
          std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-02,2,2,,\n"});
  EXPECT_EQ(Query("").total.ToString(), "3");
}

TEST_F(SqliteStoreTest, UncommittedIngestLeavesTheStoreUnchanged) {
  Ingest({std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,1,1,,\n"});
  {
    auto ingest = store_->BeginCostIngest({"focus", "test"});
    ASSERT_TRUE(ingest.ok());
    std::string path = dir_.File("new.csv");
    WriteFile(path, std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,99,99,,\n");
    IngestTotals totals;
    std::vector<std::string> paths = {path};
    ASSERT_TRUE(IngestFiles(paths, "focus", ReadFocusFile, ingest->get(), {}, &totals).ok());
    // Destroyed without Commit().
  }
  EXPECT_EQ(Query("").total.ToString(), "1");
  EXPECT_EQ(Query("").lines, 1);
}

TEST_F(SqliteStoreTest, SkippedBadFileDoesNotReplaceItsPartitions) {
  Ingest({std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,1,1,,\n"});
  // Same partition, but the file is cut inside a quoted field: the run skips it.
  std::string path = dir_.File("bad.csv");
  WriteFile(path, std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,7,7,,\n" +
                      "A1,AWS,\"unterminated\n");
  auto ingest = store_->BeginCostIngest({"focus", "test"});
  ASSERT_TRUE(ingest.ok());
  IngestTotals totals;
  IngestOptions options;
  options.skip_bad_files = true;
  std::vector<std::string> paths = {path};
  ASSERT_TRUE(IngestFiles(paths, "focus", ReadFocusFile, ingest->get(), options, &totals).ok());
  ASSERT_EQ(totals.files_skipped.size(), 1u);
  auto commit = (*ingest)->Commit();
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(commit->rows_stored, 0);
  EXPECT_EQ(commit->rows_replaced, 0);
  EXPECT_EQ(Query("").total.ToString(), "1");
}

TEST_F(SqliteStoreTest, TheIngestLogKeepsTheInjectedClocksTime) {
  FixedClock clock(*ParseTimestamp("2031-03-04T05:06:07Z"));
  auto ingest = store_->BeginCostIngest({"focus", "test", &clock});
  ASSERT_TRUE(ingest.ok());
  clock.Set(*ParseTimestamp("2031-03-04T05:07:00Z"));  // the commit's time, not the start's
  ASSERT_TRUE((*ingest)->Commit().ok());
  auto log = store_->ListIngests(1);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].committed_at.ToString(), "2031-03-04T05:07:00Z");
}

TEST_F(SqliteStoreTest, ReopensAnExistingStore) {
  Ingest({std::string(kHeader) + "A1,AWS,Compute,2024-05-01,2024-05-01,1,1,,\n"});
  store_.reset();
  auto reopened = OpenStore("sqlite:" + dir_.File("t.db"));
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  EXPECT_EQ(Query("").total.ToString(), "1");
}

TEST(OpenStoreTest, RejectsUnknownSchemesAndNonDatabases) {
  auto unknown = OpenStore("postgres://localhost/x");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown store"), std::string::npos);
  TempDir dir;
  WriteFile(dir.File("not.db"),
            "this is a text file, not a SQLite database, long enough to be "
            "read as a header page by SQLite when it opens it");
  auto not_db = OpenStore("sqlite:" + dir.File("not.db"));
  EXPECT_FALSE(not_db.ok());
}

}  // namespace
}  // namespace tally
