// The JSON API and /metrics of `tally serve` on the demo platform: the API's figures equal the
// commands', the OpenAPI document lists every route, malformed requests get 4xx envelopes,
// promtool accepts /metrics and a real Prometheus scrapes it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "server/api_routes.h"
#include "testing/process.h"

namespace tally {
namespace {

using nlohmann::json;
using testing::ChildProcess;
using testing::HttpGet;
using testing::RunTally;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto demo = RunTally({"--store", Store(), "demo", "--out", dir_->File("demo"), "--teams", "5",
                          "--workloads", "20", "--days", "2", "--start", "2026-06-01", "--load"});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    port_ = testing::FreePort();
    server_ = new ChildProcess(
        testing::TallyBinary(),
        {"--store", Store(), "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
         "--no-allocate"},  // the tests below reallocate from another process themselves
        dir_->File("serve.log"));
    ASSERT_TRUE(testing::WaitForHttp(port_, "/readyz", 20));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string Store() { return dir_->File("t.db"); }
  // The `data` of a successful answer.
  static json Get(const std::string& path) {
    std::string body;
    const int status = HttpGet(port_, path, &body);
    EXPECT_EQ(status, 200) << path << ": " << body;
    const json doc = json::parse(body, nullptr, false);
    EXPECT_EQ(doc.value("status", ""), "success") << body;
    return doc.contains("data") ? doc["data"] : json();
  }
  // An answer without the fields only the API has (paging, warnings), to compare with the CLI's;
  // checks on the way that a one-page answer says so.
  static json Figures(json data) {
    if (data.contains("total_rows")) {
      const size_t rows = data.contains("rows") ? data["rows"].size() : data["series"].size();
      EXPECT_EQ(data["total_rows"], rows) << data.dump();
      EXPECT_TRUE(data["next_cursor"].is_null()) << data.dump();
    }
    for (const char* key : {"total_rows", "next_cursor", "warnings"}) data.erase(key);
    return data;
  }
  static json Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", Store()});
    auto r = RunTally(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  static testing::TempDir* dir_;
  static ChildProcess* server_;
  static int port_;
};

testing::TempDir* ApiTest::dir_ = nullptr;
ChildProcess* ApiTest::server_ = nullptr;
int ApiTest::port_ = 0;

TEST_F(ApiTest, FiguresEqualTheCommands) {
  EXPECT_EQ(Figures(Get("/api/v1/showback?by=owner")),
            Cli({"report", "showback", "--by", "owner", "--format", "json"}));
  EXPECT_EQ(Figures(Get("/api/v1/showback?by=owner,resource&from=2026-06-02")),
            Cli({"report", "showback", "--by", "owner,resource", "--from", "2026-06-02", "--format",
                 "json"}));
  // Filters: the API's where= is the command's --where, and a bad one is a 400.
  EXPECT_EQ(Figures(Get("/api/v1/showback?by=namespace&where=kind%3Ddirect,idle")),
            Cli({"report", "showback", "--by", "namespace", "--where", "kind=direct,idle",
                 "--format", "json"}));
  std::string bad;
  EXPECT_EQ(HttpGet(port_, "/api/v1/showback?where=nokey", &bad), 400) << bad;
  EXPECT_EQ(Figures(Get("/api/v1/costs?by=ServiceName")),
            Cli({"costs", "--by", "ServiceName", "--format", "json"}));
  // step, where (its '=' percent-encoded) and top, as the command's flags.
  const json stepped =
      Get("/api/v1/costs?by=ServiceName&step=day&where=ProviderName%3DAWS&where=ServiceName%3D"
          "Amazon%20Elastic%20Compute%20Cloud,AmazonS3&top=1");
  EXPECT_EQ(Figures(stepped), Cli({"costs", "--by", "ServiceName", "--step", "day", "--where",
                                   "ProviderName=AWS", "--where",
                                   "ServiceName=Amazon Elastic Compute Cloud,AmazonS3", "--top",
                                   "1", "--format", "json"}));
  ASSERT_FALSE(stepped["rows"].empty());
  Decimal stepped_total;
  for (const auto& row : stepped["rows"]) {
    EXPECT_FALSE(row["period"].is_null());
    stepped_total += *Decimal::Parse(row["EffectiveCost"].get<std::string>());
  }
  EXPECT_EQ(stepped_total.ToString(), stepped["total"].get<std::string>());
  const json reconcile = Get("/api/v1/reconcile");
  EXPECT_EQ(reconcile["rows"], Cli({"reconcile", "--format", "json"})["rows"]);
  EXPECT_TRUE(reconcile["exact"].get<bool>());
  EXPECT_EQ(Get("/api/v1/owners"), Get("/api/v1/showback?by=owner"));

  // The daily series of each owner add up to its showback.
  const json series = Get("/api/v1/showback?by=owner&step=1d");
  std::map<std::string, std::string> totals;
  for (const auto& s : series["series"]) {
    Decimal sum;
    for (const auto& p : s["points"]) sum += *Decimal::Parse(p[1].get<std::string>());
    EXPECT_EQ(s["points"].size(), 2u);
    totals[s["key"]["owner"]] = sum.ToString();
  }
  const json owners = Get("/api/v1/showback?by=owner");  // named: a temporary's rows would dangle
  ASSERT_FALSE(owners["rows"].empty());
  for (const auto& row : owners["rows"]) {
    EXPECT_EQ(totals[row["owner"]], row["cost"]) << row.dump();
  }
  EXPECT_FALSE(Get("/api/v1/assets").empty());
  const json sources = Get("/api/v1/sources");
  EXPECT_EQ(sources["usage"].size(), 2u);
  // Each row of the demo's usage CSV is one fact of the source demo-usage.
  const std::string csv = testing::ReadFile(dir_->File("demo/usage.csv"));
  const int64_t csv_rows = std::count(csv.begin(), csv.end(), '\n') - 1;
  ASSERT_EQ(sources["usage"][1]["name"], "demo-usage");
  EXPECT_EQ(sources["usage"][1]["facts"], csv_rows);
  EXPECT_GT(sources["usage"][0]["facts"].get<int64_t>(), 0);  // demo-inventory: capacity facts
  EXPECT_EQ(sources["allocation"]["allocated_hours"], 48);    // the demo's two days
  EXPECT_EQ(sources["allocation"]["dirty_hours"], 0);
  EXPECT_EQ(sources["allocation"]["last_hour"], "2026-06-02T23:00:00Z");
  EXPECT_EQ(sources["window"]["to"], "2026-06-03T00:00:00Z");
  EXPECT_EQ(Get("/api/v1/gpu"), Cli({"report", "gpu", "--format", "json"}));
  const json by_day = Get("/api/v1/usage?by=day");
  std::set<std::string> days;
  for (const auto& row : by_day["rows"]) days.insert(row["day"].get<std::string>());
  EXPECT_EQ(days, (std::set<std::string>{"2026-06-01", "2026-06-02"}));
}

// The GPU view adds up: its cost is the showback's gpu component (direct + idle), its
// GPU-hours are the usage's, and each node's ratios follow from its amounts.
TEST_F(ApiTest, GpuViewAgreesWithShowbackAndUsage) {
  const json gpu = Get("/api/v1/gpu");
  ASSERT_FALSE(gpu["nodes"].empty());
  Decimal showback_gpu;
  const json showback = Get("/api/v1/showback?by=resource,kind");
  for (const auto& row : showback["rows"]) {
    if (row["resource"] == "gpu" && (row["kind"] == "direct" || row["kind"] == "idle")) {
      showback_gpu += *Decimal::Parse(row["cost"].get<std::string>());
    }
  }
  EXPECT_EQ(gpu["total"]["cost"], showback_gpu.ToString());
  Decimal requested, used;
  const json usage = Get("/api/v1/usage?by=resource");
  for (const auto& row : usage["rows"]) {
    if (row["resource"] != "gpu") continue;
    requested += *Decimal::Parse(row["request"].get<std::string>());
    used += *Decimal::Parse(row["usage"].get<std::string>());
  }
  EXPECT_EQ(gpu["total"]["requested"], requested.ToString());
  EXPECT_EQ(gpu["total"]["used"], used.ToString());
  Decimal daily_used, consumers_cost;
  for (const auto& day : gpu["daily"])
    daily_used += *Decimal::Parse(day["used"].get<std::string>());
  EXPECT_EQ(daily_used.ToString(), used.ToString());
  EXPECT_EQ(gpu["daily"].size(), 2u);  // the demo's two days
  for (const auto& c : gpu["consumers"])
    consumers_cost += *Decimal::Parse(c["cost"].get<std::string>());
  EXPECT_EQ(
      (consumers_cost + *Decimal::Parse(gpu["total"]["idle_cost"].get<std::string>())).ToString(),
      showback_gpu.ToString());
  for (const auto& node : gpu["nodes"]) {
    const Decimal u = *Decimal::Parse(node["used"].get<std::string>());
    const Decimal c = *Decimal::Parse(node["capacity"].get<std::string>());
    EXPECT_EQ(node["utilization"], u.Divide(c)->Round(4).ToString()) << node.dump();
  }
  EXPECT_EQ(Get("/api/v1/gpu?from=2026-06-02")["daily"].size(), 1u);
}

TEST_F(ApiTest, AnswersFollowChangesMadeByOtherProcesses) {
  const json before = Get("/api/v1/showback?by=owner");  // cached from here on
  EXPECT_EQ(Get("/api/v1/showback?by=owner"), before);
  std::string metrics_before, metrics_cached, metrics_after;
  ASSERT_EQ(HttpGet(port_, "/metrics", &metrics_before), 200);
  ASSERT_EQ(HttpGet(port_, "/metrics", &metrics_cached), 200);
  EXPECT_EQ(metrics_cached, metrics_before);
  // Another process reallocates under another policy: the API must not serve the old answer.
  testing::WriteFile(dir_->File("other.yaml"), "reference_prices: {cpu: 1, memory: 1, gpu: 1}\n");
  auto allocate = RunTally({"--store", Store(), "allocate", "--config", dir_->File("other.yaml")});
  ASSERT_EQ(allocate.exit_code, 0) << allocate.err;
  const json after = Get("/api/v1/showback?by=owner");
  EXPECT_NE(after, before);
  ASSERT_EQ(HttpGet(port_, "/metrics", &metrics_after), 200);
  EXPECT_NE(metrics_after, metrics_before);  // node prices moved with the policy
  EXPECT_EQ(Figures(after), Cli({"report", "showback", "--by", "owner", "--format", "json"}));
  // Back to the demo's policy for the other tests.
  auto restore =
      RunTally({"--store", Store(), "allocate", "--config", dir_->File("demo/tally.yaml")});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(Get("/api/v1/showback?by=owner"), before);
}

TEST_F(ApiTest, OpenApiListsEveryRoute) {
  std::string body;
  ASSERT_EQ(HttpGet(port_, "/api/v1/openapi.json", &body), 200);
  const json doc = json::parse(body);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  std::mutex mu;
  for (const ApiRoute& route : ApiRoutes(ApiContext{nullptr, &mu})) {
    EXPECT_TRUE(doc["paths"].contains(route.path)) << route.path;
    // And the route answers (POST routes: security_test.cc).
    if (std::string_view(route.method) == "GET") {
      EXPECT_EQ(HttpGet(port_, route.path, nullptr), 200) << route.path;
    }
  }
  for (const char* path :
       {"/healthz", "/readyz", "/api/v1/write", "/api/v1/remote-write", "/api/v1/openapi.json"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
}

TEST_F(ApiTest, MalformedRequestsGet4xxEnvelopes) {
  for (const char* path :
       {"/api/v1/showback?by=bogus", "/api/v1/showback?step=2h", "/api/v1/costs?by=BilledCost",
        "/api/v1/costs?metric=Nope", "/api/v1/usage?by=nope", "/api/v1/reconcile?from=yesterday",
        "/api/v1/showback?from=2026-06-02&to=2026-06-01", "/api/v1/costs?step=week",
        "/api/v1/costs?top=-1", "/api/v1/costs?where=ServiceName", "/api/v1/costs?where=x_a%3Db"}) {
    std::string body;
    EXPECT_EQ(HttpGet(port_, path, &body), 400) << path << ": " << body;
    const json doc = json::parse(body, nullptr, false);
    EXPECT_EQ(doc.value("status", ""), "error") << path << ": " << body;
    EXPECT_FALSE(doc.value("error", "").empty()) << path;
  }
  std::string body;
  EXPECT_EQ(HttpGet(port_, "/api/v1/nope", &body), 404);
  EXPECT_EQ(HttpGet(port_, "/healthz", &body), 200);
}

// /api/v1/gpus lists what `tally gpus --format json` lists, including GPUs another process
// ingested while the server runs.
TEST_F(ApiTest, GpusEqualTheCommand) {
  const std::string sample =
      testing::SharedDataDir() + "/telemetry/gpu/netdata-go.d.plugin/a100-sxm4-mig.xml";
  ASSERT_EQ(RunTally({"--store", Store(), "ingest", "gpu", sample}).exit_code, 0);
  const json api = Get("/api/v1/gpus");
  ASSERT_EQ(api["rows"].size(), 1u) << api.dump();
  EXPECT_EQ(api["rows"][0]["mig_instances"].size(), 2u);
  EXPECT_EQ(api, Cli({"gpus", "--format", "json"}));
}

// /metrics' GPU idle cost per owner is the GPU view's for the same hour.
TEST_F(ApiTest, MetricsGpuIdleCostEqualsTheGpuViewOfItsHour) {
  std::string metrics;
  ASSERT_EQ(HttpGet(port_, "/metrics", &metrics), 200);
  const std::string hour_name = "\ntally_last_allocated_hour_timestamp_seconds ";
  const size_t at = metrics.find(hour_name);
  ASSERT_NE(at, std::string::npos);
  const int64_t hour = std::stoll(metrics.substr(at + hour_name.size()));
  std::map<std::string, std::string> from_metrics;
  const std::string prefix = "\ntally_gpu_idle_cost{owner=\"";
  for (size_t p = metrics.find(prefix); p != std::string::npos; p = metrics.find(prefix, p + 1)) {
    const size_t owner_end = metrics.find('"', p + prefix.size());
    const size_t value_at = metrics.find("} ", owner_end) + 2;
    from_metrics[metrics.substr(p + prefix.size(), owner_end - p - prefix.size())] =
        metrics.substr(value_at, metrics.find('\n', value_at) - value_at);
  }
  ASSERT_FALSE(from_metrics.empty()) << metrics;
  std::string body;
  const std::string path = "/api/v1/gpu?from=" + Timestamp::FromUnixSeconds(hour).ToString() +
                           "&to=" + Timestamp::FromUnixSeconds(hour + 3600).ToString();
  ASSERT_EQ(HttpGet(port_, path, &body), 200) << body;
  std::map<std::string, std::string> from_view;
  const json view = json::parse(body);  // named: a loop over a temporary's member would dangle
  for (const auto& o : view["data"]["owners"]) from_view[o["owner"]] = o["idle_cost"];
  EXPECT_EQ(from_metrics, from_view) << body;
}

TEST_F(ApiTest, MetricsPassPromtoolAndARealPrometheusScrapesThem) {
  std::string metrics;
  ASSERT_EQ(HttpGet(port_, "/metrics", &metrics), 200);
  for (const char* family :
       {"node_cpu_hourly_cost", "node_ram_hourly_cost", "node_gpu_hourly_cost",
        "node_total_hourly_cost", "container_cpu_allocation", "container_memory_allocation_bytes",
        "container_gpu_allocation", "pv_hourly_cost", "tally_hourly_cost",
        "tally_node_gpu_utilization_ratio", "tally_source_last_complete_hour_timestamp_seconds",
        "tally_gpu_idle_cost"}) {
    EXPECT_NE(metrics.find(std::string("\n") + family + "{"), std::string::npos) << family;
  }
  testing::WriteFile(dir_->File("metrics.txt"), metrics);
  // promtool reads the metrics on stdin.
  auto check = testing::RunCommand(
      "/bin/sh", {"-c", "/usr/bin/promtool check metrics < " + dir_->File("metrics.txt")});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  const int prometheus_port = testing::FreePort();
  testing::WriteFile(dir_->File("prometheus.yml"),
                     "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: tally\n"
                     "    static_configs:\n      - targets: ['127.0.0.1:" +
                         std::to_string(port_) + "']\n");
  ChildProcess prometheus(
      "/usr/bin/prometheus",
      {"--config.file=" + dir_->File("prometheus.yml"), "--storage.tsdb.path=" + dir_->File("tsdb"),
       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
      dir_->File("prometheus.log"));
  ASSERT_TRUE(testing::WaitForHttp(prometheus_port, "/-/ready", 60));
  size_t series = 0;
  for (int i = 0; i < 100 && series == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::string body;
    if (HttpGet(prometheus_port, "/api/v1/query?query=node_total_hourly_cost", &body) != 200) {
      continue;
    }
    const json doc = json::parse(body, nullptr, false);
    if (!doc.is_discarded()) series = doc["data"]["result"].size();
  }
  EXPECT_GT(series, 0u) << testing::ReadFile(dir_->File("prometheus.log"));
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

TEST_F(ApiTest, FlowsAndAssetsEqualTheCommands) {
  auto ingest = RunTally({"--store", Store(), "ingest", "vpc-flow",
                          testing::SharedDataDir() + "/telemetry/network/grafana-vpc-flow-logs-"
                                                     "analyzer/aws-test_flow_logs.log"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  for (const char* by : {"class", "interface", "consumer,class"}) {
    const json api = Figures(Get(std::string("/api/v1/flows?by=") + by));
    EXPECT_EQ(api["rows"], Cli({"flows", "--by", by, "--format", "json"})["rows"]) << by;
    EXPECT_FALSE(api["rows"].empty()) << by;
  }
  std::string body;
  EXPECT_EQ(HttpGet(port_, "/api/v1/flows?by=klass", &body), 400) << body;
  // The demo's orphaned volume is flagged, its mounted ones are not.
  const json assets = Get("/api/v1/assets");
  int orphaned = 0;
  for (const auto& a : assets) {
    if (a["orphaned"].get<bool>()) {
      ++orphaned;
      EXPECT_EQ(a["name"], "vol-orphan-0001");
    }
  }
  EXPECT_EQ(orphaned, 1) << assets.dump();
}

TEST_F(ApiTest, ForecastAnomaliesBudgetsAndKpisEqualTheCommands) {
  EXPECT_EQ(Figures(Get("/api/v1/forecast?days=7")), Cli({"forecast", "--days", "7", "--format", "json"}));
  EXPECT_EQ(Figures(Get("/api/v1/forecast?by=ServiceName&days=3")),
            Cli({"forecast", "--by", "ServiceName", "--days", "3", "--format", "json"}));
  EXPECT_EQ(Figures(Get("/api/v1/anomalies?by=Tags.team")),
            Cli({"anomalies", "--by", "Tags.team", "--no-save", "--format", "json"}));
  const json kpis = Figures(Get("/api/v1/kpis"));
  EXPECT_EQ(kpis, Cli({"kpis", "--format", "json"}));
  EXPECT_FALSE(kpis["owners"].empty());
  const json all = Cli({"recommend", "--format", "json"});
  EXPECT_EQ(Figures(Get("/api/v1/recommendations")), all);
  // Long answers come in pages, like every list of the API.
  ASSERT_GE(all["rows"].size(), 2u);
  const json first = Get("/api/v1/recommendations?limit=1");
  EXPECT_EQ(first["rows"].size(), 1u);
  EXPECT_EQ(first["total_rows"], all["rows"].size());
  EXPECT_EQ(first["rows"][0], all["rows"][0]);
  ASSERT_TRUE(first["next_cursor"].is_string()) << first.dump();
  const json second = Get("/api/v1/recommendations?limit=1&cursor=" + first["next_cursor"].get<std::string>());
  EXPECT_EQ(second["rows"][0], all["rows"][1]);
  EXPECT_EQ(Figures(Get("/api/v1/recommendations?kind=rightsizing&owner=ml")),
            Cli({"recommend", "--kind", "rightsizing", "--owner", "ml", "--format", "json"}));
  // The server runs without a tally.yaml: no budgets, an empty answer.
  EXPECT_EQ(Get("/api/v1/budgets")["rows"], json::array());
  std::string body;
  for (const char* bad : {"/api/v1/forecast?days=0", "/api/v1/forecast?days=x",
                          "/api/v1/forecast?by=NoSuchColumn,owner", "/api/v1/anomalies?step=month",
                          "/api/v1/kpis?from=yesterday", "/api/v1/budgets?as_of=never",
                          "/api/v1/recommendations?kind=cheap"}) {
    EXPECT_EQ(HttpGet(port_, bad, &body), 400) << bad << ": " << body;
  }
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// `make build` builds the dashboard before the binary, which carries it: `tally serve` run from
// an empty directory, without --web, serves it at / with its scripts and styles.
TEST(EmbeddedDashboardTest, ServeFromAnEmptyDirectoryServesTheDashboard) {
  testing::TempDir dir;
  const std::string empty = dir.File("empty");
  ASSERT_TRUE(std::filesystem::create_directories(empty));
  const int port = testing::FreePort();
  ChildProcess serve("/bin/sh",
                     {"-c", "cd '" + empty + "' && exec '" + testing::TallyBinary() +
                                "' --store '" + dir.File("t.db") + "' serve --listen 127.0.0.1:" +
                                std::to_string(port)},
                     dir.File("serve.log"));
  ASSERT_TRUE(testing::WaitForHttp(port, "/readyz", 20)) << testing::ReadFile(dir.File("serve.log"));
  std::string index;
  ASSERT_EQ(HttpGet(port, "/", &index), 200);
  EXPECT_NE(index.find("<title>tally</title>"), std::string::npos) << index;
  // Every script and style the page names answers too.
  int assets = 0;
  for (const char* attribute : {"src=\"/assets/", "href=\"/assets/"}) {
    const size_t at = index.find(attribute);
    if (at == std::string::npos) continue;
    const size_t begin = index.find('/', at);
    const std::string path = index.substr(begin, index.find('"', begin) - begin);
    std::string body;
    EXPECT_EQ(HttpGet(port, path, &body), 200) << path;
    EXPECT_GT(body.size(), 100u) << path;
    ++assets;
  }
  EXPECT_EQ(assets, 2) << index;
  std::string api;
  EXPECT_EQ(HttpGet(port, "/api/v1/version", &api), 200) << api;
  EXPECT_EQ(serve.Stop(), 0);
}

}  // namespace
}  // namespace tally
