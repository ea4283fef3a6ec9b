// tally serve with a real Prometheus: Prometheus scrapes an exporter (this test, serving
// kube-state-metrics and cAdvisor series with known values) every second and remote-writes to
// tally, which rolls the samples up into hourly usage. Malformed and slow requests must get
// 4xx answers without stalling the server.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <snappy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "report/usage_report.h"
#include "tally/store.h"
#include "testing/process.h"

namespace tally {
namespace {

using testing::ChildProcess;
using testing::FreePort;
using testing::HttpGet;
using testing::TempDir;

// Two containers of one pod with fixed requests, working set and CPU rate.
class Exporter {
 public:
  Exporter() : t0_(std::chrono::steady_clock::now()) {
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
      std::string body =
          "# TYPE kube_pod_info gauge\n"
          "kube_pod_info{namespace=\"shop\",pod=\"api-0\",node=\"node-a\","
          "created_by_kind=\"StatefulSet\",created_by_name=\"api\"} 1\n"
          "# TYPE kube_node_status_capacity gauge\n"
          "kube_node_status_capacity{node=\"node-a\",resource=\"cpu\",unit=\"core\"} 4\n"
          "# TYPE kube_pod_container_resource_requests gauge\n";
      for (const char* c : {"api", "sidecar"}) {
        body += std::string(
                    "kube_pod_container_resource_requests{namespace=\"shop\",pod=\"api-0\","
                    "container=\"") +
                c +
                "\",node=\"node-a\",resource=\"cpu\","
                "unit=\"core\"} 0.5\n";
        body += std::string(
                    "kube_pod_container_resource_requests{namespace=\"shop\",pod=\"api-0\","
                    "container=\"") +
                c +
                "\",node=\"node-a\",resource=\"memory\","
                "unit=\"byte\"} 1073741824\n";
      }
      body += "# TYPE container_memory_working_set_bytes gauge\n";
      for (const char* c : {"api", "sidecar"}) {
        body += std::string(
                    "container_memory_working_set_bytes{namespace=\"shop\",pod=\"api-0\","
                    "container=\"") +
                c + "\"} 268435456\n";
      }
      body += "# TYPE container_cpu_usage_seconds_total counter\n";
      for (const char* c : {"api", "sidecar"}) {
        body += std::string(
                    "container_cpu_usage_seconds_total{namespace=\"shop\",pod=\"api-0\","
                    "container=\"") +
                c + "\"} " + std::to_string(0.2 * seconds) + "\n";
      }
      res.set_content(body, "text/plain; version=0.0.4");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Exporter() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::chrono::steady_clock::time_point t0_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

class RemoteWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    tally_ = std::make_unique<ChildProcess>(
        testing::TallyBinary(),
        std::vector<std::string>{"--store", dir_.File("t.db"), "serve", "--listen",
                                 "127.0.0.1:" + std::to_string(port_), "--flush-interval", "0.5",
                                 "--read-timeout", "1", "--max-body-mib", "1"},
        dir_.File("tally.log"));
    ASSERT_TRUE(testing::WaitForHttp(port_, "/healthz", 20))
        << testing::ReadFile(dir_.File("tally.log"));
  }
  int Post(const std::string& body, const std::string& encoding) {
    httplib::Client client("127.0.0.1", port_);
    httplib::Headers headers;
    if (!encoding.empty()) headers.emplace("Content-Encoding", encoding);
    auto res = client.Post("/api/v1/write", headers, body, "application/x-protobuf");
    return res ? res->status : 0;
  }

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> tally_;
};

TEST_F(RemoteWriteTest, PrometheusRemoteWritesUsageIntoHourlyRollups) {
  Exporter exporter;
  const int prometheus_port = FreePort();
  testing::WriteFile(dir_.File("prometheus.yml"),
                     "global:\n  scrape_interval: 1s\n"
                     "scrape_configs:\n  - job_name: exporter\n    static_configs:\n"
                     "      - targets: ['127.0.0.1:" +
                         std::to_string(exporter.port()) +
                         "']\n"
                         "remote_write:\n  - url: http://127.0.0.1:" +
                         std::to_string(port_) +
                         "/api/v1/write\n    queue_config:\n      batch_send_deadline: 1s\n");
  {
    ChildProcess prometheus(
        "/usr/bin/prometheus",
        {"--config.file=" + dir_.File("prometheus.yml"), "--storage.tsdb.path=" + dir_.File("tsdb"),
         "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
        dir_.File("prometheus.log"));
    // Wait until tally has rolled up several seconds of both containers.
    bool enough = false;
    for (int i = 0; i < 120 && !enough; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      std::string body;
      if (HttpGet(port_, "/api/v1/remote-write", &body) != 200) continue;
      const auto json = nlohmann::json::parse(body, nullptr, false);
      if (json.is_discarded()) continue;
      enough = json["data"]["samples"].get<int64_t>() > 150;
    }
    ASSERT_TRUE(enough) << testing::ReadFile(dir_.File("prometheus.log"))
                        << testing::ReadFile(dir_.File("tally.log"));
  }
  ASSERT_EQ(tally_->Stop(), 0) << testing::ReadFile(dir_.File("tally.log"));

  auto store = OpenStore(dir_.File("t.db"), OpenMode::kMustExist);
  ASSERT_TRUE(store.ok());
  UsageQuery query;
  query.group_by.push_back(*UsageGroupKey::Parse("consumer"));
  query.group_by.push_back(*UsageGroupKey::Parse("node"));
  query.group_by.push_back(*UsageGroupKey::Parse("controller"));
  auto table = QueryUsage(**store, query);
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->rows.size(), 4u);  // 2 containers × (cpu, memory)
  for (const UsageRow& row : table->rows) {
    EXPECT_TRUE(row.keys[0] == "shop/api-0/api" || row.keys[0] == "shop/api-0/sidecar")
        << row.keys[0];
    EXPECT_EQ(row.keys[1], "node-a");
    EXPECT_EQ(row.keys[2], "StatefulSet/api");
    const double request = std::stod(row.request.ToString());
    const double usage = std::stod(row.usage.ToString());
    ASSERT_GT(request, 0) << row.keys[0];
    if (row.keys[3] == "memory") {
      // Working set and request are sampled together: usage is exactly a quarter.
      EXPECT_NEAR(usage / request, 0.25, 1e-9) << row.keys[0];
    } else {
      // 0.2 cores used of 0.5 requested; the counter spans one interval less than the gauge.
      EXPECT_GT(usage / request, 0.3) << row.keys[0];
      EXPECT_LE(usage / request, 0.41) << row.keys[0];
    }
  }
  auto sources = (*store)->ListUsageSources();
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].name, "remote-write");
  EXPECT_EQ((*sources)[0].complete_hours, 0);  // the current hour is still open
}

