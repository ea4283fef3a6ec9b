// `tally ingests` and `tally diagnostics`: every rejected row can be found again, with its file,
// line, column and reason.
#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;
using testing::TempDir;

TEST(IngestLogTest, RunsAndTheirProblemsCanBeListed) {
  TempDir dir;
  std::string store = "sqlite:" + dir.File("t.db");
  testing::WriteFile(dir.File("bill.csv"),
                     "BillingAccountId,BillingPeriodStart,BilledCost\n1,2024-05-01,1\n"
                     "1,2024-05-01,x\n1,2024-05-01,\"$2,000\"\n");
  testing::WriteFile(dir.File("bad.csv"), "x_foo\nbar\n");
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", dir.File("bill.csv"),
                      dir.File("bad.csv"), "--skip-bad-files", "-q"})
                .exit_code,
            0);
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", dir.File("bill.csv"), "-q"}).exit_code,
            0);

  auto runs = RunTally({"--store", store, "ingests", "--format", "csv"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  // Newest first: run 2 replaced run 1's two rows; run 1 skipped the bad file.
  EXPECT_NE(runs.out.find("\n2,"), std::string::npos) << runs.out;
  EXPECT_NE(runs.out.find(",focus,1,0,2,2,"), std::string::npos) << runs.out;
  EXPECT_NE(runs.out.find(",focus,1,1,2,0,"), std::string::npos) << runs.out;

  auto errors = RunTally(
      {"--store", store, "diagnostics", "--ingest", "1", "--severity", "error", "--format", "csv"});
  ASSERT_EQ(errors.exit_code, 0) << errors.err;
  // The row rejected, and the file skipped with its reason.
  EXPECT_EQ(errors.out, "severity,file,line,column,reason\nerror," + dir.File("bill.csv") +
                            ",3,BilledCost,\"not a number: \"\"x\"\"\"\nerror," +
                            dir.File("bad.csv") + ",,,\"file skipped, none of its rows stored: " +
                            dir.File("bad.csv") +
                            ": missing mandatory FOCUS columns: none of BilledCost, "
                            "EffectiveCost, ListCost, ContractedCost (columns found: x_foo)\"\n");
  auto last =
      RunTally({"--store", store, "diagnostics", "--severity", "warning", "--format", "json"});
  EXPECT_NE(last.out.find("\"line\":4,\"column\":\"BilledCost\",\"reason\":\"formatted numbers"),
            std::string::npos)
      << last.out;
  auto unknown = RunTally({"--store", store, "diagnostics", "--ingest", "99"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no committed ingest run 99"), std::string::npos);
  EXPECT_EQ(RunTally({"--store", store, "diagnostics", "--severity", "fatal"}).exit_code, 2);
}

}  // namespace
}  // namespace tally
