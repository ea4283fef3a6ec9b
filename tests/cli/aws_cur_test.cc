// Acceptance for `tally ingest aws-cur` on every AWS sample in ../shared/data/billing: billed
// and amortized totals equal the exact sums of the input (computed here from the CSV text), no
// row is rejected, ServiceCategory is never empty and "Other" holds under 10% of the cost; a
// newer assembly of a billing period replaces the older one; ingesting twice changes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "cli/store_snapshot.h"
#include "common/csv_reader.h"
#include "common/strings.h"
#include "ingest/bill_values.h"
#include "ingest/billing/native_export.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;
using testing::TempDir;
using testing::WriteFile;

struct Expected {
  Decimal billed, effective;
  int64_t rows = 0;
};

Decimal At(std::span<const std::string_view> f, int col) {
  if (col < 0 || static_cast<size_t>(col) >= f.size() || IsNullText(f[col])) return Decimal();
  return *ParseBillDecimal(f[col])->value;
}

// Billed: Σ lineItem/UnblendedCost. Amortized, as docs/formats/aws-cur.md defines it.
Expected SumCur(const std::string& path) {
  Expected e;
  auto in = InputFile::Open(path);
  CsvReader csv(in->get());
  EXPECT_TRUE(*csv.Next());
  std::vector<std::string> names(csv.fields().begin(), csv.fields().end());
  std::vector<std::string_view> views(names.begin(), names.end());
  NativeHeader h(views);
  int type = h.Find("lineItem/LineItemType"), cost = h.Find("lineItem/UnblendedCost");
  int ri = h.Find("reservation/EffectiveCost"), sp = h.Find("savingsPlan/SavingsPlanEffectiveCost");
  while (*csv.Next()) {
    if (csv.blank()) continue;
    auto f = csv.fields();
    ++e.rows;
    e.billed += At(f, cost);
    std::string_view t = Trim(f[type]);
    if (t == "SavingsPlanCoveredUsage") {
      e.effective += At(f, sp);
    } else if (t == "DiscountedUsage") {
      e.effective += At(f, ri);
    } else {
      EXPECT_TRUE(t == "Usage" || t == "Tax") << "the samples hold no other types: " << t;
      e.effective += At(f, cost);
    }
  }
  return e;
}

TEST(AwsCurTest, EverySampleReconcilesToTheInput) {
  const std::string dir = testing::SharedDataDir() + "/billing/";
  const std::vector<std::string> samples = {
      "aws-cur-legacy__focus-converters/sample-anonymous-aws-export-dataset.csv",
      "aws-cur-legacy__koku/test_cur.csv",
      "aws-cur-legacy__koku/test_cur.csv.gz",
      "aws-cur-legacy__koku/2022-07-01-alt-columns.csv",
      "aws-cur-legacy__koku/2023-06-01.csv",
      "aws-cur-legacy__koku/2023-06-01-not-final.csv",
      "aws-cur-legacy__koku/empty_frame.csv",
      "aws-cur-legacy__koku/test_local_bucket_prefix/my-report-1.csv.gz",
  };
  for (const std::string& sample : samples) {
    SCOPED_TRACE(sample);
    TempDir tmp;
    std::string store = "sqlite:" + tmp.File("t.db");
    Expected e = SumCur(dir + sample);
    auto r = RunTally({"--store", store, "ingest", "aws-cur", dir + sample});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(std::to_string(e.rows) + " rows stored, 0 rows rejected"),
              std::string::npos)
        << r.out;
    if (e.rows == 0) {  // a header-only export: no lines, so no groups
      EXPECT_EQ(testing::CostsCsv(store, "BilledCost"), "BilledCost\n");
      continue;
    }
    EXPECT_EQ(testing::CostsCsv(store, "BilledCost"), "BilledCost\n" + e.billed.ToString() + "\n");
    EXPECT_EQ(testing::CostsCsv(store, "EffectiveCost"),
              "EffectiveCost\n" + e.effective.ToString() + "\n");

    // ServiceCategory is never empty, and "Other" is under 10% of the cost.
    std::string by_category = testing::CostsCsv(store, "BilledCost", "ServiceCategory");
    EXPECT_EQ(by_category.find("\n,"), std::string::npos) << by_category;
    size_t other = by_category.find("\nOther,");
    if (other != std::string::npos && !e.billed.is_zero()) {
      std::string value =
          by_category.substr(other + 7, by_category.find('\n', other + 1) - other - 7);
      Decimal other_cost = *Decimal::Parse(value);
      EXPECT_LT(other_cost + other_cost + other_cost + other_cost + other_cost + other_cost +
                    other_cost + other_cost + other_cost + other_cost,
                e.billed)
          << by_category;
    }
  }
}