TEST_F(RemoteWriteTest, MalformedRequestsGet4xxAndTheServerStaysUp) {
  EXPECT_EQ(Post("not snappy at all", "snappy"), 400);
  std::string compressed;
  snappy::Compress("\xff\xff\xff not a protobuf", 20, &compressed);
  EXPECT_EQ(Post(compressed, "snappy"), 400);
  EXPECT_EQ(Post(compressed, "identity"), 415);
  EXPECT_EQ(Post(std::string(2 << 20, 'x'), "snappy"), 413);
  std::string body;
  EXPECT_EQ(HttpGet(port_, "/api/v1/usage?by=bogus", &body), 400);
  EXPECT_NE(body.find("\"status\":\"error\""), std::string::npos) << body;
  EXPECT_EQ(HttpGet(port_, "/api/v1/usage?from=yesterday", &body), 400);
  EXPECT_EQ(HttpGet(port_, "/no/such/route", &body), 404);

  // A slow client that never finishes its request does not stall anyone else.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string partial = "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n";
  ASSERT_EQ(write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  EXPECT_EQ(HttpGet(port_, "/healthz", &body), 200);
  // After --read-timeout (1 s) the server gives up on it with a 400.
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[512];
  const auto started = std::chrono::steady_clock::now();
  const ssize_t n = read(fd, buf, sizeof buf);
  ASSERT_GT(n, 0) << "the slow client got no answer";
  EXPECT_TRUE(std::string(buf, static_cast<size_t>(n)).starts_with("HTTP/1.1 400"))
      << std::string(buf, static_cast<size_t>(n));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  close(fd);
  EXPECT_EQ(HttpGet(port_, "/healthz", &body), 200);
  EXPECT_EQ(tally_->Stop(), 0);
}

}  // namespace
}  // namespace tally
