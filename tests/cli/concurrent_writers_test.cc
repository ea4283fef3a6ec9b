// Writers take turns on the store: a second writer waits for the first (here, another process
// holding SQLite's write lock for 12 s, longer than the old 10 s limit) instead of failing with
// "database is locked"; readers answer meanwhile (WAL). docs/store.md says who writes when.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "testing/process.h"

namespace tally {
namespace {

using testing::RunTally;

TEST(ConcurrentWritersTest, ASecondWriterWaitsItsTurn) {
  testing::TempDir dir;
  const std::string db = dir.File("t.db"), store = "sqlite:" + db;
  const std::string header =
      "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,EffectiveCost\n";
  testing::WriteFile(dir.File("a.csv"), header + "a,Cloud,2024-05-01,2024-05-01T00:00:00Z,4\n");
  testing::WriteFile(dir.File("b.csv"), header + "b,Cloud,2024-05-01,2024-05-01T00:00:00Z,6\n");
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", dir.File("a.csv")}).exit_code, 0);

  // Another writer: sqlite3 holding the write lock for 12 seconds. It waits for the probes
  // below, which take the lock for an instant (without the timeout, a probe that got there first
  // made it fail and the test wait for a lock nobody held).
  testing::ChildProcess holder(
      "/bin/sh",
      {"-c", "printf '.timeout 5000\\nBEGIN IMMEDIATE;\\n.shell sleep 12\\nCOMMIT;\\n' | "
             "sqlite3 " + db},
      dir.File("holder.log"));
  bool locked = false;
  for (int i = 0; i < 100 && !locked; ++i) {
    auto probe = testing::RunCommand(
        "/usr/bin/sqlite3", {"-cmd", ".timeout 0", db, "BEGIN IMMEDIATE; ROLLBACK;"});
    locked = probe.exit_code != 0 && probe.err.find("locked") != std::string::npos;
    if (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(locked) << "the holder never took the lock";

  // A reader is not held up.
  auto read = RunTally({"--store", store, "costs", "--format", "csv"});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "EffectiveCost\n4\n");
  // The writer waits, then stores.
  auto write = RunTally({"--store", store, "ingest", "focus", dir.File("b.csv")});
  EXPECT_EQ(write.exit_code, 0) << write.err;
  EXPECT_EQ(write.err.find("locked"), std::string::npos) << write.err;
  EXPECT_EQ(RunTally({"--store", store, "costs", "--format", "csv"}).out, "EffectiveCost\n10\n");
}

}  // namespace
}  // namespace tally
