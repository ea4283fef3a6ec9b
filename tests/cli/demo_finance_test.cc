// Forecasts, anomalies and budgets on the demo platform (91 days from 2026-06-01, so that every
// weekday has a baseline and the backtest has its eight origins; and the default 30 days):
//   - the planted cost spike (truth.json, kind cost_spike) is found with its owner, day and root
//     cause, per team tag, per owner and per service, and its impact is within 5% of the truth;
//   - nothing else is: at most 2 false anomalies per 100 series per 30 days;
//   - the total's forecast beats seasonal-naive and its 80% interval covers 70% to 90%;
//   - an anomaly is stored once and keeps the state a person gives it;
//   - budgets: a bill budget's actual equals `tally costs` over the same month, an owner budget's
//     the owner's showback, and the roll-up counts an owner's children.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tally/decimal.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using Json = nlohmann::json;
using testing::RunTally;

class DemoFinanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto r = RunTally({"--store", Store(), "demo", "--out", dir_->File("demo"), "--start",
                       "2026-06-01", "--days", "91", "--load"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json truth = Json::parse(testing::ReadFile(dir_->File("demo/truth.json")));
    for (const Json& i : truth["inefficiencies"]) {
      if (i["kind"] == "cost_spike") spike_ = new Json(i);
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete spike_;
  }
  static std::string Store() { return "sqlite:" + dir_->File("t.db"); }
  static Json Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", Store()});
    args.insert(args.end(), {"--format", "json"});
    auto r = RunTally(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? Json::parse(r.out) : Json();
  }
  static testing::TempDir* dir_;
  static Json* spike_;
};
testing::TempDir* DemoFinanceTest::dir_ = nullptr;
Json* DemoFinanceTest::spike_ = nullptr;

TEST_F(DemoFinanceTest, ThePlantedSpikeIsFoundWithItsOwnerDayAndRootCauseAndNothingElse) {
  ASSERT_NE(spike_, nullptr);
  const std::string day = (*spike_)["window"]["start"].get<std::string>().substr(0, 10);
  const std::string owner = (*spike_)["owner"];
  const std::string service = (*spike_)["consumer"];  // the service whose cost spiked
  const double truth = std::stod((*spike_)["true_monthly_cost"].get<std::string>());
  int64_t series = 0, periods = 0, false_anomalies = 0;
  for (const std::string by : {"Tags.team", "owner", "ServiceName", "SubAccountId", ""}) {
    std::vector<std::string> args = {"anomalies", "--no-save"};
    if (!by.empty()) args.insert(args.end(), {"--by", by});
    const Json found = Run(args);
    series += found["series"].get<int64_t>();
    periods = found["periods"].get<int64_t>();
    int spikes = 0;
    for (const Json& row : found["rows"]) {
      const bool is_spike = row["date"] == day;
      if (!is_spike) {
        ++false_anomalies;
        ADD_FAILURE() << "by " << by << ": a false anomaly " << row.dump();
        continue;
      }
      ++spikes;
      EXPECT_NEAR(std::stod(row["impact"].get<std::string>()), truth, 0.05 * truth) << by;
      if (by == "Tags.team" || by == "owner") {
        EXPECT_EQ(row[by], owner);
      }
      if (by == "ServiceName") {
        EXPECT_EQ(row[by], service);
      }
      // The root cause names the service (unless the series is split by it already).
      if (by != "ServiceName") {
        bool named = false;
        for (const Json& cause : row["root_cause"]) {
          if ((cause["dimension"] == "ServiceName" || cause["dimension"] == "service") &&
              cause["value"] == service) {
            named = true;
            EXPECT_GE(cause["share"].get<double>(), 0.8) << by;
          }
        }
        EXPECT_TRUE(named) << by << ": " << row.dump();
      }
    }
    EXPECT_EQ(spikes, 1) << "by " << by;
  }
  ASSERT_GT(periods, 60);
  const double per_100_series_per_30_days =
      100.0 * static_cast<double>(false_anomalies) / static_cast<double>(series) * 30.0 /
      static_cast<double>(periods);
  EXPECT_LE(per_100_series_per_30_days, 2.0);
  std::printf("demo anomalies: %lld series x %lld days, %lld false (%.2f per 100 series per 30 days)\n",
              static_cast<long long>(series), static_cast<long long>(periods),
              static_cast<long long>(false_anomalies), per_100_series_per_30_days);
}

TEST_F(DemoFinanceTest, AnAnomalyIsStoredOnceAndKeepsItsState) {
  auto first = RunTally({"--store", Store(), "anomalies", "--by", "Tags.team"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("1 found in 13 series, 1 new"), std::string::npos) << first.err;
  const Json listed = Run({"anomalies", "--by", "Tags.team"});
  ASSERT_EQ(listed["rows"].size(), 1u);
  const std::string id = listed["rows"][0]["id"];
  EXPECT_EQ(listed["rows"][0]["state"], "open");
  auto ack = RunTally({"--store", Store(), "anomalies", "ack", id});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  auto again = RunTally({"--store", Store(), "anomalies", "--by", "Tags.team", "--format", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 new"), std::string::npos) << again.err;
  EXPECT_EQ(Json::parse(again.out)["rows"][0]["state"], "acknowledged");
  auto unknown = RunTally({"--store", Store(), "anomalies", "ack", "0000000000000000"});
  EXPECT_NE(unknown.exit_code, 0);
  // The change is in the audit log, from the command line, with before and after.
  const Json audit = Run({"audit"});  // Run asks for JSON
  bool recorded = false;
  for (const Json& row : audit["rows"]) {
    recorded |= row["action"] == "anomaly.state" && row["target"] == id &&
                row["actor"].get<std::string>().starts_with("cli:") &&
                row["detail"] == R"({"before":"open","after":"acknowledged"})";
  }
  EXPECT_TRUE(recorded) << audit.dump();
}

TEST_F(DemoFinanceTest, TheTotalForecastBeatsSeasonalNaiveWithACalibratedInterval) {
  const Json f = Run({"forecast", "--days", "14"});
  ASSERT_TRUE(f["backtest_mape"].is_number() && f["naive_mape"].is_number()) << f.dump();
  EXPECT_LT(f["backtest_mape"].get<double>(), f["naive_mape"].get<double>());
  EXPECT_GE(f["coverage"].get<double>(), 0.70);
  EXPECT_LE(f["coverage"].get<double>(), 0.90);
  EXPECT_EQ(f["rows"].size(), 14u);
  EXPECT_EQ(f["rows"][0]["date"], "2026-08-31");
  std::printf("demo forecast (91 days): %s, backtest MAPE %.4f, seasonal-naive %.4f, coverage %.3f\n",
              f["series"][0]["method"].get<std::string>().c_str(), f["backtest_mape"].get<double>(),
              f["naive_mape"].get<double>(), f["coverage"].get<double>());
}

TEST(DemoFinanceDefaultTest, TheDefaultThirtyDayDemoForecastIsCalibratedToo) {
  testing::TempDir dir;
  const std::string store = "sqlite:" + dir.File("t.db");
  auto load = RunTally({"--store", store, "demo", "--out", dir.File("demo"), "--start",
                        "2026-10-01", "--load"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  auto r = RunTally({"--store", store, "forecast", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json f = Json::parse(r.out);
  EXPECT_LT(f["backtest_mape"].get<double>(), f["naive_mape"].get<double>());
  EXPECT_GE(f["coverage"].get<double>(), 0.70);
  EXPECT_LE(f["coverage"].get<double>(), 0.90);
  std::printf("demo forecast (30 days): backtest MAPE %.4f, seasonal-naive %.4f, coverage %.3f\n",
              f["backtest_mape"].get<double>(), f["naive_mape"].get<double>(),
              f["coverage"].get<double>());
}

TEST_F(DemoFinanceTest, BudgetsMatchTheBillAndTheShowbackAndRollUp) {
  testing::WriteFile(dir_->File("budgets.yaml"),
                     "budgets:\n"
                     "  - {name: ads-bill, where: {Tags.team: ads}, amount: 1000}\n"
                     "  - {name: ads, owner: ads, amount: 5000, period: month}\n"
                     "  - {name: ads-q, owner: ads, amount: 15000, period: quarter}\n");
  const Json b = Run({"budgets", "--config", dir_->File("budgets.yaml")});
  ASSERT_EQ(b["rows"].size(), 3u);
  // The last day of data is 2026-08-30: August to date, and Q3 to date.
  const Json& bill = b["rows"][0];
  EXPECT_EQ(bill["period"], "2026-08");
  EXPECT_EQ(bill["as_of"], "2026-08-30");
  const Json costs = Run({"costs", "--where", "Tags.team=ads", "--from", "2026-08-01", "--to",
                          "2026-08-31"});
  EXPECT_EQ(bill["actual"], costs["total"]) << costs.dump();
  const Json& owner = b["rows"][1];
  const Json showback = Run({"report", "showback", "--by", "owner", "--from", "2026-08-01",
                             "--to", "2026-08-31"});
  std::string ads_cost;
  for (const Json& row : showback["rows"]) {
    if (row["owner"] == "ads") ads_cost = row["cost"];
  }
  ASSERT_FALSE(ads_cost.empty()) << showback.dump();
  EXPECT_EQ(*Decimal::Parse(owner["actual"].get<std::string>()), *Decimal::Parse(ads_cost));
  // The burn-down ends at the month's end, its actual part at the as-of day.
  EXPECT_EQ(owner["burn_down"].size(), 31u);
  EXPECT_EQ(owner["burn_down"][29]["actual"], owner["actual"]);
  EXPECT_TRUE(owner["burn_down"][30]["actual"].is_null());
  EXPECT_EQ(owner["burn_down"][30]["ideal"], "5000");
  // The quarter: July and August to date.
  EXPECT_EQ(b["rows"][2]["period"], "2026-Q3");
  EXPECT_EQ(b["rows"][2]["start"], "2026-07-01");
  EXPECT_GT(*Decimal::Parse(b["rows"][2]["actual"].get<std::string>()),
            *Decimal::Parse(owner["actual"].get<std::string>()));
}

}  // namespace
}  // namespace tally
