// tally serve ingests the bill sources of tally.yaml when their files change, and only then:
// new files are read and allocated, unchanged ones are not read again (not even after a
// restart: the ingest log remembers them), and a bad file leaves the store as it was.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <functional>
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
    // The largest first: search's 10, then ads's 5.
    EXPECT_EQ(owners["rows"][1]["owner"], "ads");
    EXPECT_EQ(owners["rows"][1]["cost"], "5");
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

// tally.yaml is read again when it changes and on SIGHUP: a new policy reallocates; a broken or
// missing file keeps the running config, says why on /api/v1/sources, and serve goes on.
TEST_F(ScheduledBillsTest, ConfigChangesAreReloadedAndBadOnesKeepTheRunningConfig) {
  auto serve = Serve();
  ASSERT_EQ(WaitForTotal("10"), "10") << testing::ReadFile(dir_.File("serve.log"));
  const std::string source = "sources:\n  - name: cloud\n    kind: focus\n    path: " +
                             dir_.File("bills") + "\n    every: 0.2s\n";
  // Polls (30 s at most) until `ok` holds for /api/v1/sources and showback by owner.
  auto wait_for = [&](const std::function<bool(const json&, const json&)>& ok) {
    for (int i = 0; i < 150; ++i) {
      const json sources = Data("/api/v1/sources");
      const json owners = Data("/api/v1/showback?by=owner");
      if (sources.is_object() && owners.is_object() && ok(sources, owners)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  };
  const std::string first_digest = Data("/api/v1/sources")["config"]["digest"];
  EXPECT_EQ(Data("/api/v1/sources")["config"]["error"], "");

  // A new ownership rule: the hours are allocated again under it.
  testing::WriteFile(dir_.File("tally.yaml"),
                     source + "ownership:\n  - match: {tag.team: \"*\"}\n    owner: org/{tag.team}\n");
  EXPECT_TRUE(wait_for([&](const json& s, const json& o) {
    return s["config"]["digest"] != first_digest && o["rows"].size() == 1 &&
           o["rows"][0]["owner"] == "org/search";
  })) << testing::ReadFile(dir_.File("serve.log"));
  const std::string second_digest = Data("/api/v1/sources")["config"]["digest"];

  // Broken, then gone: the running config stays, and /api/v1/sources says why.
  testing::WriteFile(dir_.File("tally.yaml"), "ownership: [\n");
  EXPECT_TRUE(wait_for([&](const json& s, const json&) {
    return s["config"]["error"].get<std::string>().find(dir_.File("tally.yaml")) == 0;
  })) << Data("/api/v1/sources").dump();
  std::filesystem::remove(dir_.File("tally.yaml"));
  EXPECT_TRUE(wait_for([&](const json& s, const json&) {
    return s["config"]["error"].get<std::string>().find("no such file") != std::string::npos;
  })) << Data("/api/v1/sources").dump();
  EXPECT_EQ(Data("/api/v1/sources")["config"]["digest"], second_digest);
  EXPECT_EQ(Data("/api/v1/showback?by=owner")["rows"][0]["owner"], "org/search");
  EXPECT_TRUE(serve->running());

  // Restored; then SIGHUP reads it again at once and does not end serve.
  testing::WriteFile(dir_.File("tally.yaml"), source);
  EXPECT_TRUE(wait_for([&](const json& s, const json& o) {
    return s["config"]["error"] == "" && o["rows"][0]["owner"] == "search";
  })) << testing::ReadFile(dir_.File("serve.log"));
  auto reloads = [&] {
    const std::string log = testing::ReadFile(dir_.File("serve.log"));
    size_t n = 0;
    for (size_t at = log.find("config reloaded"); at != std::string::npos;
         at = log.find("config reloaded", at + 1)) {
      ++n;
    }
    return n;
  };
  const size_t before = reloads();
  ASSERT_EQ(kill(serve->pid(), SIGHUP), 0);
  for (int i = 0; i < 50 && reloads() == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(reloads(), before + 1) << testing::ReadFile(dir_.File("serve.log"));
  EXPECT_TRUE(serve->running());
  EXPECT_EQ(testing::HttpGet(port_, "/healthz", nullptr), 200);
  EXPECT_EQ(serve->Stop(), 0);
}

TEST_F(ScheduledBillsTest, AnUnknownFormatStopsServeAtStart) {
  testing::WriteFile(dir_.File("tally.yaml"), "sources:\n  - kind: fokus\n    path: /x\n");
  auto r = testing::RunTally({"--store", dir_.File("t.db"), "serve", "--listen",
                              "127.0.0.1:" + std::to_string(testing::FreePort()), "--config",
                              dir_.File("tally.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("kind \"fokus\" is neither prometheus, slurm, redis nor a bill format (focus, "),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace tally
