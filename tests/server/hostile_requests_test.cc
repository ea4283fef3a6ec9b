// What one client can make `tally serve` do is bounded: group-by keys, answer sizes (pages),
// query time (a budget per request), request bodies (chunked ones too), bodies without a length,
// and headers that trickle in. Requests are sent over raw sockets where an HTTP client library
// would not send them as a hostile client does.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "testing/process.h"

namespace tally {
namespace {

using nlohmann::json;
using testing::ChildProcess;
using testing::HttpGet;
using testing::RunTally;

// A raw TCP connection to 127.0.0.1:port.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  bool Send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Whether an answer (or the close) has arrived, waiting up to `ms`.
  bool Readable(int ms) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }
  // What arrives within `ms` until the server closes or stops sending; "" when it closed.
  std::string Receive(int ms) {
    std::string out;
    char buf[4096];
    while (Readable(ms)) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  int fd() const { return fd_; }

 private:
  int fd_;
  bool connected_ = false;
};

class HostileRequestsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto demo = RunTally({"--store", Store(), "demo", "--out", dir_->File("demo"), "--teams", "4",
                          "--workloads", "12", "--days", "1", "--start", "2026-06-01", "--load"});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    std::filesystem::create_directories(dir_->File("web"));
    testing::WriteFile(dir_->File("web/index.html"), "<html></html>");
    port_ = testing::FreePort();
    server_ = new ChildProcess(
        testing::TallyBinary(),
        {"--store", Store(), "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
         "--no-allocate", "--read-timeout", "2", "--max-body-mib", "1", "--web",
         dir_->File("web")},
        dir_->File("serve.log"));
    ASSERT_TRUE(testing::WaitForHttp(port_, "/readyz", 20));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string Store() { return dir_->File("t.db"); }
  static json Answer(const std::string& path, int expected_status) {
    std::string body;
    EXPECT_EQ(HttpGet(port_, path, &body), expected_status) << path << ": " << body;
    return json::parse(body, nullptr, false);
  }

  static testing::TempDir* dir_;
  static ChildProcess* server_;
  static int port_;
};

testing::TempDir* HostileRequestsTest::dir_ = nullptr;
ChildProcess* HostileRequestsTest::server_ = nullptr;
int HostileRequestsTest::port_ = 0;