TEST(AwsCurTest, ManifestDirectoryReadsTheListedReport) {
  TempDir tmp;
  std::string store = "sqlite:" + tmp.File("t.db");
  std::string dir =
      testing::SharedDataDir() + "/billing/aws-cur-legacy__koku/test_local_bucket_prefix";
  auto r = RunTally({"--store", store, "ingest", "aws-cur", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost"),
            "BilledCost\n" + SumCur(dir + "/my-report-1.csv.gz").billed.ToString() + "\n");
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost", "BillingPeriodStart"),
            "BillingPeriodStart,BilledCost\n2018-08-01T00:00:00Z," +
                SumCur(dir + "/my-report-1.csv.gz").billed.ToString() + "\n");
}

// Two assemblies of one billing period, as CUR delivers them: the newer restates the month.
constexpr char kCurHeader[] =
    "identity/LineItemId,bill/PayerAccountId,bill/BillingPeriodStartDate,"
    "bill/BillingPeriodEndDate,lineItem/UsageAccountId,lineItem/LineItemType,"
    "lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,lineItem/UnblendedCost,"
    "lineItem/CurrencyCode,resourceTags/user:team\n";

void WriteAssembly(const std::string& dir, const std::string& assembly, const std::string& rows) {
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/bill-1.csv", std::string(kCurHeader) + rows);
  WriteFile(dir + "/bill-Manifest.json",
            "{\"assemblyId\":\"" + assembly +
                "\",\"billingPeriod\":{\"start\":\"20240501T000000.000Z\"},"
                "\"reportKeys\":[\"prefix/bill/20240501-20240601/" +
                assembly + "/bill-1.csv\"]}");
}

TEST(AwsCurTest, NewerAssemblyReplacesTheOlderOneAndTwiceChangesNothing) {
  TempDir tmp;
  std::string store = "sqlite:" + tmp.File("t.db");
  WriteAssembly(tmp.File("a1"), "a1",
                "1,111,2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,222,Usage,2024-05-01T00:00:00Z,"
                "2024-05-01T01:00:00Z,AmazonEC2,1.5,USD,search\n"
                "2,111,2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,222,Usage,2024-05-01T01:00:00Z,"
                "2024-05-01T02:00:00Z,AmazonS3,2.5,USD,ads\n");
  WriteAssembly(tmp.File("a2"), "a2",
                "1,111,2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,222,Usage,2024-05-01T00:00:00Z,"
                "2024-05-01T01:00:00Z,AmazonEC2,1.5,USD,search\n"
                "2,111,2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,222,Usage,2024-05-01T01:00:00Z,"
                "2024-05-01T02:00:00Z,AmazonS3,2.5,USD,ads\n"
                "3,111,2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,222,Tax,2024-05-01T00:00:00Z,"
                "2024-06-01T00:00:00Z,AmazonEC2,0.4,USD,\n");
  ASSERT_EQ(RunTally({"--store", store, "ingest", "aws-cur", tmp.File("a1")}).exit_code, 0);
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost"), "BilledCost\n4\n");
  auto newer = RunTally({"--store", store, "ingest", "aws-cur", tmp.File("a2")});
  ASSERT_EQ(newer.exit_code, 0) << newer.err;
  EXPECT_NE(newer.out.find("replacing 2 earlier rows"), std::string::npos) << newer.out;
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost"), "BilledCost\n4.4\n");
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost", "Tags.user:team"),
            "Tags.user:team,BilledCost\nads,2.5\nsearch,1.5\n,0.4\n");
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost", "x_lineItem/LineItemType"),
            "x_lineItem/LineItemType,BilledCost\nUsage,4\nTax,0.4\n");
  std::string before = testing::StoreSnapshot(store);
  ASSERT_EQ(RunTally({"--store", store, "ingest", "aws-cur", tmp.File("a2")}).exit_code, 0);
  EXPECT_EQ(testing::StoreSnapshot(store), before);
}

