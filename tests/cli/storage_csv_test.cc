// tally ingest storage-csv: a bucket's bill splits by its prefixes' bytes, day by day, and
// reconciles exactly; bad files store nothing; reading again changes nothing.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tally/decimal.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

class StorageCsvTest : public ::testing::Test {
 protected:
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  testing::TempDir dir_;
};

TEST_F(StorageCsvTest, ABucketSplitsByPrefixBytesAndReconciles) {
  // 300 GiB under raw/, 100 GiB under curated/ on Nov 2; the warehouse table stands alone.
  testing::WriteFile(dir_.File("storage.csv"),
                     "date,bucket,prefix,bytes,objects,last_access,labels\n"
                     "2026-11-02,lake,raw/,322122547200,1200,2026-08-01,team=ingest\n"
                     "2026-11-02,lake,curated/,107374182400,300,2026-11-01,team=analytics\n"
                     "2026-11-02,dw.sales,,1073741824,,,team=finance\n");
  testing::WriteFile(dir_.File("bill.csv"),
                     "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,"
                     "ChargePeriodEnd,EffectiveCost,BilledCost,ServiceName,ResourceId\n"
                     "a,AWS,2026-11-01,2026-11-02T00:00:00Z,2026-11-03T00:00:00Z,4.80,4.80,"
                     "Amazon S3,lake\n"
                     "a,AWS,2026-11-01,2026-11-02T00:00:00Z,2026-11-03T00:00:00Z,0.24,0.24,"
                     "BigQuery,dw.sales\n");
  auto ingest = Tally({"ingest", "storage-csv", dir_.File("storage.csv")});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(ingest.out.find("3 rows, 2 buckets or tables, 72 usage facts stored"), std::string::npos)
      << ingest.out;
  ASSERT_EQ(Tally({"ingest", "focus", dir_.File("bill.csv")}).exit_code, 0);
  ASSERT_EQ(Tally({"allocate"}).exit_code, 0);
  auto showback = Tally({"report", "showback", "--by", "owner", "--format", "json"});
  ASSERT_EQ(showback.exit_code, 0) << showback.err;
  std::map<std::string, Decimal> cost;
  const nlohmann::json parsed_1 = nlohmann::json::parse(showback.out);
  for (const auto& row : parsed_1["rows"]) {
    cost[row["owner"]] = *Decimal::Parse(row["cost"].get<std::string>());
  }
  EXPECT_EQ(cost["ingest"], *Decimal::Parse("3.60"));     // 3/4 of $4.80
  EXPECT_EQ(cost["analytics"], *Decimal::Parse("1.20"));  // 1/4
  EXPECT_EQ(cost["finance"], *Decimal::Parse("0.24"));
  EXPECT_EQ(cost.size(), 3u) << showback.out;  // no idle: a bucket is what its prefixes hold
  auto reconcile = Tally({"reconcile", "--format", "csv"});
  EXPECT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;
  EXPECT_NE(reconcile.out.find("\nAWS,5.04,5.04,0,0,0,"), std::string::npos) << reconcile.out;

  const std::string usage = Tally({"usage", "--by", "consumer", "--format", "csv"}).out;
  EXPECT_NE(usage.find("\nlake/raw/,storage,GiB,0,7200,"), std::string::npos) << usage;
  auto again = Tally({"ingest", "storage-csv", dir_.File("storage.csv")});
  EXPECT_NE(again.out.find("(72 replaced)"), std::string::npos) << again.out;
  EXPECT_EQ(Tally({"usage", "--by", "consumer", "--format", "csv"}).out, usage);
}

TEST_F(StorageCsvTest, BadFilesStoreNothing) {
  const std::string head = "date,bucket,prefix,bytes\n";
  for (const auto& [text, reason] :
       {std::pair{std::string("date,prefix,bytes\n2026-11-02,a,1\n"), "missing column \"bucket\""},
        std::pair{head + "2026-11-02,lake,a/,12x\n", "line 2: column bytes: not a whole number"},
        std::pair{head + "2026-11-02,lake,a/,-5\n", "line 2: column bytes"},
        std::pair{head + "someday,lake,a/,5\n", "line 2: column date"},
        std::pair{head + "2026-11-02,lake,a/,5\n2026-11-02,lake,a/,6\n", "twice on one date"},
        std::pair{head + "2026-11-02,lake,a/,5\n2026-11-02,lake", "line 3"},
        std::pair{head, "no rows"}}) {
    testing::WriteFile(dir_.File("bad.csv"), text);
    auto r = Tally({"ingest", "storage-csv", dir_.File("bad.csv")});
    EXPECT_EQ(r.exit_code, 1) << text;
    EXPECT_NE(r.err.find(reason), std::string::npos) << text << "\n" << r.err;
    EXPECT_NE(r.err.find("nothing was stored"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Tally({"usage", "--by", "consumer", "--format", "csv"}).out.find("lake"),
            std::string::npos);
}

}  // namespace
}  // namespace tally
