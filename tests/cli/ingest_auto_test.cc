// `tally ingest auto` over a tree of mixed files (issue 16): every bill is stored, every other
// file is named with what it looks like and the command that reads it, and the exit code says
// whether a bill failed. The bills are told apart here by their header's cost column, read with
// this test's own code.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/input_file.h"
#include "common/strings.h"
#include "testing/test_util.h"

namespace tally {
namespace {

namespace fs = std::filesystem;
using testing::RunTally;

// The first line of a file, decompressed.
std::string FirstLine(const std::string& path) {
  auto in = InputFile::Open(path);
  if (!in.ok()) return "";
  std::string head(4096, '\0');
  auto n = (*in)->Read(head.data(), head.size());
  head.resize(n.ok() ? *n : 0);
  return head.substr(0, head.find('\n'));
}

// A column name as letters and digits only, lower case; a translated Azure header keeps the
// English name in parentheses ("Kosten (PreTaxCost)").
std::string Normalized(std::string name) {
  const size_t open = name.rfind('('), close = name.rfind(')');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    name = name.substr(open + 1, close - open - 1);
  }
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(c));
  }
  return out;
}

// A bill names one of the cost columns of the formats tally reads.
bool LooksLikeABill(const std::string& path) {
  std::string line = FirstLine(path);
  if (line.starts_with("\xEF\xBB\xBF")) line = line.substr(3);
  const std::string lower = ToLower(line);
  std::istringstream fields(line);
  std::string field;
  while (std::getline(fields, field, ',')) {
    const std::string name = Normalized(field);
    for (const char* cost : {"billedcost", "effectivecost", "listcost", "contractedcost",
                             "lineitemunblendedcost", "costmycost", "costinbillingcurrency",
                             "pretaxcost"}) {
      if (name == cost) return true;
    }
    // GCP's export names its cost "cost" beside usage_start_time; Azure's "Cost" beside meters.
    if (name == "cost" && (lower.find("usage_start_time") != std::string::npos ||
                           lower.find("meter") != std::string::npos ||
                           lower.find("subscription") != std::string::npos)) {
      return true;
    }
  }
  return false;
}

// The paths of the lines "tally: ingest auto: PATH: not a bill: ..." of stderr.
std::set<std::string> Reported(const std::string& err) {
  std::set<std::string> out;
  std::istringstream lines(err);
  std::string line;
  const std::string prefix = "tally: ingest auto: ";
  while (std::getline(lines, line)) {
    const size_t end = line.find(": not a bill: ");
    if (line.starts_with(prefix) && end != std::string::npos) {
      out.insert(line.substr(prefix.size(), end - prefix.size()));
    }
  }
  return out;
}

// The files the last run read, from its "read as FORMAT" diagnostics.
std::set<std::string> Read(const std::string& store) {
  auto r = RunTally({"--store", store, "diagnostics", "--severity", "info", "--limit", "100000",
                     "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> out;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  for (const auto& row : doc["rows"]) {
    if (row["reason"].get<std::string>().starts_with("read as ")) {
      out.insert(row["file"].get<std::string>());
    }
  }
  return out;
}

TEST(IngestAutoTest, StoresEveryBillOfTheSamplesAndNamesEveryOtherFile) {
  testing::TempDir dir;
  const std::string billing = testing::SharedDataDir() + "/billing";
  auto r = RunTally({"--store", dir.File("t.db"), "ingest", "auto", billing});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // no bill failed
  const std::set<std::string> reported = Reported(r.err);
  const std::set<std::string> read = Read(dir.File("t.db"));
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(billing)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string path = entry.path().string();
    SCOPED_TRACE(path);
    // Each file once: stored, or named.
    EXPECT_NE(read.contains(path), reported.contains(path));
    EXPECT_EQ(read.contains(path), LooksLikeABill(path));
  }
  EXPECT_EQ(read.size() + reported.size(), files);
  EXPECT_NE(r.out.find("ingest auto: " + std::to_string(read.size()) + " files,"),
            std::string::npos)
      << r.out;
  // What the others look like, and the command that reads them where one does.
  EXPECT_NE(r.err.find("sample.parquet: not a bill: a Parquet file"), std::string::npos);
  EXPECT_NE(r.err.find("my-report-Manifest.json: not a bill: an AWS CUR manifest (it lists "
                       "report files); read it with: tally ingest aws-cur " +
                       billing + "/aws-cur-legacy__koku/test_local_bucket_prefix\n"),
            std::string::npos)
      << r.err;
  // Amounts of several currencies are each named, and never added.
  EXPECT_NE(r.out.find(" NOK, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(no currency)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(" + "), std::string::npos) << r.out;
}

TEST(IngestAutoTest, ABadBillFailsTheExitCodeButNotTheOtherBills) {
  testing::TempDir dir;
  const std::string data = testing::SharedDataDir();
  fs::create_directories(dir.File("in"));
  fs::copy_file(data + "/billing/aws-cur-legacy__koku/2023-06-01.csv", dir.File("in/good.csv"));
  // A gzip stream cut in half: the bill cannot be read to its end.
  std::string gz = testing::ReadFile(data + "/billing/aws-cur-legacy__koku/test_cur.csv.gz");
  testing::WriteFile(dir.File("in/cut.csv.gz"), gz.substr(0, gz.size() / 2));
  fs::copy_file(data + "/telemetry/kubernetes/datadog-integrations-core/ksm-standard-tags-gke.txt",
                dir.File("in/scrape.txt"));
  testing::WriteFile(dir.File("in/usage.csv"),
                     "start,end,consumer,asset,resource,request,usage,unit,labels\n");

  auto r = RunTally({"--store", dir.File("t.db"), "ingest", "auto", dir.File("in")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("ingest auto: failed: " + dir.File("in/cut.csv.gz")), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("scrape.txt: not a bill: a Kubernetes scrape (kube-state-metrics or "
                       "cAdvisor, Prometheus text); read it with: tally ingest kube-scrape " +
                       dir.File("in/scrape.txt")),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("usage.csv: not a bill: a usage CSV; read it with: tally ingest usage-csv"),
            std::string::npos)
      << r.err;
  // The good bill is stored; the cut one is in the log with its reason, and none of its rows.
  auto log = RunTally({"--store", dir.File("t.db"), "ingests", "--format", "json"});
  const nlohmann::json runs = nlohmann::json::parse(log.out);
  EXPECT_EQ(runs["rows"][0]["files"], 1) << log.out;
  EXPECT_EQ(runs["rows"][0]["skipped"], 1) << log.out;
  auto errors = RunTally({"--store", dir.File("t.db"), "diagnostics", "--severity", "error"});
  EXPECT_NE(errors.out.find("file skipped, none of its rows stored: " + dir.File("in/cut.csv.gz") +
                            ": truncated gzip stream"),
            std::string::npos)
      << errors.out;
  auto costs = RunTally({"--store", dir.File("t.db"), "costs", "--format", "csv"});
  EXPECT_NE(costs.out.find("EffectiveCost"), std::string::npos) << costs.out;
  EXPECT_NE(costs.out.find("\n"), costs.out.size() - 1) << "no rows: " << costs.out;

  // Nothing but other kinds: nothing stored, and it says why.
  fs::remove(dir.File("in/good.csv"));
  fs::remove(dir.File("in/cut.csv.gz"));
  auto none = RunTally({"--store", dir.File("n.db"), "ingest", "auto", dir.File("in")});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no bill among the 2 files"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace tally
