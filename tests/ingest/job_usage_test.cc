// JobUsage: amounts held over intervals land in the hours they cover, exactly; totals spread in
// proportion sum exactly; batches follow runs of hours; junk spans fail instead of growing.
#include "ingest/telemetry/jobs/job_usage.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

constexpr int64_t kH = 3'600'000;  // an hour in ms

TEST(JobUsageTest, HoldSplitsAtHourBoundariesAndSpreadSumsExactly) {
  JobUsage usage("jobs");
  const uint32_t c = usage.AddConsumer(Consumer{"j", "", "", "", "", {}});
  const uint32_t a = usage.AddAsset(Asset{"n1", "", "", "", {}});
  // 3 cores from 00:30 to 02:15: 1.5, 3 and 0.75 core-hours.
  ASSERT_TRUE(usage.Hold(JobUsage::Side::kRequest, c, a, "cpu", "core", Decimal::FromUnits(3),
                         kH / 2, 2 * kH + kH / 4).ok());
  // 1 core-second... 10 seconds of CPU over the same span: parts in proportion, exact sum.
  ASSERT_TRUE(usage.Spread(JobUsage::Side::kUsage, c, a, "cpu", "core",
                           Decimal::FromUnits(10'000), kH / 2, 2 * kH + kH / 4).ok());
  auto batches = usage.Finish();
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u);
  const UsageBatch& b = (*batches)[0];
  EXPECT_EQ(b.replace(), UsageReplace::kConsumers);
  EXPECT_EQ(b.hours().start.unix_seconds(), 0);
  EXPECT_EQ(b.hours().end.unix_seconds(), 3 * 3600);
  ASSERT_EQ(b.usage().size(), 3u);
  EXPECT_EQ(b.usage()[0].request.ToString(), "1.5");
  EXPECT_EQ(b.usage()[1].request.ToString(), "3");
  EXPECT_EQ(b.usage()[2].request.ToString(), "0.75");
  Decimal used;
  for (const UsageFact& f : b.usage()) used += f.usage;
  // 10,000 ms of one core is 1/360 core-hour; three facts each rounded to 1e-18.
  const Decimal exact = *Decimal::FromUnits(10'000).Divide(Decimal::FromUnits(kH));
  const auto diff = (used - exact).raw();
  EXPECT_LE(diff < 0 ? -diff : diff, 3);
}

TEST(JobUsageTest, SeparateRunsOfHoursAreSeparateBatches) {
  JobUsage usage("jobs");
  const uint32_t j1 = usage.AddConsumer(Consumer{"j1", "", "", "", "", {}});
  const uint32_t j2 = usage.AddConsumer(Consumer{"j2", "", "", "", "", {}});
  ASSERT_TRUE(usage.Hold(JobUsage::Side::kRequest, j1, kNoAsset, "cpu", "core",
                         Decimal::FromUnits(1), 0, kH).ok());
  ASSERT_TRUE(usage.Hold(JobUsage::Side::kRequest, j2, kNoAsset, "cpu", "core",
                         Decimal::FromUnits(1), 10 * kH, 11 * kH).ok());
  auto batches = usage.Finish();
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 2u);
  ASSERT_EQ((*batches)[0].consumers().size(), 1u);
  EXPECT_EQ((*batches)[0].consumers()[0].name, "j1");
  EXPECT_EQ((*batches)[1].consumers()[0].name, "j2");
}

TEST(JobUsageTest, AJunkSpanFailsInsteadOfGrowingWithoutBound) {
  JobUsage usage("jobs", 1000);
  const uint32_t c = usage.AddConsumer(Consumer{"j", "", "", "", "", {}});
  const Status s = usage.Hold(JobUsage::Side::kRequest, c, kNoAsset, "cpu", "core",
                              Decimal::FromUnits(1), 0, int64_t{253402300799000});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("more than 1000"), std::string::npos);
  EXPECT_LE(usage.facts(), 1000u);
}

}  // namespace
}  // namespace tally
