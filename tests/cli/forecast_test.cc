// tally forecast end to end: a bill with a weekly pattern on a trend, a second service billed in
// EUR, the JSON contract (rows with date, the group key, forecast, lower, upper; a top-level
// backtest_mape), and the month-end projection against sums this test makes from the bill.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "tally/decimal.h"
#include "tally/time.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

constexpr int kDays = 135;  // to 2026-05-15: the forecast starts mid-month
constexpr int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr double kWeekly[7] = {0, 6, 12, 15, 9, -21, -21};

std::string Day(int d) { return Timestamp::FromUnixSeconds(kStart + int64_t{d} * 86400).ToString(); }

// Compute: 100 + 0.4 t + weekday pattern, with a deterministic wobble; Storage: 20 EUR a day.
std::string Compute(int t) {
  const double wobble = 0.03 * std::sin(t * 2.3) + 0.02 * std::cos(t * 0.7);
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", (100 + 0.4 * t + kWeekly[t % 7]) * (1 + wobble));
  return text;
}

class ForecastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string bill =
        "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
        "EffectiveCost,BillingCurrency,ProviderName,ServiceName\n";
    for (int t = 0; t < kDays; ++t) {
      bill += Day(t).substr(0, 8) + "01,2026-12-31," + Day(t) + "," + Day(t + 1) + "," + Compute(t) +
              "," + Compute(t) + ",USD,Cloud,Compute\n";
      bill += Day(t).substr(0, 8) + "01,2026-12-31," + Day(t) + "," + Day(t + 1) +
              ",20,20,EUR,Cloud,Storage\n";
    }
    testing::WriteFile(dir_.File("bill.csv"), bill);
    auto r = RunTally({"--store", dir_.File("t.db"), "ingest", "focus", dir_.File("bill.csv")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  nlohmann::json Forecast(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db"), "forecast", "--format", "json"});
    auto r = RunTally(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  testing::TempDir dir_;
};

TEST_F(ForecastTest, PerServiceAndCurrencyWithTheBacktestAndProjections) {
  const nlohmann::json doc = Forecast({"--by", "ServiceName", "--days", "20"});
  ASSERT_EQ(doc["rows"].size(), 40u) << doc.dump();  // 20 days × 2 series
  EXPECT_EQ(doc["last_day"], Day(kDays - 1).substr(0, 10));
  std::map<std::string, std::string> currency_of;
  for (const auto& row : doc["rows"]) {
    currency_of[row["ServiceName"].get<std::string>()] = row["currency"].get<std::string>();
    for (const char* money : {"forecast", "lower", "upper"}) {
      EXPECT_TRUE(Decimal::Parse(row[money].get<std::string>()).ok()) << row.dump();
    }
  }
  EXPECT_EQ(currency_of, (std::map<std::string, std::string>{{"Compute", "USD"},
                                                               {"Storage", "EUR"}}));
  EXPECT_EQ(doc["rows"][0]["date"], Day(kDays).substr(0, 10));
  const nlohmann::json& series = doc["series"];
  ASSERT_EQ(series.size(), 2u);
  const nlohmann::json& compute = series[0]["ServiceName"] == "Compute" ? series[0] : series[1];
  EXPECT_LT(compute["backtest_mape"].get<double>(), compute["naive_mape"].get<double>());
  EXPECT_GE(compute["coverage"].get<double>(), 0.7);
  EXPECT_LE(compute["coverage"].get<double>(), 0.9);
  EXPECT_TRUE(doc["backtest_mape"].is_number());
  std::printf("bill forecast, Compute: %s, backtest MAPE %.4f, seasonal-naive %.4f, coverage %.3f\n",
              compute["method"].get<std::string>().c_str(), compute["backtest_mape"].get<double>(),
              compute["naive_mape"].get<double>(), compute["coverage"].get<double>());

  // Month end: the month of the first forecast day (2026-05), its actual days (05-01 to 05-15)
  // from the bill plus the forecast rows of that month (05-16 to 05-31).
  const std::string month = Day(kDays).substr(0, 7);
  Decimal actual, forecast;
  for (int t = 0; t < kDays; ++t) {
    if (Day(t).substr(0, 7) == month) actual += *Decimal::Parse(Compute(t));
  }
  for (const auto& row : doc["rows"]) {
    if (row["ServiceName"] == "Compute" && row["date"].get<std::string>().substr(0, 7) == month) {
      forecast += *Decimal::Parse(row["forecast"].get<std::string>());
    }
  }
  const nlohmann::json& end = compute["month_end"];
  EXPECT_EQ(end["period"], month);
  EXPECT_EQ(*Decimal::Parse(end["actual"].get<std::string>()), actual.Round(2));
  // The projection sums unrounded days: within a cent per forecast day of the rounded rows.
  const Decimal projected = *Decimal::Parse(end["forecast"].get<std::string>());
  const Decimal gap = projected - forecast;
  EXPECT_LE(gap.is_negative() ? -gap : gap, *Decimal::Parse("0.16")) << end.dump();
  EXPECT_EQ(end["covered"], true);  // 20 days reach past 2026-05-31
  EXPECT_EQ(compute["quarter_end"]["period"], "2026-Q2");
  EXPECT_EQ(compute["quarter_end"]["covered"], false);  // June is not all forecast
}

TEST_F(ForecastTest, TheTotalAndBadArguments) {
  const nlohmann::json doc = Forecast({"--days", "3"});
  EXPECT_EQ(doc["rows"].size(), 6u);  // the total per currency: USD and EUR
  auto bad = RunTally({"--store", dir_.File("t.db"), "forecast", "--days", "0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--days must be between 1 and 366"), std::string::npos) << bad.err;
  auto empty = RunTally({"--store", dir_.File("none.db"), "forecast"});
  EXPECT_NE(empty.exit_code, 0);
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// The GPU capacity forecast: 2.075 GPUs of capacity (49.8 GPU-hours a day); GPU-hours requested
// grow by 1.2 a day from 12 (0.5 + 0.05 d GPUs each hour of day d). Over 28 days of history the
// forecast continues the line: day 31 asks 49.2 (within capacity), day 32 50.4: the first day
// over, 2026-02-02.
TEST(CapacityForecastTest, GpuDemandAgainstCapacity) {
  testing::TempDir dir;
  std::string inventory = "start,end,asset,resource,capacity,unit,labels\n";
  std::string usage = "start,end,consumer,asset,resource,request,usage,unit,labels\n";
  for (int d = 0; d < 28; ++d) {
    char request[32];
    std::snprintf(request, sizeof request, "%.2f", 0.5 + 0.05 * d);
    for (int h = 0; h < 24; ++h) {
      const int64_t t = kStart + int64_t{d} * 86400 + h * 3600;
      const std::string from = Timestamp::FromUnixSeconds(t).ToString();
      const std::string to = Timestamp::FromUnixSeconds(t + 3600).ToString();
      inventory += from + "," + to + ",gpu-node,gpu,2.075,gpu,\n";
      usage += from + "," + to + ",ml/train,gpu-node,gpu," + request + ",0.1,gpu,team=ml\n";
    }
  }
  testing::WriteFile(dir.File("inventory.csv"), inventory);
  testing::WriteFile(dir.File("usage.csv"), usage);
  const std::string store = "sqlite:" + dir.File("t.db");
  for (const char* kind : {"inventory", "usage-csv"}) {
    auto r = RunTally({"--store", store, "ingest", kind,
                       dir.File(std::string(kind) == "inventory" ? "inventory.csv" : "usage.csv")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto r = RunTally({"--store", store, "forecast", "--capacity", "gpu", "--days", "10",
                     "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json f = nlohmann::json::parse(r.out);
  EXPECT_EQ(f["capacity"], "49.80");
  ASSERT_EQ(f["history"].size(), 28u);
  EXPECT_EQ(f["history"][0]["demand"], "12.00");
  EXPECT_EQ(f["history"][27]["demand"], "44.40");
  ASSERT_EQ(f["rows"].size(), 10u);
  EXPECT_EQ(f["rows"][0]["date"], "2026-01-29");
  EXPECT_NEAR(std::stod(f["rows"][0]["demand"].get<std::string>()), 45.6, 0.5);
  EXPECT_EQ(f["first_over"], "2026-02-02") << r.out;
  // Without GPU facts: a clear error.
  testing::TempDir empty;
  r = RunTally({"--store", "sqlite:" + empty.File("e.db"), "ingest", "inventory",
                dir.File("inventory.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTally({"--store", "sqlite:" + empty.File("e.db"), "forecast", "--capacity", "cpu"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no cpu usage or capacity"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// Hostile: 6,000 monthly lines asked for hourly is 4.5M amounts to spread: refused with advice
// (exit 2), never gigabytes; by day the same bill answers.
TEST(CostSeriesBoundsTest, AnHourlySeriesOfManyMonthlyLinesIsRefusedNotUnbounded) {
  testing::TempDir dir;
  std::string bill =
      "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
      "EffectiveCost,BillingCurrency,ProviderName,ServiceName,ResourceId\n";
  for (int i = 0; i < 6000; ++i) {
    bill += "2026-01-01,2026-02-01,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z,31,31,USD,Cloud,"
            "Storage,vol-" + std::to_string(i) + "\n";
  }
  testing::WriteFile(dir.File("bill.csv"), bill);
  const std::string store = "sqlite:" + dir.File("t.db");
  auto r = RunTally({"--store", store, "ingest", "focus", dir.File("bill.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTally({"--store", store, "anomalies", "--by", "ResourceId", "--step", "hour", "--no-save"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("too large a series query"), std::string::npos) << r.err;
  r = RunTally({"--store", store, "anomalies", "--by", "ResourceId", "--no-save", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["series"], 6000);
  // Each line spread evenly: 1.00 a day for 31 days, summing back to the bill exactly.
  r = RunTally({"--store", store, "forecast", "--days", "1", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["rows"][0]["forecast"], "6000.00");
}

}  // namespace
}  // namespace tally
