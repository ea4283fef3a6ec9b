// The VPA-style decaying histogram and rightsizing on series whose distribution the test knows:
// percentiles within the buckets' 5%, the margin applied, recent hours weighing more (24 h
// half-life), memory from daily peaks, and the minimums.
#include "insight/rightsizing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "insight/decaying_histogram.h"

namespace tally {
namespace {

constexpr int64_t kEnd = 1'790'000'000 / 86400 * 86400;  // a day boundary

TEST(DecayingHistogramTest, PercentilesOfAUniformSampleWithinABucket) {
  // 1,000 values evenly over (0, 1] at the same time: P50 = 0.5, P90 = 0.9, P100 = 1.
  DecayingHistogram h(0.01, 1000, 86400, kEnd);
  for (int i = 1; i <= 1000; ++i) h.Add(i / 1000.0, 1, kEnd);
  for (double p : {0.5, 0.9, 0.99}) {
    EXPECT_GE(h.Percentile(p), p) << p;         // the bucket's upper end: never below
    EXPECT_LE(h.Percentile(p), p * 1.05) << p;  // and within one 5% bucket
  }
  EXPECT_NEAR(h.TotalWeight(), 1000, 1e-9);
  EXPECT_EQ(DecayingHistogram(0.01, 1000, 86400, kEnd).Percentile(0.9), 0);  // empty
}

TEST(DecayingHistogramTest, AHalfLifeOldSampleWeighsHalf) {
  DecayingHistogram h(0.01, 1000, 86400, kEnd);
  h.Add(1, 1, kEnd - 86400);  // one day old: weight 0.5
  h.Add(2, 1, kEnd);          // now: weight 1
  EXPECT_NEAR(h.TotalWeight(), 1.5, 1e-12);
  // A third of the weight is at 1, two thirds at 2: P30 is about 1, P40 about 2.
  EXPECT_NEAR(h.Percentile(0.30), 1, 0.05);
  EXPECT_NEAR(h.Percentile(0.40), 2, 0.1);
}

TEST(RightsizingTest, CpuTargetIsP90PlusTheMarginAndMemoryFollowsDailyPeaks) {
  // CPU: a week of hours spread over 0.01 .. 2.40 cores; memory: each day's hours at 1 GiB but
  // one at that day's peak, 2 + 0.1 × day GiB (peaks 2.0 .. 2.6). The exact percentiles come
  // from the sorted sample: the histogram must give them to within its 5% buckets.
  HourlySamples cpu, memory;
  const int64_t start = kEnd - 7 * 86400;
  for (int h = 0; h < 7 * 24; ++h) {
    cpu.emplace_back(start + h * 3600, 0.01 * (1 + (h * 37) % 240));
    memory.emplace_back(start + h * 3600, h % 24 == 13 ? 2 + 0.1 * (h / 24) : 1.0);
  }
  auto exact = [&](double p) {
    std::vector<double> v;
    for (const auto& [hour, cores] : cpu) v.push_back(cores);
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1];
  };
  RightsizingPolicy no_decay;
  no_decay.half_life_hours = 1e9;  // every hour weighs the same: the plain distribution
  const RightsizingTarget t = Rightsize(cpu, memory, kEnd, no_decay);
  EXPECT_EQ(t.cpu_samples, 168);
  EXPECT_EQ(t.memory_days, 7);
  EXPECT_GE(t.cpu_percentile, exact(0.9));
  EXPECT_LE(t.cpu_percentile, exact(0.9) * 1.05);
  EXPECT_DOUBLE_EQ(t.cpu, t.cpu_percentile * 1.15);
  // P90 of the 7 peaks 2.0 .. 2.6 is the highest, 2.6 (within a bucket), plus 15%.
  EXPECT_GE(t.memory_peak_percentile, 2.6);
  EXPECT_LE(t.memory_peak_percentile, 2.6 * 1.05);
  EXPECT_DOUBLE_EQ(t.memory_gib, t.memory_peak_percentile * 1.15);
  // Another percentile and margin, as a policy may set them.
  RightsizingPolicy p75 = no_decay;
  p75.cpu_percentile = 0.75;
  p75.margin = 0.30;
  const RightsizingTarget u = Rightsize(cpu, memory, kEnd, p75);
  EXPECT_GE(u.cpu_percentile, exact(0.75));
  EXPECT_LE(u.cpu_percentile, exact(0.75) * 1.05);
  EXPECT_DOUBLE_EQ(u.cpu, u.cpu_percentile * 1.30);
}

TEST(RightsizingTest, RecentUsageWinsAndMinimumsHold) {
  // Six days at 4 cores, then a day at 1 core: with a 24 h half-life the last day holds about
  // half the weight, so P90 still sees 4 cores; P40 already sees 1.
  HourlySamples cpu;
  for (int h = 0; h < 7 * 24; ++h) cpu.emplace_back(kEnd - (7 * 24 - h) * 3600, h < 6 * 24 ? 4.0 : 1.0);
  RightsizingPolicy policy;
  EXPECT_NEAR(Rightsize(cpu, {}, kEnd, policy).cpu_percentile, 4, 0.2);
  policy.cpu_percentile = 0.40;
  EXPECT_NEAR(Rightsize(cpu, {}, kEnd, policy).cpu_percentile, 1, 0.05);
  // Nothing used: the minimums (25 millicores, 250 MiB), not zero.
  HourlySamples idle = {{kEnd - 3600, 0.0}};
  const RightsizingTarget t = Rightsize(idle, idle, kEnd, RightsizingPolicy{});
  EXPECT_DOUBLE_EQ(t.cpu, 0.025);
  EXPECT_DOUBLE_EQ(t.memory_gib, 0.25);
}

}  // namespace
}  // namespace tally
