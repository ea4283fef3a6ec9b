// `tally costs` on real AWS exports: every grouping answered from the rollup equals the same
// lines grouped by ChargePeriodStart (read line by line) and summed here, for windows on and off
// day boundaries and for each --step; --where keeps exactly its values; --top keeps the costliest
// groups and sums the rest as (other) with the total unchanged.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <map>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "testing/test_util.h"
#include "tally/decimal.h"

namespace tally {
namespace {

using testing::RunTally;
using Json = nlohmann::json;
using Sums = std::map<std::vector<std::string>, Decimal>;

class CostReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    store_ = new std::string(dir_->File("t.db"));
    const std::string data = testing::SharedDataDir() + "/billing/";
    auto r = RunTally({"--store", *store_, "ingest", "aws-cur",
                       data + "aws-cur-legacy__focus-converters/sample-anonymous-aws-export-dataset.csv",
                       data + "aws-cur-legacy__koku/test_cur.csv"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete store_;
    delete dir_;
  }

  static Json Costs(std::vector<std::string> args) {
    std::vector<std::string> all = {"--store", *store_, "costs", "--format", "json"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = RunTally(all);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }

  // The rows of a report as sums per key values (in `columns` order).
  static Sums Rows(const Json& report, const std::vector<std::string>& columns) {
    Sums sums;
    for (const Json& row : report["rows"]) {
      std::vector<std::string> key;
      for (const std::string& c : columns) key.push_back(row[c].is_null() ? "" : row[c].get<std::string>());
      sums[key] += *Decimal::Parse(row["EffectiveCost"].get<std::string>());
    }
    return sums;
  }

  // The same grouping read line by line (ChargePeriodStart is a line-level key), cut to the
  // window and floored to the step here.
  static Sums FromLines(const std::string& by, const std::vector<std::string>& columns,
                        const std::string& from, const std::string& to, const std::string& step) {
    Json lines = Costs({"--by", by + ",ChargePeriodStart"});
    Sums sums;
    for (const Json& row : lines["rows"]) {
      const bool dated = !row["ChargePeriodStart"].is_null();
      const std::string start = dated ? row["ChargePeriodStart"].get<std::string>() : "";
      if ((!from.empty() || !to.empty()) && !dated) continue;
      if (!from.empty() && start < from) continue;
      if (!to.empty() && start >= to) continue;
      std::vector<std::string> key;
      if (!step.empty()) {
        key.push_back(!dated            ? ""
                      : step == "day"   ? start.substr(0, 10) + "T00:00:00Z"
                      : step == "month" ? start.substr(0, 7) + "-01T00:00:00Z"
                                        : start.substr(0, 13) + ":00:00Z");
      }
      for (const std::string& c : columns) key.push_back(row[c].is_null() ? "" : row[c].get<std::string>());
      sums[key] += *Decimal::Parse(row["EffectiveCost"].get<std::string>());
    }
    return sums;
  }

  static testing::TempDir* dir_;
  static std::string* store_;
};
testing::TempDir* CostReportTest::dir_ = nullptr;
std::string* CostReportTest::store_ = nullptr;

TEST_F(CostReportTest, RollupAnswersEqualTheLinesForEveryWindowAndStep) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> groupings = {
      {"ServiceCategory", {"ServiceCategory"}},
      {"ServiceName,RegionId", {"ServiceName", "RegionId"}},
      {"BillingAccountId,SubAccountId,ChargeCategory",
       {"BillingAccountId", "SubAccountId", "ChargeCategory"}}};
  const std::vector<std::pair<std::string, std::string>> windows = {
      {"", ""},
      {"2023-11-03T00:00:00Z", "2023-11-20T00:00:00Z"},
      {"2023-11-03T05:00:00Z", "2023-11-20T07:00:00Z"},
      {"2023-11-15T03:00:00Z", ""},
      {"", "2023-12-01T00:00:00Z"}};
  for (const auto& [by, columns] : groupings) {
    for (const auto& [from, to] : windows) {
      for (const std::string step : {"", "hour", "day", "month"}) {
        SCOPED_TRACE(by + " [" + from + ", " + to + ") step " + step);
        std::vector<std::string> args = {"--by", by};
        if (!from.empty()) args.insert(args.end(), {"--from", from});
        if (!to.empty()) args.insert(args.end(), {"--to", to});
        if (!step.empty()) args.insert(args.end(), {"--step", step});
        Json report = Costs(args);
        std::vector<std::string> keyed = columns;
        if (!step.empty()) keyed.insert(keyed.begin(), "period");
        const Sums want = FromLines(by, columns, from, to, step);
        EXPECT_EQ(Rows(report, keyed), want);
        Decimal total;
        for (const auto& [key, value] : want) total += value;
        EXPECT_EQ(report["total"].get<std::string>(), total.ToString());
      }
    }
  }
}

TEST_F(CostReportTest, RowsAreSortedByCostDescending) {
  Json report = Costs({"--by", "ServiceName"});
  ASSERT_GT(report["rows"].size(), 3u);
  for (size_t i = 1; i < report["rows"].size(); ++i) {
    EXPECT_LE(*Decimal::Parse(report["rows"][i]["EffectiveCost"].get<std::string>()),
              *Decimal::Parse(report["rows"][i - 1]["EffectiveCost"].get<std::string>()));
  }
}

TEST_F(CostReportTest, WhereKeepsExactlyItsValues) {
  const Sums by_category = Rows(Costs({"--by", "ServiceCategory"}), {"ServiceCategory"});
  ASSERT_GT(by_category.size(), 2u);
  const std::string a = by_category.rbegin()->first[0], b = by_category.begin()->first[0];
  Json one = Costs({"--by", "ServiceName", "--where", "ServiceCategory=" + a});
  EXPECT_EQ(one["total"].get<std::string>(), by_category.at({a}).ToString());
  Json two = Costs({"--where", "ServiceCategory=" + a + "," + b, "--where", "ProviderName=AWS"});
  EXPECT_EQ(*Decimal::Parse(two["total"].get<std::string>()),
            by_category.at({a}) + by_category.at({b}));
  Json none = Costs({"--where", "ServiceCategory=NoSuchCategory"});
  EXPECT_EQ(none["rows"].size(), 0u);
  EXPECT_EQ(none["total"].get<std::string>(), "0");
}

TEST_F(CostReportTest, TopSumsTheRestAsOtherAndKeepsTheTotal) {
  Json all = Costs({"--by", "ServiceName"});
  Json top = Costs({"--by", "ServiceName", "--top", "3"});
  ASSERT_GT(all["rows"].size(), 4u);
  ASSERT_EQ(top["rows"].size(), 4u);
  EXPECT_EQ(top["total"], all["total"]);
  Decimal rest;
  for (size_t i = 0; i < all["rows"].size(); ++i) {
    if (i < 3) {
      EXPECT_EQ(top["rows"][i], all["rows"][i]);
    } else {
      rest += *Decimal::Parse(all["rows"][i]["EffectiveCost"].get<std::string>());
    }
  }
  EXPECT_EQ(top["rows"][3]["ServiceName"], "(other)");
  EXPECT_EQ(top["rows"][3]["EffectiveCost"].get<std::string>(), rest.ToString());
}

TEST_F(CostReportTest, BadOptionsAreRefusedWithOneLine) {
  auto step = RunTally({"--store", *store_, "costs", "--step", "week"});
  EXPECT_EQ(step.exit_code, 2);
  EXPECT_NE(step.err.find("use hour, day or month"), std::string::npos) << step.err;
  auto where = RunTally({"--store", *store_, "costs", "--where", "x_lineItem/LineItemType=Tax"});
  EXPECT_EQ(where.exit_code, 2);
  EXPECT_NE(where.err.find("kept per line"), std::string::npos) << where.err;
  auto no_value = RunTally({"--store", *store_, "costs", "--where", "ServiceName"});
  EXPECT_EQ(no_value.exit_code, 2);
  EXPECT_NE(no_value.err.find("COLUMN=VALUE"), std::string::npos) << no_value.err;
}

// A file abandoned half-way (--skip-bad-files) leaves none of its rows in the totals, whether
// they come from the rollup or from the lines.
TEST(CostRollupAbandonTest, AnAbandonedFileLeavesNothingInTheRollup) {
  testing::TempDir dir;
  const std::string store = dir.File("t.db");
  testing::WriteFile(dir.File("good.csv"),
                     "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,"
                     "EffectiveCost\nA,AWS,2024-05-01,2024-05-02T00:00:00Z,1.25\n"
                     "A,AWS,2024-05-01,2024-05-03T00:00:00Z,2\n");
  // Another account's export, gzipped and cut off: its first rows are read, then it fails.
  std::string big = "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,"
                    "EffectiveCost\n";
  for (int i = 0; i < 20000; ++i) {
    big += "B,AWS,2024-05-01,2024-05-0" + std::to_string(1 + i % 9) + "T00:00:00Z,1." +
           std::to_string(i) + "\n";
  }
  gzFile gz = gzopen(dir.File("cut.csv.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, big.data(), static_cast<unsigned>(big.size())), static_cast<int>(big.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  std::string zipped = testing::ReadFile(dir.File("cut.csv.gz"));
  testing::WriteFile(dir.File("cut.csv.gz"), zipped.substr(0, zipped.size() * 2 / 3));
  auto ingest = RunTally({"--store", store, "ingest", "focus", dir.File("good.csv"),
                          dir.File("cut.csv.gz"), "--skip-bad-files", "-q"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  for (std::vector<std::string> args :
       {std::vector<std::string>{}, {"--step", "day"}, {"--by", "ChargePeriodStart"},
        {"--from", "2024-05-01", "--to", "2024-06-01"}}) {
    std::vector<std::string> all = {"--store", store, "costs", "--format", "json"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = RunTally(all);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Json::parse(r.out)["total"], "3.25") << r.out;
  }
}

// Lines in two currencies: no total adds them. The table prints one total per currency, the
// JSON a total per currency and no grand total; one currency keeps its single total.
TEST(CostTotalsTest, NoTotalAddsTwoCurrencies) {
  testing::TempDir dir;
  const std::string store = "sqlite:" + dir.File("t.db");
  testing::WriteFile(dir.File("mixed.csv"),
                     "BillingAccountId,ProviderName,BillingCurrency,ServiceName,BillingPeriodStart,"
                     "ChargePeriodStart,BilledCost,EffectiveCost\n"
                     "us,AWS,USD,EC2,2024-05-01,2024-05-01T00:00:00Z,10,10\n"
                     "us,AWS,USD,S3,2024-05-01,2024-05-01T00:00:00Z,2.5,2.5\n"
                     "ca,AWS,CAD,EC2,2024-05-01,2024-05-01T00:00:00Z,7,7\n");
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", dir.File("mixed.csv"), "-q"}).exit_code,
            0);
  auto table = RunTally({"--store", store, "costs", "--by", "ServiceName"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::map<std::string, std::string> totals;  // "Total CUR" -> amount, from the table's lines
  std::istringstream lines(table.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("Total")) continue;
    totals[line.substr(0, 9)] = line.substr(line.find_last_of(' ') + 1);
  }
  EXPECT_EQ(totals,
            (std::map<std::string, std::string>{{"Total CAD", "7.00"}, {"Total USD", "12.50"}}))
      << table.out;
  EXPECT_EQ(table.out.find("19.50"), std::string::npos) << table.out;  // 12.5 + 7 nowhere
  auto json = RunTally({"--store", store, "costs", "--by", "ServiceName", "--format", "json"});
  const Json doc = Json::parse(json.out);
  EXPECT_TRUE(doc["total"].is_null()) << json.out;
  EXPECT_EQ(doc["totals"], (Json{{"CAD", "7"}, {"USD", "12.5"}})) << json.out;
  auto one = RunTally({"--store", store, "costs", "--by", "ServiceName", "--where",
                       "BillingCurrency=USD", "--format", "json"});
  EXPECT_EQ(Json::parse(one.out)["total"], "12.5") << one.out;
}

}  // namespace
}  // namespace tally
