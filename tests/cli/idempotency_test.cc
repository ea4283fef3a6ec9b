// Acceptance: ingesting a file twice leaves every total unchanged.
#include <gtest/gtest.h>
#include <zlib.h>

#include "cli/store_snapshot.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;
using testing::StoreSnapshot;
using testing::TempDir;

TEST(IdempotencyTest, IngestingTheSameFilesTwiceChangesNoTotal) {
  TempDir dir;
  std::string store = "sqlite:" + dir.File("t.db");
  std::string samples = testing::SharedDataDir() + "/billing/focus-spec-examples";
  auto first = RunTally({"--store", store, "ingest", "focus", samples});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string after_first = StoreSnapshot(store);
  auto second = RunTally({"--store", store, "ingest", "focus", samples});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("replacing"), std::string::npos) << second.out;
  EXPECT_EQ(StoreSnapshot(store), after_first);
}

TEST(IdempotencyTest, IngestingOneFileTwiceChangesNoTotal) {
  TempDir dir;
  std::string store = "sqlite:" + dir.File("t.db");
  std::string file = testing::SharedDataDir() +
                     "/billing/focus-spec-examples/saas_examples/spend_agreements/"
                     "saas_spend_agreements_b2.csv";
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", file}).exit_code, 0);
  std::string after_first = StoreSnapshot(store);
  auto second = RunTally({"--store", store, "ingest", "focus", file});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("files left out"), std::string::npos) << second.err;
  EXPECT_EQ(StoreSnapshot(store), after_first);
}

TEST(IdempotencyTest, ReingestingPartOfAMultiFileExportSaysWhatItReplaces) {
  // The spend-agreement examples share one billing account and its periods: to tally they are
  // files of one export. Read alone, one of them replaces those periods, and tally says so.
  TempDir dir;
  std::string store = "sqlite:" + dir.File("t.db");
  std::string folder =
      testing::SharedDataDir() + "/billing/focus-spec-examples/saas_examples/spend_agreements";
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", folder}).exit_code, 0);
  auto one =
      RunTally({"--store", store, "ingest", "focus", folder + "/saas_spend_agreements_b2.csv"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(
      one.err.find("Acme Co/000-00-000/2025-04-01 was stored from 4 files and this run read 1"),
      std::string::npos)
      << one.err;
}

TEST(IdempotencyTest, GzipAndPlainCopiesOfAnExportAreTheSameExport) {
  TempDir dir;
  std::string store = "sqlite:" + dir.File("t.db");
  std::string bill =
      "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,EffectiveCost\n"
      "7,GCP,2024-01-01,2024-01-03,5.5\n";
  testing::WriteFile(dir.File("a.csv"), bill);
  gzFile gz = gzopen(dir.File("a.csv.gz").c_str(), "wb");
  gzwrite(gz, bill.data(), static_cast<unsigned>(bill.size()));
  gzclose(gz);
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", dir.File("a.csv")}).exit_code, 0);
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", dir.File("a.csv.gz")}).exit_code, 0);
  auto total = RunTally({"--store", store, "costs", "--format", "json"});
  EXPECT_EQ(total.out,
            "{\"rows\":[{\"EffectiveCost\":\"5.5\"}],\"total\":\"5.5\",\"totals\":{\"(none)\":\"5.5\"}}\n");
}

}  // namespace
}  // namespace tally
