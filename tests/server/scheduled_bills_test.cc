// tally serve ingests the bill sources of tally.yaml when their files change, and only then:
// new files are read and allocated, unchanged ones are not read again (not even after a
// restart: the ingest log remembers them), and a bad file leaves the store as it was.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "testing/process.h"

namespace tally {
namespace {

using json = nlohmann::json;
using testing::ChildProcess;

std::string Bill(const char* account, const char* cost, const char* team) {
  return std::string(
             "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
             "EffectiveCost,BillingCurrency,ProviderName,BillingAccountId,ServiceName,"
             "ServiceCategory,ChargeCategory,ResourceId,Tags\n"
             "2026-02-01,2026-03-01,2026-02-03T00:00:00Z,2026-02-03T01:00:00Z,") +
         cost + "," + cost + ",USD,Cloud," + account +
         ",Support,Other,Usage,,\"{\"\"team\"\":\"\"" + team + "\"\"}\"\n";
}

class ScheduledBillsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("bills"));
    testing::WriteFile(dir_.File("bills/a.csv"), Bill("acct-a", "10", "search"));
    testing::WriteFile(dir_.File("tally.yaml"),
                       "sources:\n  - name: cloud\n    kind: focus\n"
                       "    path: " +
                           dir_.File("bills") + "\n    every: 0.2s\n");
  }

  std::unique_ptr<ChildProcess> Serve() {
    port_ = testing::FreePort();
    auto serve = std::make_unique<ChildProcess>(
        testing::TallyBinary(),
        std::vector<std::string>{"--store", dir_.File("t.db"), "serve", "--listen",
                                 "127.0.0.1:" + std::to_string(port_), "--config",
                                 dir_.File("tally.yaml"), "--allocate-check", "0.2"},
        dir_.File("serve.log"));
    EXPECT_TRUE(testing::WaitForHttp(port_, "/readyz", 30));
    return serve;
  }

  json Data(const std::string& path) {
    std::string body;
    if (testing::HttpGet(port_, path, &body) != 200) return nullptr;
    return json::parse(body, nullptr, false)["data"];
  }
  // Polls until the allocated total is `want` (or 30 s pass); returns the last total.
  std::string WaitForTotal(const std::string& want) {
    std::string total;
    for (int i = 0; i < 150 && total != want; ++i) {
      const json showback = Data("/api/v1/showback?by=owner");
      if (showback.is_object()) total = showback["total"].get<std::string>();
      if (total != want) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return total;
  }
  size_t Ingests() { return Data("/api/v1/sources")["ingests"].size(); }
  // The ingest count over 10 turns of the source (2 s): it must not move.
  bool IngestsStayAt(size_t n) {
    for (int i = 0; i < 10; ++i) {
      if (Ingests() != n) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return true;
  }

  testing::TempDir dir_;
  int port_ = 0;
};

TEST_F(ScheduledBillsTest, ReadsChangedFilesOnlyAndAllocatesThem) {
  {
    auto serve = Serve();
    EXPECT_EQ(WaitForTotal("10"), "10") << testing::ReadFile(dir_.File("serve.log"));
    EXPECT_TRUE(IngestsStayAt(1)) << "unchanged files were read again";

    testing::WriteFile(dir_.File("bills/b.csv"), Bill("acct-b", "5", "ads"));
    EXPECT_EQ(WaitForTotal("15"), "15") << testing::ReadFile(dir_.File("serve.log"));
    EXPECT_TRUE(IngestsStayAt(2));
    const json owners = Data("/api/v1/showback?by=owner");
    ASSERT_EQ(owners["rows"].size(), 2u);
    EXPECT_EQ(owners["rows"][0]["owner"], "ads");
    EXPECT_EQ(owners["rows"][0]["cost"], "5");
    EXPECT_TRUE(Data("/api/v1/reconcile")["exact"].get<bool>());

    // A file that is no bill: the run fails, nothing changes, serve goes on and says why.
    testing::WriteFile(dir_.File("bills/c.csv"), "not,a,bill\n1,2,3\n");
    std::string log;
    for (int i = 0; i < 50 && log.find("c.csv") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      log = testing::ReadFile(dir_.File("serve.log"));
    }
    EXPECT_NE(log.find("ingest cloud: "), std::string::npos) << log;
    EXPECT_NE(log.find("nothing was stored"), std::string::npos) << log;
    EXPECT_EQ(Ingests(), 2u);
    EXPECT_EQ(WaitForTotal("15"), "15");
    std::filesystem::remove(dir_.File("bills/c.csv"));
    EXPECT_EQ(serve->Stop(), 0);
  }
  // Restarted on the same files: the ingest log says they were read; nothing is read again.
  auto serve = Serve();
  EXPECT_EQ(WaitForTotal("15"), "15");
  EXPECT_TRUE(IngestsStayAt(2)) << testing::ReadFile(dir_.File("serve.log"));
}

TEST_F(ScheduledBillsTest, AnUnknownFormatStopsServeAtStart) {
  testing::WriteFile(dir_.File("tally.yaml"), "sources:\n  - kind: fokus\n    path: /x\n");
  auto r = testing::RunTally({"--store", dir_.File("t.db"), "serve", "--listen",
                              "127.0.0.1:" + std::to_string(testing::FreePort()), "--config",
                              dir_.File("tally.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("kind \"fokus\" is neither prometheus nor a bill format (focus, "),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace tally
