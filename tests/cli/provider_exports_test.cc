// Acceptance for the GCP, Azure and OCI adapters and `tally ingest auto` on the samples in
// ../shared/data/billing: billed and amortized totals equal the provider's amounts exactly,
// ServiceCategory is never empty, and auto picks the right reader for every sample.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/store_snapshot.h"
#include "common/csv_reader.h"
#include "common/strings.h"
#include "ingest/bill_values.h"
#include "ingest/billing/native_export.h"
#include "testing/test_util.h"

namespace tally {
namespace {

namespace fs = std::filesystem;
using testing::RunTally;
using testing::TempDir;
using testing::WriteFile;

std::string Billing() { return testing::SharedDataDir() + "/billing/"; }

// Σ of the first column present among `names` (matched ignoring case and style), from the text.
std::pair<Decimal, int64_t> SumColumn(const std::string& path, std::vector<std::string> names) {
  auto in = InputFile::Open(path);
  CsvReader csv(in->get());
  EXPECT_TRUE(*csv.Next());
  int col = -1;
  for (const std::string& name : names) {
    for (size_t i = 0; col < 0 && i < csv.fields().size(); ++i) {
      std::string header(Trim(csv.fields()[i]));
      if (size_t open = header.rfind(" ("); open != std::string::npos) {
        header = header.substr(open + 2, header.size() - open - 3);  // "Name (EnglishName)"
      }
      if (NormalizeColumnName(header) == NormalizeColumnName(name)) col = static_cast<int>(i);
    }
  }
  EXPECT_GE(col, 0) << path;
  Decimal sum;
  int64_t rows = 0;
  while (*csv.Next()) {
    if (csv.blank()) continue;
    ++rows;
    std::string_view v = static_cast<size_t>(col) < csv.fields().size() ? csv.fields()[col] : "";
    if (!IsNullText(v)) sum += *ParseBillDecimal(v)->value;
  }
  return {sum, rows};
}

void ExpectTotals(const std::string& format, const std::string& file, Decimal billed,
                  Decimal effective, int64_t rows) {
  SCOPED_TRACE(file);
  TempDir tmp;
  std::string store = "sqlite:" + tmp.File("t.db");
  auto r = RunTally({"--store", store, "ingest", format, file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(" " + std::to_string(rows) + " rows stored, 0 rows rejected"),
            std::string::npos)
      << r.out;
  if (rows == 0) return;
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost"), "BilledCost\n" + billed.ToString() + "\n");
  EXPECT_EQ(testing::CostsCsv(store, "EffectiveCost"),
            "EffectiveCost\n" + effective.ToString() + "\n");
  std::string categories = testing::CostsCsv(store, "BilledCost", "ServiceCategory");
  EXPECT_EQ(categories.find("\n,"), std::string::npos) << "empty ServiceCategory:\n" << categories;
}

TEST(ProviderExportsTest, AzureSamplesReconcileToTheirCostColumn) {
  std::vector<std::string> files;
  for (const char* dir : {"azure-export__koku", "azure-export__finops-toolkit",
                          "azure-export__focus-converters", "azure-export__opencost"}) {
    for (const auto& e : fs::recursive_directory_iterator(Billing() + dir)) {
      if (e.path().extension() == ".csv") files.push_back(e.path().string());
    }
  }
  ASSERT_GE(files.size(), 18u);
  for (const std::string& file : files) {
    auto [cost, rows] = SumColumn(file, {"CostInBillingCurrency", "PreTaxCost", "Cost"});
    ExpectTotals("azure-export", file, cost, cost, rows);  // docs: EffectiveCost is the row cost
  }
}

TEST(ProviderExportsTest, OciSampleReconcilesToMyCost) {
  std::string file =
      Billing() + "oci-cost-report__focus-converters/reports_cost-csv_0000000030000269.csv";
  auto [cost, rows] = SumColumn(file, {"cost/myCost"});
  ExpectTotals("oci", file, cost, cost, rows);
}

TEST(ProviderExportsTest, GcpSamplesReconcileToCostPlusCredits) {
  // Cost plus credits, summed from the files with Python's decimal module (credits are Python
  // literals there): 0.000032 - 0.000032, and 0.000012 with no credits.
  ExpectTotals(
      "gcp-billing",
      Billing() +
          "gcp-export__koku/202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08:2020-11-11.csv",
      Decimal(), Decimal(), 25);
  ExpectTotals("gcp-billing", Billing() + "gcp-export__koku/2022-08-01_5.csv",
               *Decimal::Parse("0.000012"), *Decimal::Parse("0.000012"), 9);
}

TEST(ProviderExportsTest, GcpCreditsLabelsAndInvoiceMonth) {
  TempDir tmp;
  std::string store = "sqlite:" + tmp.File("t.db");
  WriteFile(
      tmp.File("gcp.csv"),
      "billing_account_id,service.description,usage_start_time,usage_end_time,project.id,"
      "labels,cost,currency,credits,invoice.month,cost_type\n"
      "A-1,Compute Engine,2024-05-31 23:00:00+00:00,2024-06-01 00:00:00+00:00,p1,"
      "\"[{'key': 'team', 'value': 'search'}]\",10.5,USD,"
      "\"[{'name': 'SUD', 'amount': -1.25, 'full_name': None}, {'name': 'x', 'amount': -1e-06}]\","
      "202405,regular\n"
      "A-1,BigQuery,2024-06-01 00:00:00+00:00,2024-06-01 01:00:00+00:00,p1,"
      "\"[{\"\"key\"\":\"\"team\"\",\"\"value\"\":\"\"ads\"\"}]\",2,USD,[],202406,regular\n"
      "A-1,Compute Engine,2024-06-01 00:00:00+00:00,2024-06-01 01:00:00+00:00,p1,[],0.5,USD,"
      "[],202406,tax\n");
  auto r = RunTally({"--store", store, "ingest", "gcp-billing", tmp.File("gcp.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 billing periods"), std::string::npos) << r.out;  // invoice.month
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost", "Tags.team,ChargeCategory,ServiceCategory"),
            "Tags.team,ChargeCategory,ServiceCategory,BilledCost\n"
            "search,Usage,Compute,9.249999\nads,Usage,Databases,2\n,Tax,Compute,0.5\n");
  EXPECT_EQ(testing::CostsCsv(store, "ListCost"), "ListCost\n13\n");  // before credits
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost", "BillingPeriodStart"),
            "BillingPeriodStart,BilledCost\n2024-05-01T00:00:00Z,9.249999\n"
            "2024-06-01T00:00:00Z,2.5\n");
}

TEST(ProviderExportsTest, AzureTagsWithoutBracesPricesAndCommitments) {
  TempDir tmp;
  std::string store = "sqlite:" + tmp.File("t.db");
  WriteFile(tmp.File("az.csv"),
            "BillingAccountId,BillingPeriodStartDate,BillingPeriodEndDate,SubscriptionId,Date,"
            "MeterCategory,Quantity,UnitPrice,PayGPrice,CostInBillingCurrency,BillingCurrencyCode,"
            "ChargeType,PricingModel,ReservationId,Tags\n"
            "9,09/01/2023,09/30/2023,s1,9/2/2023,Virtual Machines,8,0.146,0.2,0.493152,USD,Usage,"
            "Reservation,r1,\"\"\"team\"\": \"\"search\"\",\"\"env\"\": \"\"prod\"\"\"\n"
            "9,09/01/2023,09/30/2023,s1,9/2/2023,Virtual Machines,2,0.146,0,0.1,USD,"
            "UnusedReservation,Reservation,r1,\n"
            "9,09/01/2023,09/30/2023,s1,9/30/2023,Storage,1,,,1.5,USD,Usage,OnDemand,,"
            "\"{\"\"team\"\":\"\"ads\"\"}\"\n");
  auto r = RunTally({"--store", store, "ingest", "azure-export", tmp.File("az.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::CostsCsv(store, "EffectiveCost", "Tags.team,CommitmentDiscountStatus"),
            "Tags.team,CommitmentDiscountStatus,EffectiveCost\nads,,1.5\nsearch,Used,0.493152\n"
            ",Unused,0.1\n");
  // List: PayGPrice × Quantity where the price is set (0.2 × 8), else the cost.
  EXPECT_EQ(testing::CostsCsv(store, "ListCost"), "ListCost\n3.2\n");
  // Contracted: UnitPrice × Quantity (1.168 + 0.292), else the cost (1.5).
  EXPECT_EQ(testing::CostsCsv(store, "ContractedCost"), "ContractedCost\n2.96\n");
  // The billing period ends on its last day, inclusive: the 30th's usage is inside.
  EXPECT_EQ(testing::CostsCsv(store, "BilledCost", "BillingPeriodStart,BillingPeriodEnd"),
            "BillingPeriodStart,BillingPeriodEnd,BilledCost\n"
            "2023-09-01T00:00:00Z,2023-10-01T00:00:00Z,2.093152\n");
  std::string before = testing::StoreSnapshot(store);
  ASSERT_EQ(RunTally({"--store", store, "ingest", "azure-export", tmp.File("az.csv")}).exit_code,
            0);
  EXPECT_EQ(testing::StoreSnapshot(store), before);
}

TEST(ProviderExportsTest, AutoPicksTheRightFormatForEverySample) {
  struct Case {
    std::string prefix, format;
  } cases[] = {{"aws-cur-legacy__", "aws-cur"},
               {"azure-export__", "azure-export"},
               {"gcp-export__", "gcp-billing"},
               {"oci-cost-report__", "oci"},
               {"focus-spec-examples", "focus"}};
  int checked = 0;
  for (const auto& dir : fs::directory_iterator(Billing())) {
    for (const Case& c : cases) {
      if (!dir.path().filename().string().starts_with(c.prefix)) continue;
      for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
        std::string name = e.path().filename().string();
        if (!EndsWith(name, ".csv") && !EndsWith(name, ".csv.gz")) continue;
        SCOPED_TRACE(e.path().string());
        TempDir tmp;
        auto r = RunTally({"--store", "sqlite:" + tmp.File("t.db"), "ingest", "auto",
                           e.path().string(), "--max-diagnostics", "1000"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.err.find(": read as " + c.format + "\n"), std::string::npos) << r.err;
        ++checked;
      }
    }
  }
  std::printf("auto: %d sample files detected correctly\n", checked);
  EXPECT_GE(checked, 55);
}

TEST(ProviderExportsTest, AutoRefusesWhatItCannotTell) {
  TempDir tmp;
  WriteFile(tmp.File("x.csv"), "name,amount\na,1\n");
  auto r = RunTally({"--store", "sqlite:" + tmp.File("t.db"), "ingest", "auto", tmp.File("x.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("x.csv: not a bill: a CSV that is no bill (columns name, amount)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("no bill among the 1 files (nothing was stored)"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace tally
