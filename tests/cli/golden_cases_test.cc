// Golden cases as data (tests/golden/<case>/, see its README): each case's inputs are ingested,
// allocated under its tally.yaml, and every report compared with its expected file. With
// TALLY_UPDATE_GOLDEN=1 the expected files are written instead, for review.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "testing/test_util.h"

namespace tally {
namespace {

namespace fs = std::filesystem;
using testing::RunTally;

struct Report {
  const char* file;
  std::vector<std::string> args;
};

const std::vector<Report>& Reports() {
  static const std::vector<Report> reports = {
      {"showback_by_owner.csv", {"report", "showback", "--by", "owner", "--format", "csv"}},
      {"showback_by_consumer_resource.csv",
       {"report", "showback", "--by", "consumer,resource,kind", "--format", "csv"}},
      {"reconcile.csv", {"reconcile", "--format", "csv"}},
      {"costs_by_service.csv", {"costs", "--by", "ServiceName", "--format", "csv"}},
      {"gpu.json", {"report", "gpu", "--format", "json"}},
  };
  return reports;
}

TEST(GoldenCasesTest, EveryCaseAnswersItsExpectedReports) {
  const fs::path root = fs::path(TALLY_SOURCE_DIR) / "tests" / "golden";
  const bool update = std::getenv("TALLY_UPDATE_GOLDEN") != nullptr;
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const fs::path dir = entry.path();
    SCOPED_TRACE(dir.filename().string());
    ++cases;
    testing::TempDir tmp;
    const std::string store = "sqlite:" + tmp.File("t.db");
    for (const auto& [format, file] : std::vector<std::pair<std::string, std::string>>{
             {"focus", "bill.csv"}, {"inventory", "inventory.csv"}, {"usage-csv", "usage.csv"}}) {
      auto r = RunTally({"--store", store, "ingest", format, (dir / file).string()});
      ASSERT_EQ(r.exit_code, 0) << file << ": " << r.err;
    }
    auto allocate =
        RunTally({"--store", store, "allocate", "--config", (dir / "tally.yaml").string()});
    ASSERT_EQ(allocate.exit_code, 0) << allocate.err;
    fs::create_directories(dir / "expected");
    for (const Report& report : Reports()) {
      std::vector<std::string> args = {"--store", store};
      args.insert(args.end(), report.args.begin(), report.args.end());
      auto r = RunTally(args);
      EXPECT_EQ(r.exit_code, 0) << report.file << ": " << r.err;  // reconcile: exact, or 1
      const fs::path expected = dir / "expected" / report.file;
      if (update) {
        testing::WriteFile(expected.string(), r.out);
      } else {
        ASSERT_TRUE(fs::exists(expected)) << expected << " is missing: TALLY_UPDATE_GOLDEN=1";
        EXPECT_EQ(r.out, testing::ReadFile(expected.string())) << report.file;
      }
    }
  }
  EXPECT_GE(cases, 3);
}

}  // namespace
}  // namespace tally
