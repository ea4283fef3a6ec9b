// The forecast's method choice, interval and robustness on series whose truth is known: a
// weekly pattern on a trend with deterministic noise and planted spikes.
#include "insight/forecast_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <vector>

namespace tally {
namespace {

constexpr double kWeekly[7] = {0, 6, 12, 15, 9, -21, -21};

double Truth(int t) { return 100 + 0.4 * t + kWeekly[t % 7]; }

// Normal noise from a fixed generator (LCG + Box-Muller), so the test sees the same series
// every run.
class Noise {
 public:
  double Next() {
    const double u1 = Uniform(), u2 = Uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }

 private:
  double Uniform() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return (static_cast<double>(state_ >> 11) + 0.5) / 9007199254740992.0;
  }
  uint64_t state_ = 42;
};

std::vector<double> Series(int days, double sigma, bool spikes) {
  Noise noise;
  std::vector<double> h;
  for (int t = 0; t < days; ++t) {
    double v = Truth(t) * (1 + sigma * noise.Next());
    if (spikes && (t == days - 30 || t == days - 17 || t == days - 9)) v *= 4;
    h.push_back(v);
  }
  return h;
}

TEST(ForecastModelTest, BeatsSeasonalNaiveWithACalibratedInterval) {
  const std::vector<double> h = Series(120, 0.04, false);
  const SeriesForecast f = ForecastDaily(h, 14);
  ASSERT_TRUE(f.backtest_mape && f.naive_mape && f.coverage) << f.method;
  EXPECT_LT(*f.backtest_mape, *f.naive_mape) << f.method;
  EXPECT_GE(*f.coverage, 0.70) << f.method;
  EXPECT_LE(*f.coverage, 0.90) << f.method;
  EXPECT_EQ(f.backtest_days, 56);
  std::printf("seasonal series with trend: %s, backtest MAPE %.4f, seasonal-naive %.4f, 80%% "
              "interval coverage %.3f\n",
              f.method.c_str(), *f.backtest_mape, *f.naive_mape, *f.coverage);
  ASSERT_EQ(f.forecast.size(), 14u);
  for (int i = 0; i < 14; ++i) {
    const double truth = Truth(120 + i);
    EXPECT_NEAR(f.forecast[static_cast<size_t>(i)], truth, 0.08 * truth) << "day " << i;
    EXPECT_LE(f.lower[static_cast<size_t>(i)], f.forecast[static_cast<size_t>(i)]);
    EXPECT_GE(f.upper[static_cast<size_t>(i)], f.forecast[static_cast<size_t>(i)]);
  }
  // Further out, the interval is no narrower.
  EXPECT_GE(f.upper[13] - f.lower[13], f.upper[0] - f.lower[0]);
}

TEST(ForecastModelTest, PastSpikesDoNotLiftTheForecast) {
  const SeriesForecast f = ForecastDaily(Series(120, 0.02, true), 7);
  EXPECT_NE(f.method, "seasonal-naive");
  for (int i = 0; i < 7; ++i) {
    const double truth = Truth(120 + i);
    EXPECT_NEAR(f.forecast[static_cast<size_t>(i)], truth, 0.1 * truth) << f.method << " day " << i;
  }
}

TEST(ForecastModelTest, ShortAndEmptyHistories) {
  const std::vector<double> ten = Series(10, 0, false);
  const SeriesForecast short_one = ForecastDaily(ten, 3);
  EXPECT_EQ(short_one.method, "seasonal-naive");
  EXPECT_FALSE(short_one.backtest_mape.has_value());
  EXPECT_DOUBLE_EQ(short_one.forecast[0], ten[3]);  // day 10 is the weekday of day 3
  const SeriesForecast none = ForecastDaily(std::vector<double>{}, 2);
  EXPECT_EQ(none.method, "mean");
  EXPECT_EQ(none.forecast, (std::vector<double>{0, 0}));
  // All zeros: no percentage error to measure, and a zero forecast.
  const SeriesForecast zeros = ForecastDaily(std::vector<double>(60, 0.0), 5);
  EXPECT_FALSE(zeros.backtest_mape.has_value());
  for (double v : zeros.forecast) EXPECT_EQ(v, 0);
}

TEST(ForecastModelTest, SeasonalNaiveRepeatsLastWeek) {
  std::vector<double> h;
  for (int t = 0; t < 21; ++t) h.push_back(t);
  EXPECT_EQ(ForecastWith("seasonal-naive", h, 9),
            (std::vector<double>{14, 15, 16, 17, 18, 19, 20, 14, 15}));
}

}  // namespace
}  // namespace tally
