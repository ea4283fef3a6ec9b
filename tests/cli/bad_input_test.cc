// Acceptance: each kind of bad input gets a clear one-line error naming the file and the
// problem, a non-zero exit, and leaves the store exactly as it was.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/store_snapshot.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;
using testing::StoreSnapshot;
using testing::TempDir;
using testing::WriteFile;

constexpr int kKept = 100;  // diagnostics stored per file, severity and column

constexpr char kGoodBill[] =
    "BillingAccountId,ProviderName,ServiceCategory,BillingPeriodStart,ChargePeriodStart,"
    "BilledCost,EffectiveCost,ListCost,ContractedCost\n"
    "111,AWS,Compute,2024-05-01,2024-05-01T00:00:00Z,1.5,1.25,2,1.75\n"
    "111,AWS,Storage,2024-05-01,2024-05-01T01:00:00Z,0.5,0.5,0.5,0.5\n";

// A bill for the same account and period as kGoodBill but other amounts, large enough that a
// truncated gzip of it breaks mid-stream.
std::string BigBill(int rows) {
  std::string s =
      "BillingAccountId,ProviderName,ServiceCategory,BillingPeriodStart,ChargePeriodStart,"
      "BilledCost,EffectiveCost,ListCost,ContractedCost,ResourceId\n";
  for (int i = 0; i < rows; ++i) {
    s += "111,AWS,Compute,2024-05-01,2024-05-01T0" + std::to_string(i % 10) + ":00:00Z,9,9,9,9,i-" +
         std::to_string(i) + "\n";
  }
  return s;
}

