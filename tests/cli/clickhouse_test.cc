// The same engine on ClickHouse (docs/store.md, "ClickHouse"): a real two-shard cluster from
// Debian's clickhouse-server on loopback (scripts/clickhouse-cluster.sh), against the embedded
// SQLite store on the same inputs. Every golden case, the demo platform and the FOCUS and CUR
// samples give byte-identical costs, showback, chargeback, reconcile, GPU and FOCUS export
// output on both; the cost lines and allocation rows are on both shards; re-ingesting changes
// nothing; a restated bill replaces its partition and a changed policy every allocated hour,
// exactly as on SQLite; bad URLs and a down server are clear errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "testing/process.h"
#include "testing/test_util.h"

namespace tally {
namespace {

namespace fs = std::filesystem;
using testing::RunTally;

std::string WithoutSecondField(const std::string& csv) {
  std::string out;
  for (size_t start = 0; start < csv.size();) {
    size_t end = csv.find('\n', start);
    if (end == std::string::npos) end = csv.size();
    const std::string line = csv.substr(start, end - start);
    const size_t first = line.find(','), second = line.find(',', first + 1);
    out += first == std::string::npos || second == std::string::npos
               ? line
               : line.substr(0, first) + line.substr(second);
    out += '\n';
    start = end + 1;
  }
  return out;
}

class ClickHouseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto started = testing::RunCommand(
        "/bin/bash", {std::string(TALLY_SOURCE_DIR) + "/scripts/clickhouse-cluster.sh", "start",
                      dir_->File("cluster"), "2"});
    ASSERT_EQ(started.exit_code, 0) << started.err << started.out;
    url_ = testing::ReadFile(dir_->File("cluster/url"));
    while (!url_.empty() && url_.back() == '\n') url_.pop_back();
  }
  static void TearDownTestSuite() {
    testing::RunCommand("/bin/bash",
                        {std::string(TALLY_SOURCE_DIR) + "/scripts/clickhouse-cluster.sh", "stop",
                         dir_->File("cluster")});
    delete dir_;
  }

  // A ClickHouse store of its own database and companion, named `name`.
  static std::string ClickHouse(const std::string& name) {
    const size_t slash = url_.rfind('/');
    const size_t question = url_.find('?', slash);
    return url_.substr(0, slash + 1) + name + url_.substr(question) +
           "&companion=" + dir_->File(name + ".companion.db");
  }
  static std::string Sqlite(const std::string& name) {
    return "sqlite:" + dir_->File(name + ".db");
  }

  // Runs `args` on both stores; both must succeed.
  static void Both(const std::string& name, const std::vector<std::string>& args) {
    for (const std::string& store : {Sqlite(name), ClickHouse(name)}) {
      std::vector<std::string> full = {"--store", store};
      full.insert(full.end(), args.begin(), args.end());
      auto r = RunTally(full);
      ASSERT_EQ(r.exit_code, 0) << store << ": " << r.err;
    }
  }

  // Runs every report on both stores and expects the same bytes (and some content).
  static void ExpectSameReports(const std::string& name, const std::string& config,
                                const std::vector<std::vector<std::string>>& reports) {
    for (std::vector<std::string> args : reports) {
      if (!config.empty() && args.size() > 1 && args[1] == "chargeback") {
        args.insert(args.end(), {"--config", config});
      }
      std::string label;
      for (const std::string& a : args) label += a + " ";
      std::vector<std::string> on_sqlite = {"--store", Sqlite(name)};
      std::vector<std::string> on_clickhouse = {"--store", ClickHouse(name)};
      on_sqlite.insert(on_sqlite.end(), args.begin(), args.end());
      on_clickhouse.insert(on_clickhouse.end(), args.begin(), args.end());
      auto a = RunTally(on_sqlite);
      auto b = RunTally(on_clickhouse);
      if (args[0] == "ingests") {  // the commit times are the clock's: the second field
        a.out = WithoutSecondField(a.out);
        b.out = WithoutSecondField(b.out);
      }
      EXPECT_EQ(a.exit_code, b.exit_code) << name << ": " << label << a.err << b.err;
      EXPECT_EQ(a.out, b.out) << name << ": " << label;
      EXPECT_EQ(a.err, b.err) << name << ": " << label;
      EXPECT_EQ(a.exit_code, 0) << name << ": " << label << a.err;
      EXPECT_GT(a.out.size(), 20u) << name << ": " << label << a.out;
    }
  }

