// tally collect prometheus against a real Prometheus (Debian's package): a week of synthetic
// cluster metrics with a known truth is backfilled with promtool, Prometheus serves it on a
// free loopback port, and tally's per-container core-hours and GiB-hours must match the truth.
// A fault-injecting proxy in front of it plays a dead, slow, erroring or flaky Prometheus.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "collect/prometheus/kube_collector.h"
#include "demo/kube_metrics_gen.h"
#include "report/usage_report.h"
#include "tally/store.h"
#include "testing/process.h"

namespace tally {
namespace {

using testing::ChildProcess;
using testing::CommandResult;
using testing::FreePort;
using testing::RunTally;
using testing::TempDir;

constexpr int kHours = 168;

std::string Text(Timestamp t) { return t.ToString(); }

double Relative(Decimal got, Decimal want) {
  const double w = std::stod(want.ToString()), g = std::stod(got.ToString());
  return w == 0 ? std::abs(g) : std::abs(g - w) / std::abs(w);
}

// One Prometheus over a backfilled week, shared by every test of the suite.
class PrometheusCollectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const int64_t now = std::time(nullptr);
    // Eight days back: inside Prometheus's retention, and every hour has ended.
    start_ = Timestamp::FromUnixSeconds(now - 8 * 86400).StartOfHour();
    KubeSimOptions sim;
    sim.start = start_;
    sim.hours = kHours;
    sim.containers = 24;
    sim.interval_seconds = 300;
    truth_ = new KubeTruth();
    const std::string metrics = dir_->File("metrics.om");
    std::FILE* f = std::fopen(metrics.c_str(), "w");
    ASSERT_NE(f, nullptr);
    ASSERT_TRUE(WriteKubeOpenMetrics(sim, f, truth_).ok());
    ASSERT_EQ(std::fclose(f), 0);
    const std::string tsdb = dir_->File("tsdb");
    CommandResult backfill = testing::RunCommand(
        "/usr/bin/promtool", {"tsdb", "create-blocks-from", "openmetrics", metrics, tsdb});
    ASSERT_EQ(backfill.exit_code, 0) << backfill.out << backfill.err;
    testing::WriteFile(dir_->File("prometheus.yml"), "global:\n  scrape_interval: 1m\n");
    port_ = FreePort();
    prometheus_ =
        new ChildProcess("/usr/bin/prometheus",
                         {"--config.file=" + dir_->File("prometheus.yml"),
                          "--storage.tsdb.path=" + tsdb, "--storage.tsdb.retention.time=10y",
                          "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                         dir_->File("prometheus.log"));
    ASSERT_TRUE(testing::WaitForHttp(port_, "/-/ready", 60))
        << testing::ReadFile(dir_->File("prometheus.log"));
  }
  static void TearDownTestSuite() {
    delete prometheus_;
    delete truth_;
    delete dir_;
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  Timestamp Hour(int h) const {
    return Timestamp::FromUnixSeconds(start_.unix_seconds() + h * 3600);
  }

  CommandResult Collect(const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "--store", store_.File("t.db"), "collect", "prometheus", "--url",
        url,       "--source",          "prom",    "--backoff",  "0.05"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunTally(args);
  }

  // `tally serve` on this test's store with its tally.yaml, once it answers.
  std::unique_ptr<ChildProcess> Serve(int* port, std::vector<std::string> extra = {}) {
    *port = FreePort();
    std::vector<std::string> args = {"--store",
                                     store_.File("t.db"),
                                     "serve",
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(*port),
                                     "--config",
                                     store_.File("tally.yaml")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto serve =
        std::make_unique<ChildProcess>(testing::TallyBinary(), args, store_.File("serve.log"));
    EXPECT_TRUE(testing::WaitForHttp(*port, "/readyz", 30));
    return serve;
  }

  int64_t CompleteHours() {
    auto store = OpenStore(store_.File("t.db"), OpenMode::kMustExist);
    if (!store.ok()) return -1;
    auto hours = (*store)->CompleteUsageHours("prom", TimeWindow{Hour(-100), Hour(kHours + 100)});
    return hours.ok() ? static_cast<int64_t>(hours->size()) : -1;
  }

  // Every container's request and usage of cpu and memory equal the truth within 1%.
  void ExpectMatchesTruth() {
    auto store = OpenStore(store_.File("t.db"), OpenMode::kMustExist);
    ASSERT_TRUE(store.ok()) << store.status().message();
    UsageQuery query;
    query.group_by.push_back(*UsageGroupKey::Parse("consumer"));
    auto table = QueryUsage(**store, query);
    ASSERT_TRUE(table.ok()) << table.status().message();
    size_t matched = 0;
    double worst = 0;
    for (const UsageRow& row : table->rows) {
      auto it = truth_->totals.find({row.keys[0], row.keys[1]});
      ASSERT_NE(it, truth_->totals.end()) << "unexpected consumer " << row.keys[0];
      const double req = Relative(row.request, it->second.request);
      const double use = Relative(row.usage, it->second.usage);
      EXPECT_LT(req, 0.01) << row.keys[0] << " " << row.keys[1] << " request "
                           << row.request.ToString() << " vs " << it->second.request.ToString();
      EXPECT_LT(use, 0.01) << row.keys[0] << " " << row.keys[1] << " usage " << row.usage.ToString()
                           << " vs " << it->second.usage.ToString();
      worst = std::max({worst, req, use});
      ++matched;
    }
    EXPECT_EQ(matched, truth_->totals.size());
    std::printf(
        "compared %zu container-resource totals with the truth; worst relative error %.2e\n",
        matched, worst);
  }

  static TempDir* dir_;
  static KubeTruth* truth_;
  static ChildProcess* prometheus_;
  static Timestamp start_;
  static int port_;
  TempDir store_;
};

TempDir* PrometheusCollectTest::dir_ = nullptr;
KubeTruth* PrometheusCollectTest::truth_ = nullptr;
ChildProcess* PrometheusCollectTest::prometheus_ = nullptr;
Timestamp PrometheusCollectTest::start_;
int PrometheusCollectTest::port_ = 0;

// Sits in front of the real Prometheus and misbehaves on demand.
class FaultProxy {
 public:
  // kNaN answers every series' first point as NaN (and counts them in nan_points()).
  enum class Mode { kPass, kFailAll, kSlow, kFailFirstAttempts, kFailAfter, kNaN };
  explicit FaultProxy(int upstream) : upstream_(upstream) {
    server_.Post("/api/v1/query_range", [this](const httplib::Request& req,
                                               httplib::Response& res) {
      const int n = ++requests_;
      const bool fail = mode_ == Mode::kFailAll || (mode_ == Mode::kFailAfter && n > fail_after_) ||
                        (mode_ == Mode::kFailFirstAttempts && FirstTime(req.body));
      if (fail) {
        res.status = 503;
        res.set_content(R"({"status":"error","errorType":"unavailable","error":"injected"})",
                        "application/json");
        return;
      }
      if (mode_ == Mode::kSlow) std::this_thread::sleep_for(std::chrono::seconds(3));
      httplib::Client upstream("127.0.0.1", upstream_);
      auto answer =
          upstream.Post("/api/v1/query_range", req.body, "application/x-www-form-urlencoded");
      if (!answer) {
        res.status = 502;
        return;
      }
      res.status = answer->status;
      if (mode_ == Mode::kNaN) {
        nlohmann::json body = nlohmann::json::parse(answer->body);
        for (auto& series : body["data"]["result"]) {
          if (series["values"].empty()) continue;
          series["values"][0][1] = "NaN";
          ++nan_points_;
        }
        res.set_content(body.dump(), "application/json");
        return;
      }
      res.set_content(answer->body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FaultProxy() {
    server_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int64_t nan_points() const { return nan_points_; }
  void SetMode(Mode mode, int fail_after = 0) {
    mode_ = mode;
    fail_after_ = fail_after;
    requests_ = 0;
  }

 private:
  int upstream_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<Mode> mode_{Mode::kPass};
  std::atomic<int> requests_{0};
  std::atomic<int64_t> nan_points_{0};
  int fail_after_ = 0;
  bool FirstTime(const std::string& body) {
    std::lock_guard lock(mu_);  // handlers run on the server's threads
    return seen_.insert(body).second;
  }
  std::mutex mu_;
  std::set<std::string> seen_;
};

TEST_F(PrometheusCollectTest, WeekOfContainersMatchesTheTruth) {
  CommandResult r = Collect(Url(), {"--from", Text(Hour(0)), "--to", Text(Hour(kHours))});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("168 hours in 7 chunks"), std::string::npos) << r.out;
  EXPECT_EQ(CompleteHours(), kHours);
  ExpectMatchesTruth();

  // Nodes and owners came along: every fact names a node, and pods their team label.
  auto store = OpenStore(store_.File("t.db"), OpenMode::kMustExist);
  UsageQuery by_node;
  by_node.group_by.push_back(*UsageGroupKey::Parse("node"));
  by_node.group_by.push_back(*UsageGroupKey::Parse("label.team"));
  auto table = QueryUsage(**store, by_node);
  ASSERT_TRUE(table.ok());
  for (const UsageRow& row : table->rows) {
    EXPECT_TRUE(row.keys[0].starts_with("node-")) << row.keys[0];
    EXPECT_TRUE(row.keys[1].starts_with("team-")) << row.keys[1];
  }
}

TEST_F(PrometheusCollectTest, ResumingNeitherSkipsNorDoubleCounts) {
  CommandResult first = Collect(Url(), {"--from", Text(Hour(0)), "--to", Text(Hour(60))});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(CompleteHours(), 60);
  // No --from: resumes at the source's hours and collects only what is missing.
  CommandResult second = Collect(Url(), {"--to", Text(Hour(kHours))});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("108 hours"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("(60 hours already complete)"), std::string::npos) << second.out;
  CommandResult third = Collect(Url(), {"--to", Text(Hour(kHours))});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find(": 0 hours in 0 chunks"), std::string::npos) << third.out;
  EXPECT_EQ(CompleteHours(), kHours);
  ExpectMatchesTruth();
}

// A FOCUS bill of $1 an hour for each of the simulated cluster's three nodes over the week.
std::string WeekOfNodeBills(Timestamp start) {
  const std::string from = start.ToString();
  const std::string to =
      Timestamp::FromUnixSeconds(start.unix_seconds() + kHours * 3600).ToString();
  std::string csv =
      "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
      "EffectiveCost,BillingCurrency,ProviderName,BillingAccountId,ServiceName,ServiceCategory,"
      "ChargeCategory,ResourceId\n";
  for (int n = 0; n < 3; ++n) {
    csv += from + "," + to + "," + from + "," + to +
           ",168,168,USD,Cloud,acct,Compute,Compute,Usage,node-" + std::to_string(n) + "\n";
  }
  return csv;
}

nlohmann::json ApiData(int port, const std::string& path) {
  std::string body;
  if (testing::HttpGet(port, path, &body) != 200) return nullptr;
  return nlohmann::json::parse(body, nullptr, false)["data"];
}

// tally serve collects the sources of tally.yaml on its own and allocates the new hours: with
// a bill in the store and nothing else run, the API ends up showing the week collected and
// the whole bill allocated, reconciled to zero.
TEST_F(PrometheusCollectTest, ServeCollectsConfiguredSourcesAndAllocates) {
  testing::WriteFile(store_.File("bill.csv"), WeekOfNodeBills(Hour(0)));
  auto ingest =
      RunTally({"--store", store_.File("t.db"), "ingest", "focus", store_.File("bill.csv")});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  testing::WriteFile(store_.File("tally.yaml"), "sources:\n  - name: prom\n    url: " + Url() +
                                                    "\n    every: 1h\n    lookback_hours: 200\n");
  int port = 0;
  auto serve = Serve(&port, {"--allocate-check", "0.2"});
  nlohmann::json total;
  for (int i = 0; i < 600; ++i) {  // collection of 200 hours and allocation: seconds
    const nlohmann::json reconcile = ApiData(port, "/api/v1/reconcile");
    if (reconcile.is_object() && !reconcile["rows"].empty()) {
      total = reconcile["rows"].back();
      if (total["bill"] == "504") break;  // every hour allocated (commits come a day at a time)
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(total.is_object()) << testing::ReadFile(store_.File("serve.log"));
  EXPECT_EQ(total["bill"], "504");
  EXPECT_EQ(total["difference"], "0");
  EXPECT_NE(total["allocated"], "0");
  EXPECT_EQ(*Decimal::Parse(total["allocated"].get<std::string>()) +
                *Decimal::Parse(total["idle"].get<std::string>()) +
                *Decimal::Parse(total["unallocated"].get<std::string>()),
            *Decimal::Parse("504"));
  EXPECT_EQ(CompleteHours(), 200);
  ExpectMatchesTruth();
  const nlohmann::json sources = ApiData(port, "/api/v1/sources");
  ASSERT_EQ(sources["usage"].size(), 1u);
  EXPECT_EQ(sources["usage"][0]["name"], "prom");
  EXPECT_EQ(sources["usage"][0]["last_error"], "");
  const std::string log = testing::ReadFile(store_.File("serve.log"));
  EXPECT_NE(log.find("collect prom: 200 hours"), std::string::npos) << log;
  EXPECT_NE(log.find("allocate: "), std::string::npos) << log;
  EXPECT_EQ(serve->Stop(), 0) << log;
}

// A source that cannot be reached is reported on the sources page, and the server goes on.
TEST_F(PrometheusCollectTest, ServeReportsAFailingSourceAndKeepsServing) {
  testing::WriteFile(store_.File("tally.yaml"),
                     "sources:\n  - name: gone\n    url: http://127.0.0.1:" +
                         std::to_string(FreePort()) + "\n    every: 1h\n    retries: 1\n");
  int port = 0;
  auto serve = Serve(&port);
  std::string error;
  for (int i = 0; i < 150 && error.empty(); ++i) {
    const nlohmann::json sources = ApiData(port, "/api/v1/sources");
    if (sources.is_object() && !sources["usage"].empty()) {
      error = sources["usage"][0]["last_error"].get<std::string>();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(error.find("Couldn't connect"), std::string::npos) << error;
  EXPECT_TRUE(testing::WaitForHttp(port, "/api/v1/reconcile", 5));
  EXPECT_EQ(serve->Stop(), 0);
}

TEST_F(PrometheusCollectTest, DeadPrometheusFailsClearlyAndStoresNothing) {
  const int dead = FreePort();
  CommandResult r = Collect("http://127.0.0.1:" + std::to_string(dead),
                            {"--from", Text(Hour(0)), "--to", Text(Hour(24)), "--retries", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("retry 1 of 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gave up after 3 attempts"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Couldn't connect"), std::string::npos) << r.err;
  EXPECT_EQ(CompleteHours(), 0);
}

TEST_F(PrometheusCollectTest, ErroringAndSlowPrometheusFailClearly) {
  FaultProxy proxy(port_);
  proxy.SetMode(FaultProxy::Mode::kFailAll);
  CommandResult erroring =
      Collect(proxy.Url(), {"--from", Text(Hour(0)), "--to", Text(Hour(24)), "--retries", "1"});
  EXPECT_EQ(erroring.exit_code, 1);
  EXPECT_NE(erroring.err.find("HTTP 503"), std::string::npos) << erroring.err;
  EXPECT_NE(erroring.err.find("gave up after 2 attempts"), std::string::npos) << erroring.err;
  EXPECT_EQ(CompleteHours(), 0);

  proxy.SetMode(FaultProxy::Mode::kSlow);
  CommandResult slow = Collect(proxy.Url(), {"--from", Text(Hour(0)), "--to", Text(Hour(24)),
                                             "--retries", "0", "--timeout", "1"});
  EXPECT_EQ(slow.exit_code, 1);
  EXPECT_NE(slow.err.find("timed out"), std::string::npos) << slow.err;
  EXPECT_EQ(CompleteHours(), 0);
}

// Stopping the server cancels a collection in flight: a chunk of 13 queries at 3 s each would
// hold it for 20 s, longer than ChildProcess waits before SIGKILL (5 s), so a clean exit code
// means the queries were cancelled, and the cancelled chunk stores nothing.
TEST_F(PrometheusCollectTest, ServeStopCancelsACollectionInFlight) {
  FaultProxy proxy(port_);
  proxy.SetMode(FaultProxy::Mode::kSlow);
  testing::WriteFile(store_.File("tally.yaml"), "sources:\n  - name: prom\n    url: " +
                                                    proxy.Url() + "\n    lookback_hours: 200\n");
  int port = 0;
  auto serve = Serve(&port);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the first queries are out
  EXPECT_EQ(serve->Stop(), 0) << testing::ReadFile(store_.File("serve.log"));
  EXPECT_EQ(CompleteHours(), 0);
}

// NaN points (a stale or broken series) carry no amount: skipped, and the summary says how many.
TEST_F(PrometheusCollectTest, NaNPointsAreSkippedAndCounted) {
  FaultProxy proxy(port_);
  proxy.SetMode(FaultProxy::Mode::kNaN);
  CommandResult r = Collect(proxy.Url(), {"--from", Text(Hour(0)), "--to", Text(Hour(24))});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GT(proxy.nan_points(), 0);
  EXPECT_NE(r.out.find("; " + std::to_string(proxy.nan_points()) + " NaN or Inf points skipped"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(CompleteHours(), 24);
}

TEST_F(PrometheusCollectTest, RetriesRecoverAndPartialChunksAreNeverComplete) {
  FaultProxy proxy(port_);
  // Every query fails once, then succeeds: the run completes through retries.
  proxy.SetMode(FaultProxy::Mode::kFailFirstAttempts);
  CommandResult flaky = Collect(proxy.Url(), {"--from", Text(Hour(0)), "--to", Text(Hour(48))});
  ASSERT_EQ(flaky.exit_code, 0) << flaky.err;
  const std::string retries = std::to_string(2 * KubeQueries().size()) + " retries";
  EXPECT_NE(flaky.out.find(retries), std::string::npos) << flaky.out;
  EXPECT_EQ(CompleteHours(), 48);

  // The third chunk fails part-way (after some of its queries succeeded): the hours before it
  // stay complete, none of its hours is marked complete.
  const int per_chunk = static_cast<int>(KubeQueries().size());
  proxy.SetMode(FaultProxy::Mode::kFailAfter, per_chunk * 2 + 3);
  CommandResult partial =
      Collect(proxy.Url(), {"--to", Text(Hour(kHours)), "--retries", "1", "--concurrency", "1"});
  EXPECT_EQ(partial.exit_code, 1);
  EXPECT_NE(partial.err.find("were not stored"), std::string::npos) << partial.err;
  EXPECT_EQ(CompleteHours(), 48 + 48);

  // Healthy again: the next run fills exactly the rest.
  CommandResult rest = Collect(Url(), {"--to", Text(Hour(kHours))});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_NE(rest.out.find("72 hours"), std::string::npos) << rest.out;
  ExpectMatchesTruth();
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// The demo platform's metrics.om holds the same usage as its usage.csv: collected through a
// real Prometheus, every consumer's request and usage match the CSV's within 1%.
TEST(DemoOpenMetricsTest, PrometheusCollectionMatchesTheUsageCsv) {
  TempDir dir;
  const int64_t now = std::time(nullptr);
  const std::string start = Timestamp::FromUnixSeconds(now / 86400 * 86400 - 2 * 86400).ToString();
  auto demo =
      RunTally({"--store", dir.File("csv.db"), "demo", "--out", dir.File("demo"), "--teams", "4",
                "--workloads", "12", "--days", "1", "--start", start, "--openmetrics"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  auto csv =
      RunTally({"--store", dir.File("csv.db"), "ingest", "usage-csv", dir.File("demo/usage.csv")});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  auto backfill = testing::RunCommand(
      "/usr/bin/promtool",
      {"tsdb", "create-blocks-from", "openmetrics", dir.File("demo/metrics.om"), dir.File("tsdb")});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.out << backfill.err;
  testing::WriteFile(dir.File("prometheus.yml"), "global:\n  scrape_interval: 1m\n");
  const int port = FreePort();
  ChildProcess prometheus(
      "/usr/bin/prometheus",
      {"--config.file=" + dir.File("prometheus.yml"), "--storage.tsdb.path=" + dir.File("tsdb"),
       "--storage.tsdb.retention.time=10y",
       "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      dir.File("prometheus.log"));
  ASSERT_TRUE(testing::WaitForHttp(port, "/-/ready", 60));
  const Timestamp from = *ParseTimestamp(start);
  auto collect = RunTally({"--store", dir.File("prom.db"), "collect", "prometheus", "--url",
                           "http://127.0.0.1:" + std::to_string(port), "--from", start, "--to",
                           Timestamp::FromUnixSeconds(from.unix_seconds() + 86400).ToString()});
  ASSERT_EQ(collect.exit_code, 0) << collect.err;

  auto totals = [](const std::string& db) {
    auto store = OpenStore(db, OpenMode::kMustExist);
    UsageQuery q;
    q.group_by.push_back(*UsageGroupKey::Parse("consumer"));
    std::map<std::pair<std::string, std::string>, std::pair<Decimal, Decimal>> out;
    const auto table = QueryUsage(**store, q);
    // Persistent volumes included: the CSV's storage rows and the kube-state-metrics and
    // kubelet volume series the demo writes give the same request and usage per pod.
    for (const UsageRow& r : table->rows) out[{r.keys[0], r.keys[1]}] = {r.request, r.usage};
    return out;
  };
  const auto want = totals(dir.File("csv.db"));
  const auto got = totals(dir.File("prom.db"));
  ASSERT_FALSE(want.empty());
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [key, amounts] : want) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << key.first << " " << key.second;
    EXPECT_LT(Relative(it->second.first, amounts.first), 0.01) << key.first << " " << key.second;
    EXPECT_LT(Relative(it->second.second, amounts.second), 0.01) << key.first << " " << key.second;
  }
}

}  // namespace
}  // namespace tally