void WriteGzip(const std::string& path, const std::string& content) {
  gzFile gz = gzopen(path.c_str(), "wb");
  gzwrite(gz, content.data(), static_cast<unsigned>(content.size()));
  gzclose(gz);
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = "sqlite:" + dir_.File("t.db");
    WriteFile(dir_.File("good.csv"), kGoodBill);
    auto r = RunTally({"--store", store_, "ingest", "focus", dir_.File("good.csv")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    before_ = StoreSnapshot(store_);
    ASSERT_NE(before_.find("1.25"), std::string::npos);
  }

  // Ingests `paths`; expects a failure whose one-line message contains every `needles`. With
  // several files, the good files' warnings may come first; the error is the last line.
  void ExpectRefused(const std::vector<std::string>& paths,
                     const std::vector<std::string>& needles) {
    std::vector<std::string> args = {"--store", store_, "ingest", "focus"};
    args.insert(args.end(), paths.begin(), paths.end());
    auto r = RunTally(args);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    if (paths.size() == 1) {
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    ASSERT_FALSE(r.err.empty());
    size_t last = r.err.rfind('\n', r.err.size() - 2);
    std::string error = r.err.substr(last == std::string::npos ? 0 : last + 1);
    EXPECT_EQ(error.rfind("tally: ingest focus: ", 0), 0u) << r.err;
    EXPECT_NE(error.find("(nothing was stored)"), std::string::npos) << r.err;
    for (const std::string& needle : needles)
      EXPECT_NE(error.find(needle), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(StoreSnapshot(store_), before_);
  }

  TempDir dir_;
  std::string store_;
  std::string before_;
};

TEST_F(BadInputTest, MissingFile) {
  ExpectRefused({dir_.File("nope.csv")}, {"nope.csv", "no such file"});
}

TEST_F(BadInputTest, TruncatedGzip) {
  std::string gz_path = dir_.File("whole.csv.gz");
  WriteGzip(gz_path, BigBill(200000));
  std::string gz = testing::ReadFile(gz_path);
  WriteFile(dir_.File("cut.csv.gz"), gz.substr(0, gz.size() / 2));
  ExpectRefused({dir_.File("cut.csv.gz")}, {"cut.csv.gz", "truncated gzip"});
}

TEST_F(BadInputTest, UnreadableGzip) {
  WriteFile(dir_.File("junk.csv.gz"), std::string("\x1f\x8b\x08\x00garbage-not-deflate", 22));
  ExpectRefused({dir_.File("junk.csv.gz")}, {"junk.csv.gz", "gzip"});
}

TEST_F(BadInputTest, BinaryFileIsNotCsv) {
  WriteFile(dir_.File("image.csv"), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", 18));
  ExpectRefused({dir_.File("image.csv")}, {"image.csv", "not a CSV file"});
}

TEST_F(BadInputTest, JsonFileIsNotFocus) {
  WriteFile(dir_.File("doc.csv"), "{\"rows\": [1, 2, 3]}\n");
  ExpectRefused({dir_.File("doc.csv")}, {"doc.csv", "missing mandatory FOCUS columns"});
}

TEST_F(BadInputTest, MissingMandatoryColumns) {
  ExpectRefused({testing::SharedDataDir() + "/billing/focus-validator/all_fail.csv"},
                {"all_fail.csv", "missing mandatory FOCUS columns", "x_foo"});
}

TEST_F(BadInputTest, UnterminatedQuote) {
  WriteFile(dir_.File("cut.csv"), std::string(kGoodBill) + "111,AWS,\"Compute\n");
  ExpectRefused({dir_.File("cut.csv")}, {"cut.csv", "unterminated quoted field"});
}

TEST_F(BadInputTest, EmptyFile) {
  WriteFile(dir_.File("empty.csv"), "");
  ExpectRefused({dir_.File("empty.csv")}, {"empty.csv", "empty file"});
}

TEST_F(BadInputTest, OneBadFileFailsTheWholeRun) {
  // The good file would replace the stored period; the bad one after it must undo that too.
  WriteFile(dir_.File("newer.csv"), BigBill(10));
  WriteFile(dir_.File("bad.csv"), "x_foo\nbar\n");
  ExpectRefused({dir_.File("newer.csv"), dir_.File("bad.csv")}, {"bad.csv"});
}

TEST_F(BadInputTest, KillMidIngestLeavesThePreviousState) {
  std::string big = dir_.File("big.csv");
  WriteFile(big, BigBill(1500000));
  std::string wal = dir_.File("t.db-wal");
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(testing::TallyBinary(), "tally", "--store", store_.c_str(), "ingest", "focus",
          big.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until the ingest is writing (its WAL grows past 4 MiB), then kill it hard.
  bool writing = false;
  int status = 0;
  while (!writing) {
    struct stat st;
    writing = stat(wal.c_str(), &st) == 0 && st.st_size > (4 << 20);
    if (waitpid(pid, &status, WNOHANG) == pid) break;  // finished first: the test is void
  }
  ASSERT_TRUE(writing) << "the ingest ended before it could be killed";
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(StoreSnapshot(store_), before_);
  // And the store still works: a new ingest replaces the period as usual.
  WriteFile(dir_.File("small.csv"), BigBill(3));
  auto r = RunTally({"--store", store_, "ingest", "focus", dir_.File("small.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto total = RunTally({"--store", store_, "costs", "--format", "json"});
  EXPECT_EQ(total.out, "{\"rows\":[{\"EffectiveCost\":\"27\"}],\"total\":\"27\",\"totals\":{\"(none)\":\"27\"}}\n");
}

// A file cut off inside its last row (a copy stopped early, `head -c`): the row has fewer fields
// than the header and no line break, and its last field may be cut too (1.3310487986 read as
// "1."). The file is truncated, plain or gzipped, and nothing is stored.
TEST_F(BadInputTest, ARowCutOffAtTheEndIsATruncatedFile) {
  const std::string cut =
      "BillingAccountId,ProviderName,ServiceCategory,BillingPeriodStart,ChargePeriodStart,"
      "BilledCost,EffectiveCost,ListCost,ContractedCost\n"
      "111,AWS,Compute,2024-05-01,2024-05-01T00:00:00Z,7,7,7,7\n"
      "111,AWS,Compute,2024-05-01,2024-05-01T01:00:00Z,1.3310487986,1.";
  WriteFile(dir_.File("cut.csv"), cut);
  ExpectRefused({dir_.File("cut.csv")},
                {"cut.csv: line 3: truncated file", "7 of the header's 9 fields"});
  WriteGzip(dir_.File("cut.csv.gz"), cut);  // a gzip of a cut stream: the gzip itself is whole
  ExpectRefused({dir_.File("cut.csv.gz")}, {"cut.csv.gz: line 3: truncated file"});
}

// A whole last row without a line break is just a file without a final newline.
TEST_F(BadInputTest, ALastRowWithoutLineBreakIsReadWhenWhole) {
  WriteFile(dir_.File("whole.csv"),
            "BillingAccountId,ProviderName,ServiceCategory,BillingPeriodStart,ChargePeriodStart,"
            "BilledCost,EffectiveCost,ListCost,ContractedCost\n"
            "111,AWS,Compute,2024-05-01,2024-05-01T00:00:00Z,7,7,7,1.3310487986");
  auto r = RunTally({"--store", store_, "ingest", "focus", dir_.File("whole.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::CostsCsv(store_, "ContractedCost"), "ContractedCost\n1.3310487986\n");
}

// A short row inside the file that lacks a money column is rejected, not stored with a null
// (which would alter the bill); a short row whose missing fields are not numbers is read.
TEST_F(BadInputTest, AShortRowThatLosesMoneyIsRejected) {
  WriteFile(dir_.File("short.csv"),
            "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,EffectiveCost,"
            "ServiceName\n"
            "111,AWS,2024-05-01,2024-05-01T00:00:00Z,5,EC2\n"
            "111,AWS,2024-05-01,2024-05-01T01:00:00Z\n"
            "111,AWS,2024-05-01,2024-05-01T02:00:00Z,3\n");
  auto r = RunTally({"--store", store_, "ingest", "focus", dir_.File("short.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 rows stored, 1 rows rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("short.csv: line 3: EffectiveCost: row has 4 fields; the header has 6: "
                       "this number column is missing"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(testing::CostsCsv(store_, "EffectiveCost"), "EffectiveCost\n8\n");
}

// A run whose every row was rejected did not do what was asked: exit 1 (the problems are
// stored for `tally diagnostics`).
TEST_F(BadInputTest, ARunThatRejectsEveryRowFails) {
  WriteFile(dir_.File("junk.csv"),
            "BillingAccountId,ChargePeriodStart,EffectiveCost\n1,2024-05-01,abc\n2,2024-05-01,x\n");
  auto r = RunTally({"--store", store_, "ingest", "focus", dir_.File("junk.csv")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("every row was rejected"), std::string::npos) << r.err;
  EXPECT_EQ(StoreSnapshot(store_), before_);
}

// Rows of junk store a bounded number of diagnostics, however many there are, and the run's
// memory stays bounded: 2,000,000 rejected rows (the old reader kept every diagnostic in memory,
// gigabytes) in under 300 MB.
TEST_F(BadInputTest, JunkRowsKeepMemoryAndDiagnosticsBounded) {
  std::string junk =
      "BillingAccountId,ProviderName,ServiceCategory,BillingPeriodStart,ChargePeriodStart,"
      "BilledCost,EffectiveCost,ListCost,ContractedCost\n";
  const std::string row = "garbage,not-a-number,zzz,2024-99-99\n";
  junk.reserve(junk.size() + row.size() * 2'000'000);
  for (int i = 0; i < 2'000'000; ++i) junk += row;
  WriteGzip(dir_.File("junk.csv.gz"), junk);
  junk.clear();
  junk.shrink_to_fit();
  auto r = testing::RunTallyMeasured({"--store", store_, "ingest", "focus", dir_.File("junk.csv.gz")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("0 rows stored, 2000000 rows rejected"), std::string::npos) << r.out;
  EXPECT_GT(r.peak_rss_kib, 0);
  EXPECT_LT(r.peak_rss_kib, 300 * 1024) << "peak RSS in KiB";
  std::printf("junk ingest: peak RSS %lld KiB\n", static_cast<long long>(r.peak_rss_kib));
  std::fflush(stdout);  // a forked child would print what is still buffered
  auto diagnostics = RunTally({"--store", store_, "diagnostics", "--format", "csv"});
  ASSERT_EQ(diagnostics.exit_code, 0) << diagnostics.err;
  const auto lines = std::count(diagnostics.out.begin(), diagnostics.out.end(), '\n');
  // The header line, two warnings (absent FOCUS columns, short rows), the first rejections and
  // one summary of the rest.
  EXPECT_EQ(lines, 1 + 2 + kKept + 1) << diagnostics.out.substr(0, 2000);
  EXPECT_NE(diagnostics.out.find("1999900 more rows rejected in this column (the first 100 are "
                                 "stored; 2000000 in all)"),
            std::string::npos)
      << diagnostics.out.substr(0, 2000);
}

// Bytes that are not UTF-8 (a Latin-1 "ü") are stored as U+FFFD, with a warning, so that every
// report and the API print valid text.
TEST_F(BadInputTest, InvalidUtf8IsRepairedWithAWarning) {
  WriteFile(dir_.File("latin1.csv"),
            "BillingAccountId,ChargePeriodStart,EffectiveCost,ServiceName\n"
            "111,2024-05-01T00:00:00Z,2,Z\xFCrich DB\n");
  auto r = RunTally({"--store", store_, "ingest", "focus", dir_.File("latin1.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("latin1.csv: line 2: not valid UTF-8"), std::string::npos) << r.err;
  EXPECT_EQ(testing::CostsCsv(store_, "EffectiveCost", "ServiceName"),
            "ServiceName,EffectiveCost\nZ\xEF\xBF\xBDrich DB,2\n,1.75\n");
}

TEST_F(BadInputTest, DirectoryWithoutCsvFiles) {
  std::filesystem::create_directory(dir_.File("empty-export"));
  ExpectRefused({dir_.File("empty-export")}, {"empty-export", "no .csv or .csv.gz files"});
}

TEST(CostsUsageTest, QueryingAStoreThatDoesNotExistIsAnError) {
  TempDir dir;
  auto r = RunTally({"--store", "sqlite:" + dir.File("typo.db"), "costs"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no store at sqlite:"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("typo.db")));
}

TEST(CostsUsageTest, AMistypedColumnIsFlagged) {
  TempDir dir;
  std::string store = "sqlite:" + dir.File("t.db");
  WriteFile(dir.File("bill.csv"), "BillingAccountId,EffectiveCost,x_Team\nA,1,search\n");
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", dir.File("bill.csv")}).exit_code, 0);
  auto typo = RunTally({"--store", store, "costs", "--by", "ServiceCategry", "--format", "csv"});
  EXPECT_EQ(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("no ingested file has a column named \"ServiceCategry\""),
            std::string::npos)
      << typo.err;
  auto extra = RunTally({"--store", store, "costs", "--by", "x_Team", "--format", "csv"});
  EXPECT_TRUE(extra.err.empty()) << extra.err;
  EXPECT_EQ(extra.out, "x_Team,EffectiveCost\nsearch,1\n");
  // An empty window says nothing about which columns exist: no warning.
  auto empty = RunTally({"--store", store, "costs", "--by", "x_Team", "--from", "2030-01-01"});
  EXPECT_TRUE(empty.err.empty()) << empty.err;
}

TEST(CostsUsageTest, MixedCurrenciesAreFlagged) {
  TempDir dir;
  std::string store = "sqlite:" + dir.File("t.db");
  WriteFile(dir.File("bill.csv"),
            "BillingAccountId,BillingCurrency,BillingPeriodStart,EffectiveCost\n"
            "A,USD,2024-05-01,1\nB,EUR,2024-05-01,2\n");
  ASSERT_EQ(RunTally({"--store", store, "ingest", "focus", dir.File("bill.csv")}).exit_code, 0);
  auto mixed = RunTally({"--store", store, "costs"});
  EXPECT_EQ(mixed.exit_code, 0);
  EXPECT_NE(mixed.err.find("2 currencies (EUR, USD)"), std::string::npos) << mixed.err;
  auto apart = RunTally({"--store", store, "costs", "--by", "BillingCurrency", "--format", "csv"});
  EXPECT_TRUE(apart.err.empty()) << apart.err;
  EXPECT_EQ(apart.out, "BillingCurrency,EffectiveCost\nEUR,2\nUSD,1\n");
}

TEST(CostsUsageTest, BadArgumentsExitWithUsageErrors) {
  TempDir dir;
  std::string store = "sqlite:" + dir.File("t.db");
  auto metric = RunTally({"--store", store, "costs", "--metric", "Price"});
  EXPECT_EQ(metric.exit_code, 2);
  EXPECT_NE(metric.err.find("unknown metric"), std::string::npos);
  auto by = RunTally({"--store", store, "costs", "--by", "BilledCost"});
  EXPECT_EQ(by.exit_code, 2);
  EXPECT_NE(by.err.find("is a metric"), std::string::npos);
  auto format = RunTally({"--store", store, "costs", "--format", "xml"});
  EXPECT_EQ(format.exit_code, 2);
  auto window = RunTally({"--store", store, "costs", "--from", "2024-05-02", "--to", "2024-05-01"});
  EXPECT_EQ(window.exit_code, 2);
  auto date = RunTally({"--store", store, "costs", "--from", "May 1"});
  EXPECT_EQ(date.exit_code, 2);
  EXPECT_NE(date.err.find("--from: not a timestamp"), std::string::npos);
  auto none = RunTally({});
  EXPECT_EQ(none.exit_code, 2);
  auto help = RunTally({"ingest", "focus", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--skip-bad-files"), std::string::npos);
  auto store_url = RunTally({"--store", "mysql://x", "costs"});
  EXPECT_EQ(store_url.exit_code, 1);
  EXPECT_NE(store_url.err.find("unknown store"), std::string::npos);
}

}  // namespace
}  // namespace tally