  // count() of `table` on each shard, through its HTTP port.
  static std::vector<int64_t> RowsPerShard(const std::string& database,
                                           const std::string& table = "cost_lines_local") {
    std::vector<int64_t> out;
    const std::string hosts = url_.substr(13, url_.find('/', 13) - 13);
    for (size_t start = 0; start < hosts.size();) {
      const size_t comma = std::min(hosts.find(',', start), hosts.size());
      const std::string endpoint = hosts.substr(start, comma - start);
      const int port = std::stoi(endpoint.substr(endpoint.find(':') + 1));
      std::string body;
      EXPECT_EQ(testing::HttpGet(
                    port, "/?query=SELECT%20count()%20FROM%20" + database + "." + table, &body),
                200)
          << body;
      out.push_back(std::atoll(body.c_str()));
      start = comma + 1;
    }
    return out;
  }

  static testing::TempDir* dir_;
  static std::string url_;
};

testing::TempDir* ClickHouseTest::dir_ = nullptr;
std::string ClickHouseTest::url_;

const std::vector<std::vector<std::string>>& AllocationReports() {
  static const std::vector<std::vector<std::string>> reports = {
      {"report", "showback", "--by", "owner", "--format", "csv"},
      {"report", "showback", "--by", "consumer,resource,kind", "--format", "csv"},
      {"report", "chargeback", "--by", "owner", "--format", "csv"},
      {"reconcile", "--format", "csv"},
      {"report", "gpu", "--format", "json"},
      {"report", "export", "--format", "focus"},
      {"costs", "--by", "ServiceName", "--format", "csv"},
      {"costs", "--by", "ProviderName,ResourceId", "--step", "day", "--format", "csv"},
      {"costs", "--by", "ServiceName", "--step", "month", "--metric", "BilledCost", "--format",
       "csv"},
  };
  return reports;
}

TEST_F(ClickHouseTest, EveryGoldenCaseAndTheDemoReportTheSameOnBothBackends) {
  const fs::path root = fs::path(TALLY_SOURCE_DIR) / "tests" / "golden";
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const std::string name = "golden_" + std::to_string(cases++);
    const std::string in = entry.path().string();
    Both(name, {"ingest", "focus", in + "/bill.csv"});
    Both(name, {"ingest", "inventory", in + "/inventory.csv"});
    Both(name, {"ingest", "usage-csv", in + "/usage.csv"});
    Both(name, {"allocate", "--config", in + "/tally.yaml"});
    ExpectSameReports(name, in + "/tally.yaml", AllocationReports());
  }
  EXPECT_EQ(cases, 3);

  Both("demo", {"demo", "--out", dir_->File("demo"), "--start", "2026-10-01", "--load"});
  auto reports = AllocationReports();
  reports.push_back({"costs", "--by", "Tags.team", "--from", "2026-10-03T05:00:00Z", "--to",
                     "2026-10-20", "--format", "csv"});
  reports.push_back({"report", "showback", "--by", "day,owner", "--format", "csv"});
  reports.push_back({"recommend", "--no-save", "--format", "json"});
  ExpectSameReports("demo", dir_->File("demo/tally.yaml"), reports);
  // The allocation rows are on both shards (hours alternate).
  const std::vector<int64_t> rows = RowsPerShard("demo", "allocations_local");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_GT(rows[0], 100000);
  EXPECT_GT(rows[1], 100000);
  // Another policy re-allocates every hour: each hour's rows are replaced, on both backends
  // alike.
  const std::string changed = dir_->File("demo/changed.yaml");
  testing::WriteFile(changed,
                     testing::ReadFile(dir_->File("demo/tally.yaml")) + "idle: share-by-asset\n");
  Both("demo", {"allocate", "--config", changed});
  ExpectSameReports("demo", changed, AllocationReports());
}

TEST_F(ClickHouseTest, FocusAndCurSamplesCostTheSameAndSpreadOverBothShards) {
  const std::string data = testing::SharedDataDir() + "/billing";
  Both("samples", {"ingest", "auto", data + "/focus-spec-examples"});
  Both("samples", {"ingest", "aws-cur", data + "/aws-cur-legacy__koku/2023-06-01.csv"});
  Both("samples",
       {"ingest", "aws-cur",
        data + "/aws-cur-legacy__focus-converters/sample-anonymous-aws-export-dataset.csv"});
  const std::vector<std::vector<std::string>> reports = {
      {"costs", "--by", "ProviderName,BillingCurrency", "--format", "csv"},
      {"costs", "--by", "ServiceName,BillingAccountId", "--format", "csv"},
      {"costs", "--by", "ChargePeriodStart,ChargeCategory", "--format", "csv"},
      {"costs", "--by", "BillingPeriodStart", "--where", "ProviderName=AWS", "--format", "csv"},
      {"costs", "--by", "ServiceName", "--step", "hour", "--metric", "ListCost", "--format", "csv"},
      {"costs", "--by", "Tags.user_environment,x_lineItem_UsageType", "--format", "csv"},
      {"costs", "--by", "ServiceName", "--where", "Tags.nothing=", "--top", "3", "--format",
       "json"},
      {"ingests", "--format", "csv"},
      {"diagnostics", "--ingest", "1", "--format", "csv"},
  };
  ExpectSameReports("samples", "", reports);
  const std::vector<int64_t> rows = RowsPerShard("samples");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_GT(rows[0], 0);
  EXPECT_GT(rows[1], 0);
}

