// DetectInSeries on synthetic series whose anomalies the test plants: a weekly pattern on a
// trend with noise, spikes of known size, a drop, a level shift; the threshold k, the dollar
// floor and the option to flag drops each decide what is reported.
#include "insight/anomalies.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

namespace tally {
namespace {

// 100 + 0.5 t + a weekday pattern, ±3% uniform noise from a fixed seed.
std::vector<double> Weekly(int days, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> noise(-0.03, 0.03);
  static constexpr double kPattern[7] = {0, 8, 12, 10, 6, -18, -20};
  std::vector<double> v;
  for (int t = 0; t < days; ++t) v.push_back((100 + 0.5 * t + kPattern[t % 7]) * (1 + noise(rng)));
  return v;
}

std::set<size_t> Indexes(const std::vector<SeriesAnomaly>& found) {
  std::set<size_t> out;
  for (const SeriesAnomaly& a : found) out.insert(a.index);
  return out;
}

TEST(AnomalyDetectionTest, FindsPlantedSpikesAndNothingElse) {
  std::vector<double> v = Weekly(120);
  // The baseline (a median of four past weeks) trails the trend by about 8, so the robust
  // scale is about 11: spikes of 120 and 90 are 8 to 11 of it.
  v[50] += 120;
  v[90] += 90;
  const auto found = DetectInSeries(v, 7, 4, AnomalyOptions{}, 10);
  EXPECT_EQ(Indexes(found), (std::set<size_t>{50, 90}));
  for (const SeriesAnomaly& a : found) {
    // The baseline is the same weekday's median over 4 weeks: close to the planted level.
    const double level = v[a.index] - (a.index == 50 ? 120 : 90);
    EXPECT_NEAR(a.expected, level, 0.1 * level) << a.index;
  }
}

TEST(AnomalyDetectionTest, NoiseAloneRaisesNothingOverManySeries) {
  int flagged = 0;
  for (unsigned seed = 1; seed <= 100; ++seed) {
    flagged += static_cast<int>(DetectInSeries(Weekly(120, seed), 7, 4, AnomalyOptions{}, 0).size());
  }
  // 100 series of 120 days with no anomaly: at most 2 per 100 series per 30 days.
  EXPECT_LE(flagged, 2 * 4);
}

TEST(AnomalyDetectionTest, ThresholdFloorAndDropsDecide) {
  std::vector<double> v = Weekly(80);
  v[60] += 90;
  v[70] -= 100;
  EXPECT_EQ(Indexes(DetectInSeries(v, 7, 4, AnomalyOptions{}, 10)), (std::set<size_t>{60}));
  AnomalyOptions drops;
  drops.drops = true;
  EXPECT_EQ(Indexes(DetectInSeries(v, 7, 4, drops, 10)), (std::set<size_t>{60, 70}));
  // A dollar floor above the spike's size hides it; a very high k too.
  EXPECT_TRUE(DetectInSeries(v, 7, 4, AnomalyOptions{}, 150).empty());
  AnomalyOptions strict;
  strict.k = 100;
  EXPECT_TRUE(DetectInSeries(v, 7, 4, strict, 10).empty());
}

TEST(AnomalyDetectionTest, NeedsHistoryAndSettlesAfterALevelShift) {
  // Too short for a baseline and 7 residuals: nothing, whatever the values.
  std::vector<double> short_one = {1, 2, 3, 4, 5, 6, 7, 8, 900, 10};
  EXPECT_TRUE(DetectInSeries(short_one, 7, 4, AnomalyOptions{}, 0).empty());
  // A lasting doubling is flagged at first, then becomes the baseline within the window of
  // four weeks: not flagged for ever.
  std::vector<double> v = Weekly(120);
  for (size_t t = 60; t < v.size(); ++t) v[t] *= 2;
  const std::set<size_t> found = Indexes(DetectInSeries(v, 7, 4, AnomalyOptions{}, 10));
  EXPECT_TRUE(found.contains(60));
  EXPECT_FALSE(found.contains(100));
  EXPECT_LE(found.size(), 21u);
}

TEST(AnomalyDetectionTest, FlatSeriesUseAOnePercentScale) {
  // A flat fee: no spread at all. A 0.5% move is not an anomaly; a 20% jump is.
  std::vector<double> v(60, 1000.0);
  v[40] = 1005;
  v[50] = 1200;
  EXPECT_EQ(Indexes(DetectInSeries(v, 7, 4, AnomalyOptions{}, 1)), (std::set<size_t>{50}));
}

TEST(AnomalyDetectionTest, HourlySeriesUseTheSameHourOfTheLastWeek) {
  // A day/night pattern over 14 days of hours, ±2% noise; a 3-hour burst on day 12.
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> noise(-0.02, 0.02);
  std::vector<double> v;
  for (int t = 0; t < 14 * 24; ++t) {
    const int hour = t % 24;
    v.push_back((hour >= 8 && hour < 20 ? 40.0 : 10.0) * (1 + noise(rng)));
  }
  for (int t = 12 * 24 + 3; t < 12 * 24 + 6; ++t) v[static_cast<size_t>(t)] += 30;  // at night
  EXPECT_EQ(Indexes(DetectInSeries(v, 24, 7, AnomalyOptions{}, 10)),
            (std::set<size_t>{12 * 24 + 3, 12 * 24 + 4, 12 * 24 + 5}));
}

}  // namespace
}  // namespace tally
