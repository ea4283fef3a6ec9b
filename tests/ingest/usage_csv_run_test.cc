// UsageCsvRun: rows in any order, partial hours and repeated keys are summed into one fact per
// hour, consumer, asset and resource; batches end on whole hours and their windows tile every
// hour from the first row's to the last's (gaps included, so a run replaces them); small batches
// hand out exactly the facts of one big batch. Expected sums are written here by hand.
#include <gtest/gtest.h>

#include <map>

#include "ingest/telemetry/usage_csv/usage_csv_reader.h"
#include "testing/test_util.h"

namespace tally {
namespace {

constexpr char kUsage[] =
    "start,end,consumer,asset,resource,request,usage,unit,labels\n"
    // 10:00-12:00, then a gap at 12:00, then 13:00; rows out of order.
    "2024-05-01T13:00:00Z,2024-05-01T14:00:00Z,a,n1,cpu,1,0.5,core,team=x\n"
    "2024-05-01T10:00:00Z,2024-05-01T12:00:00Z,a,n1,cpu,2,1,core,team=x\n"
    // Two half hours of b in 10:00 add up; 0.333... stays exact.
    "2024-05-01T10:00:00Z,2024-05-01T10:30:00Z,b,n1,memory,4,2,GiB,\n"
    "2024-05-01T10:30:00Z,2024-05-01T11:00:00Z,b,n1,memory,0.666666666666666666,1,GiB,\n"
    "2024-05-01T10:20:00Z,2024-05-01T10:40:00Z,b,n1,cpu,1,1,core,\n";

using Sums = std::map<std::tuple<std::string, std::string, std::string>, std::string>;

struct Handed {
  Sums facts;  // (hour, consumer, resource) -> "request/usage"
  std::vector<TimeWindow> windows;
};

Handed ReadAll(const std::string& path, size_t per_batch) {
  UsageCsvTotals totals;
  auto run = UsageCsvRun::Read({path}, UsageCsvKind::kUsage, "s", &totals, per_batch);
  EXPECT_TRUE(run.ok()) << run.status().message();
  Handed out;
  if (!run.ok()) return out;
  UsageBatch batch("", {});
  for (;;) {
    auto more = (*run)->Next(&batch);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    out.windows.push_back(batch.hours());
    for (const UsageFact& f : batch.usage()) {
      EXPECT_TRUE(batch.hours().Contains(f.hour));
      const auto key = std::make_tuple(f.hour.ToString(), batch.consumers()[f.consumer].name,
                                       f.resource);
      EXPECT_FALSE(out.facts.contains(key)) << "one fact per key";
      out.facts[key] = f.request.ToString() + "/" + f.usage.ToString();
    }
  }
  return out;
}

TEST(UsageCsvRunTest, SumsKeysAndTilesTheHoursInBatchesOfAnySize) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("u.csv"), kUsage);
  const Sums want = {
      {{"2024-05-01T10:00:00Z", "a", "cpu"}, "2/1"},
      {{"2024-05-01T11:00:00Z", "a", "cpu"}, "2/1"},
      {{"2024-05-01T13:00:00Z", "a", "cpu"}, "1/0.5"},
      // 4 × 0.5 + 0.666666666666666666 × 0.5, and 2 × 0.5 + 1 × 0.5
      {{"2024-05-01T10:00:00Z", "b", "memory"}, "2.333333333333333333/1.5"},
      {{"2024-05-01T10:00:00Z", "b", "cpu"}, "0.333333333333333333/0.333333333333333333"},
  };
  for (size_t per_batch : {1, 2, 1000}) {
    SCOPED_TRACE(per_batch);
    Handed got = ReadAll(dir.File("u.csv"), per_batch);
    EXPECT_EQ(got.facts, want);
    ASSERT_FALSE(got.windows.empty());
    EXPECT_EQ(got.windows.front().start, *ParseTimestamp("2024-05-01T10:00:00Z"));
    EXPECT_EQ(got.windows.back().end, *ParseTimestamp("2024-05-01T14:00:00Z"));
    for (size_t i = 1; i < got.windows.size(); ++i) {
      EXPECT_EQ(got.windows[i].start, got.windows[i - 1].end) << "windows tile the hours";
    }
    if (per_batch == 1) {
      EXPECT_EQ(got.windows.size(), 3u);  // 10:00 (3 facts), 11:00, 13:00
    }
  }
}

TEST(UsageCsvRunTest, ABadRowFailsBeforeAnyBatch) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("u.csv"), std::string(kUsage) +
                                            "2024-05-01T15:00:00Z,2024-05-01T16:00:00Z,a,n1,cpu,"
                                            "-1,0,core,\n");
  UsageCsvTotals totals;
  auto run = UsageCsvRun::Read({dir.File("u.csv")}, UsageCsvKind::kUsage, "s", &totals);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("line 7"), std::string::npos) << run.status().message();
}

}  // namespace
}  // namespace tally