TEST_F(ClickHouseTest, ReingestingTheSameFilesChangesNothing) {
  const std::string bill = testing::SharedDataDir() +
                           "/billing/aws-cur-legacy__focus-converters/"
                           "sample-anonymous-aws-export-dataset.csv";
  Both("again", {"ingest", "aws-cur", bill});
  auto before = RunTally({"--store", ClickHouse("again"), "costs", "--by",
                          "ServiceName,ChargePeriodStart", "--format", "csv"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  Both("again", {"ingest", "aws-cur", bill});
  Both("again", {"ingest", "aws-cur", bill});
  auto after = RunTally({"--store", ClickHouse("again"), "costs", "--by",
                         "ServiceName,ChargePeriodStart", "--format", "csv"});
  EXPECT_EQ(before.out, after.out);
  ExpectSameReports(
      "again", "",
      {{"costs", "--by", "ServiceName", "--format", "csv"}, {"ingests", "--format", "csv"}});
}

TEST_F(ClickHouseTest, ARestatedBillReplacesItsPartitionAsOnSqlite) {
  const std::string header = testing::kFocusBillHeader;
  auto line = [](const char* account, const char* day, const char* cost, const char* service) {
    return std::string("2026-10-01,2026-11-01,2026-10-") + day + "T00:00:00Z,2026-10-" + day +
           "T01:00:00Z," + cost + "," + cost + ",USD,Cloud," + account + "," + service +
           ",Compute,Usage,vm-1,\"{\"\"team\"\":\"\"ads\"\"}\"\n";
  };
  testing::WriteFile(dir_->File("first.csv"), header + line("acct-a", "02", "10", "VM") +
                                                  line("acct-a", "03", "20", "VM") +
                                                  line("acct-b", "02", "7", "Disk"));
  // acct-a restated: one line, a different amount; acct-b not in the file, kept.
  testing::WriteFile(dir_->File("restated.csv"), header + line("acct-a", "02", "12.5", "VM"));
  Both("restated", {"ingest", "focus", dir_->File("first.csv")});
  Both("restated", {"ingest", "focus", dir_->File("restated.csv")});
  auto costs = RunTally({"--store", ClickHouse("restated"), "costs", "--by",
                         "BillingAccountId,ServiceName", "--format", "csv"});
  ASSERT_EQ(costs.exit_code, 0) << costs.err;
  EXPECT_EQ(costs.out,
            "BillingAccountId,ServiceName,EffectiveCost\nacct-a,VM,12.5\nacct-b,Disk,7\n");
  ExpectSameReports("restated", "",
                    {{"costs", "--by", "BillingAccountId,ChargePeriodStart", "--format", "csv"},
                     {"ingests", "--format", "csv"}});
}

TEST_F(ClickHouseTest, BadUrlsAndADownServerAreClearErrors) {
  const std::string bill = std::string(TALLY_SOURCE_DIR) + "/tests/golden/worked-example/bill.csv";
  struct Case {
    std::string url, says;
  };
  const int down = testing::FreePort();
  const std::vector<Case> cases = {
      {"clickhouse://127.0.0.1:" + std::to_string(down) + "/x?companion=" + dir_->File("x.db"),
       "clickhouse 127.0.0.1:" + std::to_string(down)},
      {"clickhouse://127.0.0.1:1/x?colour=blue", "unknown parameter \"colour\""},
      {"clickhouse://127.0.0.1/x", "is not HOST:PORT"},
      {"clickhouse://127.0.0.1:1,127.0.0.1:2/x", "name it with ?cluster=NAME"},
      {"clickhouse://127.0.0.1:1/bad-name", "is not a name"},
      // Three endpoints for the two shards of the cluster.
      {ClickHouse("three").replace(13, 0, url_.substr(13, url_.find(',') - 13) + ","),
       "has 2 shards and the URL lists 3 endpoints"},
  };
  for (const Case& c : cases) {
    auto r = RunTally({"--store", c.url, "ingest", "focus", bill});
    EXPECT_NE(r.exit_code, 0) << c.url;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.url << ": " << r.err;
  }
  // A report of a store never written: no store there, not a crash.
  auto r = RunTally({"--store", ClickHouse("never"), "costs"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  // The password is never printed.
  auto secret = RunTally({"--store",
                          "clickhouse://127.0.0.1:" + std::to_string(down) +
                              "/x?user=u&password=hunter2&companion=" + dir_->File("s.db"),
                          "ingest", "focus", bill});
  EXPECT_NE(secret.exit_code, 0);
  EXPECT_EQ(secret.err.find("hunter2"), std::string::npos) << secret.err;
}

}  // namespace
}  // namespace tally