TEST(AwsCurTest, AmortizesCommitmentsAsDocumented) {
  TempDir tmp;
  std::string store = "sqlite:" + tmp.File("t.db");
  const std::string header =
      "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,"
      "lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost,"
      "reservation/ReservationARN,reservation/EffectiveCost,"
      "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod,reservation/UnusedRecurringFee,"
      "savingsPlan/SavingsPlanARN,savingsPlan/SavingsPlanEffectiveCost,"
      "savingsPlan/TotalCommitmentToDate,savingsPlan/UsedCommitment\n";
  const std::string p = "111,2024-05-01,";
  WriteFile(tmp.File("cur.csv"),
            header + p + "DiscountedUsage,2024-05-01,AmazonEC2,0,ri-1,0.6,,,,,,\n" + p +
                "RIFee,2024-05-01,AmazonEC2,5,ri-1,,1.25,0.75,,,,\n" + p +
                "Fee,2024-05-01,AmazonEC2,100,ri-1,,,,,,,\n" + p +
                "SavingsPlanCoveredUsage,2024-05-01,AmazonEC2,10,,,,,sp-1,7,,\n" + p +
                "SavingsPlanNegation,2024-05-01,AmazonEC2,-3,,,,,sp-1,,,\n" + p +
                "SavingsPlanRecurringFee,2024-05-01,AmazonEC2,8,,,,,sp-1,,8,7\n" + p +
                "SavingsPlanUpfrontFee,2024-05-01,AmazonEC2,50,,,,,sp-1,,,\n" + p +
                "Usage,2024-05-01,AmazonS3,2,,,,,,,,\n");
  ASSERT_EQ(RunTally({"--store", store, "ingest", "aws-cur", tmp.File("cur.csv")}).exit_code, 0);
  // Billed: every unblended cost. Amortized: 0.6 + (1.25 + 0.75) + 0 + 7 + 0 + (8 - 7) + 0 + 2.
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost"), "BilledCost\n172\n");
  EXPECT_EQ(testing::CostsCsv(store, "EffectiveCost"), "EffectiveCost\n12.6\n");
  EXPECT_EQ(testing::CostsCsv(store, "EffectiveCost", "ChargeCategory,CommitmentDiscountStatus"),
            "ChargeCategory,CommitmentDiscountStatus,EffectiveCost\n"
            "Usage,Used,7.6\nPurchase,,3\nUsage,,2\n");
}

TEST(AwsCurTest, ABadValueRejectsItsRowWithFileLineAndColumn) {
  TempDir tmp;
  std::string store = "sqlite:" + tmp.File("t.db");
  WriteFile(tmp.File("cur.csv"),
            "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,"
            "lineItem/UsageStartDate,lineItem/UnblendedCost\n"
            "1,2024-05-01,Usage,2024-05-01T00:00:00Z,1.5\n"
            "1,2024-05-01,Usage,2024-05-01T01:00:00Z,abc\n"
            "1,2024-05-01,Usage,not-a-time,2\n"
            "1,2024-05-01,Usage,2024-05-01T02:00:00Z,2.5\n"
            "1,2024-05-01,Usage,2024-05-01T03:00:00Z\n"  // short: it lost its cost
            "1,2024-05-01,Usage,2024-05-01T04:00:00Z,,\n");  // an empty extra field is fine
  auto r = RunTally({"--store", store, "ingest", "aws-cur", tmp.File("cur.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 rows stored, 3 rows rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("cur.csv: line 6: lineItem/UnblendedCost: row has 4 fields; the header "
                       "has 5: this number column is missing"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("cur.csv: line 3: lineItem/UnblendedCost: not a number: \"abc\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("cur.csv: line 4: lineItem/UsageStartDate: not a timestamp"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost"), "BilledCost\n4\n");
}

TEST(AwsCurTest, NotACurIsRefused) {
  TempDir tmp;
  std::string store = "sqlite:" + tmp.File("t.db");
  auto r = RunTally({"--store", store, "ingest", "aws-cur",
                     testing::SharedDataDir() + "/billing/focus-validator/all_pass_0.5.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not an AWS CUR file: no lineItem/UnblendedCost column"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace tally