TEST_F(HostileRequestsTest, GroupByKeysAreBounded) {
  // 1,500 keys, sent as a client would who means it (an HTTP library would percent-encode the
  // commas past the URI limit): refused at once, not grouped for minutes.
  std::string by = "hour";
  for (int i = 1; i < 1500; ++i) by += ",hour";
  RawConnection c(port_);
  ASSERT_TRUE(c.Send("GET /api/v1/showback?by=" + by + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string answer = c.Receive(5000);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer.substr(0, 300);
  EXPECT_NE(answer.find("by: at most 8 keys, not 1500"), std::string::npos)
      << answer.substr(0, 300);
  const json twice = Answer("/api/v1/costs?by=ServiceName,ServiceName", 400);
  EXPECT_NE(twice.value("error", "").find("\"ServiceName\" is named twice"), std::string::npos);
  Answer("/api/v1/usage?by=node,node", 400);
  Answer("/healthz", 200);
}

// Pages of an answer, followed by their cursors, are the whole answer; the total is the whole
// answer's on every page.
TEST_F(HostileRequestsTest, LongAnswersComeInPages) {
  const std::string path = "/api/v1/showback?by=consumer,resource,kind";
  const json whole = Answer(path + "&limit=100000", 200)["data"];
  ASSERT_GT(whole["rows"].size(), 20u);
  EXPECT_TRUE(whole["next_cursor"].is_null());
  json rows = json::array();
  std::string cursor;
  int pages = 0;
  for (;;) {
    const json page = Answer(path + "&limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor),
                             200)["data"];
    ASSERT_LE(page["rows"].size(), 7u);
    EXPECT_EQ(page["total"], whole["total"]);
    EXPECT_EQ(page["total_rows"], whole["rows"].size());
    for (const auto& row : page["rows"]) rows.push_back(row);
    ++pages;
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"].get<std::string>();
    ASSERT_LT(pages, 1000);
  }
  EXPECT_EQ(rows, whole["rows"]);
  EXPECT_EQ(pages, static_cast<int>((whole["rows"].size() + 6) / 7));
  // The default page is 10,000 rows; nonsense limits are refused.
  EXPECT_EQ(Answer(path, 200)["data"]["rows"], whole["rows"]);
  Answer(path + "&limit=0", 400);
  Answer(path + "&limit=100001", 400);
  Answer(path + "&cursor=-3", 400);
}

TEST_F(HostileRequestsTest, AChunkedBodyIsCountedAgainstTheLimit) {
  RawConnection c(port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Encoding: snappy\r\n"
                     "Content-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n"));
  // 64 MiB offered in 64 KiB chunks against a 1 MiB limit; the answer comes long before.
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
  size_t sent = 0;
  while (sent < (64u << 20) && !c.Readable(0)) {
    if (!c.Send(chunk)) break;  // the server stopped reading
    sent += 0x10000;
  }
  const std::string answer = c.Receive(5000);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer.substr(0, 200);
  EXPECT_LT(sent, 64u << 20);
  Answer("/healthz", 200);
}

TEST_F(HostileRequestsTest, ABodyWithoutALengthIsRefusedAtOnce) {
  RawConnection c(port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  // 411 without waiting for a body that never comes (the old server read until its timeout).
  ASSERT_TRUE(c.Readable(1000));
  const std::string answer = c.Receive(1000);
  EXPECT_EQ(answer.rfind("HTTP/1.1 411", 0), 0u) << answer;
  // A Content-Length over the limit is refused too.
  RawConnection big(port_);
  ASSERT_TRUE(big.Send("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 419430400\r\n\r\n"));
  EXPECT_EQ(big.Receive(3000).rfind("HTTP/1.1 413", 0), 0u);
}

// A client that sends one header line every half second never finishes its request: the server
// drops it once the read timeout (2 s) has passed since the request began.
TEST_F(HostileRequestsTest, HeadersThatTrickleInAreCutOff) {
  RawConnection c(port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  bool dropped = false;
  for (int i = 0; i < 16 && !dropped; ++i) {  // 8 s at most
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (c.Readable(0)) {
      // Refused (400) and closed, or just closed.
      const std::string answer = c.Receive(1000);
      dropped = answer.empty() || answer.rfind("HTTP/1.1 400", 0) == 0;
      EXPECT_TRUE(dropped) << answer;
      EXPECT_FALSE(c.Readable(1000) && c.Receive(100).size() > 0) << "left open";
      break;
    }
    if (!c.Send("X-Slow-" + std::to_string(i) + ": 1\r\n")) dropped = true;
  }
  EXPECT_TRUE(dropped);
  Answer("/healthz", 200);
}

TEST_F(HostileRequestsTest, OddPathsAndQueriesAreRefused) {
  Answer("/index.html", 200);
  Answer("/index.html%00", 400);
  Answer("/index.html%00.txt", 400);
  const json eq = Answer("/api/v1/costs?by=ProviderName=x", 400);
  EXPECT_NE(eq.value("error", "").find("cannot hold '='"), std::string::npos) << eq.dump();
  // A column no file has is answered, with the CLI's warning in the answer.
  const json nope = Answer("/api/v1/costs?by=Nope", 200);
  ASSERT_EQ(nope["data"]["warnings"].size(), 1u) << nope.dump();
  EXPECT_NE(nope["data"]["warnings"][0].get<std::string>().find("named \"Nope\""),
            std::string::npos);
}

// A second server whose budget is tiny and whose disk is never free enough: a query past its
// budget is stopped with 503 while the server stays up; /readyz says the store cannot write.
TEST_F(HostileRequestsTest, ABudgetStopsLongQueriesAndReadyzChecksTheDisk) {
  const int port = testing::FreePort();
  ChildProcess strict(testing::TallyBinary(),
                      {"--store", Store(), "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                       "--no-allocate", "--request-budget", "0.000001", "--min-free-mib",
                       "1000000000000"},
                      dir_->File("strict.log"));
  ASSERT_TRUE(testing::WaitForHttp(port, "/healthz", 20));
  std::string body;
  EXPECT_EQ(HttpGet(port, "/api/v1/showback?by=consumer,hour,resource,kind", &body), 503) << body;
  EXPECT_NE(body.find("time budget"), std::string::npos) << body;
  EXPECT_EQ(HttpGet(port, "/readyz", &body), 503);
  EXPECT_NE(body.find("the disk is almost full"), std::string::npos) << body;
  EXPECT_EQ(HttpGet(port, "/healthz", &body), 200);
  // The default server, with room on its disk, is ready.
  Answer("/readyz", 200);
}

}  // namespace
}  // namespace tally
