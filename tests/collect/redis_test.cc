// tally collect redis against a real redis-server from Debian on a free loopback port: three
// tenants' keys at known sizes; each tenant's share, from a 10% sample, is within 5% of the
// truth the test measures itself over every key (MEMORY USAGE through its own connection); the
// cache's bill line splits by those shares and reconciles exactly; a time budget that stops the
// walk early still answers, and says so.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tally/decimal.h"
#include "tally/time.h"
#include "testing/process.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = testing::FreePort();
    server_ = std::make_unique<testing::ChildProcess>(
        "/usr/bin/redis-server",
        std::vector<std::string>{"--port", std::to_string(port_), "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no", "--maxmemory", "256mb",
                                 "--enable-debug-command", "yes", "--dir", dir_.path()},
        dir_.File("redis.log"));
    for (int i = 0; i < 100 && c_ == nullptr; ++i) {
      redisContext* c = redisConnect("127.0.0.1", port_);
      if (c != nullptr && c->err == 0) {
        c_ = c;
      } else {
        if (c != nullptr) redisFree(c);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ASSERT_NE(c_, nullptr) << testing::ReadFile(dir_.File("redis.log"));
    // Three tenants: 3,000 values of 1,000 bytes, 1,000 of 4,000 and 5,000 of 300.
    for (const auto& [prefix, keys, size] :
         {std::tuple{"sess", 3000, 1000}, std::tuple{"cart", 1000, 4000},
          std::tuple{"feed", 5000, 300}}) {
      Command({"DEBUG", "POPULATE", std::to_string(keys), prefix, std::to_string(size)});
    }
  }
  void TearDown() override {
    if (c_ != nullptr) redisFree(c_);
  }
  redisReply* Command(std::initializer_list<std::string> args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), lens.data()));
    EXPECT_NE(r, nullptr);
    replies_.emplace_back(r, freeReplyObject);
    return r;
  }
  // The truth: every key's MEMORY USAGE, summed by the text before its ':'.
  std::map<std::string, double> TrueShares() {
    std::map<std::string, double> bytes;
    double total = 0;
    std::string cursor = "0";
    do {
      redisReply* scan = Command({"SCAN", cursor, "COUNT", "1000"});
      cursor.assign(scan->element[0]->str, scan->element[0]->len);
      for (size_t i = 0; i < scan->element[1]->elements; ++i) {
        const std::string key(scan->element[1]->element[i]->str, scan->element[1]->element[i]->len);
        const double used = static_cast<double>(Command({"MEMORY", "USAGE", key})->integer);
        bytes[key.substr(0, key.find(':'))] += used;
        total += used;
      }
    } while (cursor != "0");
    for (auto& [tenant, b] : bytes) b /= total;
    return bytes;
  }
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  std::string Url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  testing::TempDir dir_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> server_;
  redisContext* c_ = nullptr;
  std::vector<std::unique_ptr<redisReply, void (*)(void*)>> replies_;
};

TEST_F(RedisTest, EachTenantsShareIsWithinFivePercentAndTheBillReconciles) {
  auto collect = Tally({"collect", "redis", "--url", Url(), "--sample-rate", "0.1", "--hour",
                        "2026-11-02T10:00:00Z", "--resource-id", "cache-1"});
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  EXPECT_NE(collect.out.find("9000 of 9000 keys walked in"), std::string::npos) << collect.out;
  const auto truth = TrueShares();
  ASSERT_EQ(truth.size(), 3u);

  auto usage = Tally({"usage", "--by", "consumer", "--format", "json"});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  std::map<std::string, Decimal> gib;
  Decimal total;
  const nlohmann::json parsed_1 = nlohmann::json::parse(usage.out);
  for (const auto& row : parsed_1["rows"]) {
    ASSERT_EQ(row["resource"], "cache_memory");
    gib[row["consumer"]] = *Decimal::Parse(row["usage"].get<std::string>());
    total += gib[row["consumer"]];
  }
  for (const auto& [tenant, share] : truth) {
    const double got = std::stod(gib[tenant].ToString()) / std::stod(total.ToString());
    EXPECT_NEAR(got / share, 1.0, 0.05) << tenant << ": " << got << " vs " << share;
  }

  // The cache's $2 hour splits by the tenants' memory; what maxmemory leaves unused is idle.
  testing::WriteFile(dir_.File("bill.csv"),
                     "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,"
                     "ChargePeriodEnd,EffectiveCost,BilledCost,ServiceName,ResourceId\n"
                     "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,2,2,Amazon "
                     "ElastiCache,cache-1\n");
  ASSERT_EQ(Tally({"ingest", "focus", dir_.File("bill.csv")}).exit_code, 0);
  ASSERT_EQ(Tally({"allocate"}).exit_code, 0);
  auto showback = Tally({"report", "showback", "--by", "consumer", "--format", "json"});
  ASSERT_EQ(showback.exit_code, 0) << showback.err;
  std::map<std::string, Decimal> cost;
  Decimal sum;
  const nlohmann::json parsed_2 = nlohmann::json::parse(showback.out);
  for (const auto& row : parsed_2["rows"]) {
    cost[row["consumer"]] = *Decimal::Parse(row["cost"].get<std::string>());
    sum += cost[row["consumer"]];
  }
  EXPECT_EQ(sum, Decimal::FromUnits(2));
  EXPECT_GT(cost["__idle__"], Decimal());  // 256 MiB of maxmemory, a few MiB used
  for (const auto& [tenant, share] : truth) {
    const Decimal direct = sum - cost["__idle__"];
    const double got = std::stod(cost[tenant].ToString()) / std::stod(direct.ToString());
    EXPECT_NEAR(got / share, 1.0, 0.05) << tenant;
  }
  auto reconcile = Tally({"reconcile", "--format", "csv"});
  EXPECT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;

  // Collecting the same hour again replaces it.
  auto again = Tally({"collect", "redis", "--url", Url(), "--sample-rate", "0.1", "--hour",
                      "2026-11-02T10:00:00Z", "--resource-id", "cache-1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("3 usage facts stored (3 replaced)"), std::string::npos) << again.out;
}

TEST_F(RedisTest, ServeCollectsARedisSource) {
  testing::WriteFile(dir_.File("tally.yaml"), "sources:\n  - name: cache\n    kind: redis\n"
                                              "    url: " + Url() + "\n    every: 1h\n");
  std::string failure;
  const std::string cache = testing::ServeUntilCollected(
      dir_.File("t.db"), dir_.File("tally.yaml"), "cache", dir_.File("serve.log"), &failure);
  ASSERT_NE(cache, "") << failure;
  EXPECT_EQ(nlohmann::json::parse(cache)["last_error"], "");
  const std::string usage = Tally({"usage", "--by", "consumer", "--format", "csv"}).out;
  for (const char* tenant : {"\nsess,cache_memory,GiB,", "\ncart,", "\nfeed,"}) {
    EXPECT_NE(usage.find(tenant), std::string::npos) << usage;
  }
}

// The tenant lines of `tally collect redis`: tenant -> (keys, measured keys).
std::map<std::string, std::pair<int64_t, int64_t>> Measured(const std::string& out) {
  std::map<std::string, std::pair<int64_t, int64_t>> m;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string tenant, keys_word, measured_word;
    int64_t keys = 0, measured = 0;
    if (f >> tenant >> keys >> keys_word >> measured >> measured_word && keys_word == "keys") {
      m[tenant] = {keys, measured};
    }
  }
  return m;
}

TEST_F(RedisTest, TheSampleRateChoosesHowManyKeysAreMeasured) {
  auto all = Tally({"collect", "redis", "--url", Url(), "--sample-rate", "1"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const auto every = Measured(all.out);
  ASSERT_EQ(every.size(), 3u) << all.out;
  for (const auto& [tenant, counts] : every) EXPECT_EQ(counts.second, counts.first) << tenant;
  auto tenth = Tally({"collect", "redis", "--url", Url(), "--sample-rate", "0.1"});
  ASSERT_EQ(tenth.exit_code, 0) << tenth.err;
  // About a tenth of each tenant's keys, by hash, plus its first 16.
  for (const auto& [tenant, counts] : Measured(tenth.out)) {
    EXPECT_GT(counts.second, counts.first / 20) << tenant;
    EXPECT_LT(counts.second, counts.first / 5 + 16) << tenant;
  }
}

TEST_F(RedisTest, ATimeBudgetStopsTheWalkAndTheRestIsExtrapolated) {
  auto collect = Tally({"collect", "redis", "--url", Url(), "--time-budget", "0.000001"});
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  EXPECT_NE(collect.out.find("time budget reached"), std::string::npos) << collect.out;
  auto down = Tally({"collect", "redis", "--url", "redis://127.0.0.1:1"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("redis: connect to 127.0.0.1:1"), std::string::npos) << down.err;
  auto bad = Tally({"collect", "redis", "--url", "http://x"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("not a redis://host:port URL"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// Every resource class in one store and one bill: a node's cpu, a volume, a bucket, the cache,
// internet transfer, and a tax line nothing owns. Allocation gives each its rows, and the bill
// reconciles exactly, to the last unit.
TEST_F(RedisTest, ComputeNetworkStorageAndCacheReconcileTogether) {
  const std::string hour = "2026-11-02T10:00:00Z";
  const int64_t h = ParseTimestamp(hour)->unix_seconds();
  std::string scrape;
  auto at = [&](const std::string& series, const std::string& value) {
    for (int64_t t : {h, h + 1800}) scrape += series + " " + value + " " + std::to_string(t * 1000) + "\n";
  };
  at("kube_node_status_capacity{node=\"n1\",resource=\"cpu\",unit=\"core\"}", "8");
  at("kube_node_labels{node=\"n1\",label_topology_kubernetes_io_zone=\"us-east-1a\"}", "1");
  at("kube_node_info{node=\"n1\",provider_id=\"aws:///us-east-1a/i-0n1\"}", "1");
  at("kube_pod_info{namespace=\"search\",pod=\"api\",node=\"n1\",pod_ip=\"10.1.0.5\"}", "1");
  at("kube_pod_labels{namespace=\"search\",pod=\"api\",label_team=\"search\"}", "1");
  at("kube_pod_container_resource_requests{namespace=\"search\",pod=\"api\",container=\"main\","
     "node=\"n1\",resource=\"cpu\",unit=\"core\"}", "3");
  at("kube_persistentvolume_capacity_bytes{persistentvolume=\"pv-1\"}", "107374182400");
  at("kube_persistentvolume_info{persistentvolume=\"pv-1\",ebs_volume_id=\"vol-1\"}", "1");
  at("kube_persistentvolumeclaim_info{namespace=\"search\",persistentvolumeclaim=\"data\","
     "volumename=\"pv-1\"}", "1");
  at("kube_pod_spec_volumes_persistentvolumeclaims_info{namespace=\"search\",pod=\"api\","
     "volume=\"v\",persistentvolumeclaim=\"data\"}", "1");
  testing::WriteFile(dir_.File("kube.prom"), scrape);
  testing::WriteFile(dir_.File("flows.log"),
                     "2 1 eni-1 10.1.0.5 8.8.8.8 1 2 6 3 3000000000 " + std::to_string(h + 60) +
                         " " + std::to_string(h + 120) + " ACCEPT OK\n"
                         "2 1 eni-1 10.2.0.9 8.8.8.8 1 2 6 1 1000000000 " + std::to_string(h + 60) +
                         " " + std::to_string(h + 120) + " ACCEPT OK\n");
  testing::WriteFile(dir_.File("storage.csv"),
                     "date,bucket,prefix,bytes,labels\n"
                     "2026-11-02,lake,raw/,3000,team=ingest\n2026-11-02,lake,tmp/,1000,\n");
  testing::WriteFile(
      dir_.File("bill.csv"),
      "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,"
      "EffectiveCost,BilledCost,ServiceName,ResourceId,SkuMeter\n"
      "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,0.4,0.4,EC2,i-0n1,\n"
      "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,0.0137,0.0137,EBS,vol-1,\n"
      "a,AWS,2026-11-01,2026-11-02T00:00:00Z,2026-11-03T00:00:00Z,0.0700001,0.0700001,S3,lake,\n"
      "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,0.3333333,0.3333333,"
      "ElastiCache,cache-1,\n"
      "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,0.36,0.36,Data Transfer,,"
      "USE1-DataTransfer-Out-Bytes\n"
      "a,AWS,2026-11-01,2026-11-02T00:00:00Z,2026-11-03T00:00:00Z,0.05,0.05,Tax,,\n");
  for (auto args : std::vector<std::vector<std::string>>{
           {"ingest", "kube-scrape", dir_.File("kube.prom")},
           {"ingest", "vpc-flow", dir_.File("flows.log")},
           {"ingest", "storage-csv", dir_.File("storage.csv")},
           {"collect", "redis", "--url", Url(), "--hour", hour, "--resource-id", "cache-1"},
           {"ingest", "focus", dir_.File("bill.csv")},
           {"allocate"}}) {
    auto r = Tally(args);
    ASSERT_EQ(r.exit_code, 0) << args[1] << ": " << r.err;
  }
  auto reconcile = Tally({"reconcile", "--format", "json"});
  ASSERT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;
  const auto rows = nlohmann::json::parse(reconcile.out)["rows"];
  ASSERT_EQ(rows.size(), 2u) << reconcile.out;  // AWS and the TOTAL row
  ASSERT_EQ(rows[0]["source"], "AWS");
  const Decimal bill = *Decimal::Parse(rows[0]["bill"].get<std::string>());
  EXPECT_EQ(bill, *Decimal::Parse("1.2270334"));
  EXPECT_EQ(*Decimal::Parse(rows[0]["allocated"].get<std::string>()) +
                *Decimal::Parse(rows[0]["idle"].get<std::string>()) +
                *Decimal::Parse(rows[0]["unallocated"].get<std::string>()),
            bill);
  EXPECT_EQ(rows[0]["difference"], "0");

  auto showback = Tally({"report", "showback", "--by", "resource,kind", "--format", "json"});
  ASSERT_EQ(showback.exit_code, 0) << showback.err;
  std::map<std::string, Decimal> cost;
  Decimal sum;
  const nlohmann::json parsed_3 = nlohmann::json::parse(showback.out);
  for (const auto& row : parsed_3["rows"]) {
    const Decimal c = *Decimal::Parse(row["cost"].get<std::string>());
    cost[row["resource"].get<std::string>() + "|" + row["kind"].get<std::string>()] += c;
    sum += c;
  }
  EXPECT_EQ(sum, bill);
  for (const char* key : {"cpu|direct", "storage|direct", "network|direct", "network|idle",
                          "cache_memory|direct", "cache_memory|idle", "|unallocated"}) {
    EXPECT_GT(cost[key], Decimal()) << key << "\n" << showback.out;
  }
  // Transfer: 3 of the 4 GB were search's pod: $0.27, the unnamed GB $0.09 idle.
  EXPECT_EQ(cost["network|direct"], *Decimal::Parse("0.27"));
  EXPECT_EQ(cost["network|idle"], *Decimal::Parse("0.09"));
  // The whole volume is the pod's; the bucket's hour is its prefixes', no idle.
  EXPECT_EQ(cost["storage|direct"], *Decimal::Parse("0.0137") + *Decimal::Parse("0.0700001"));

  // By resource class: every class has its share, and they add up to the bill.
  auto by_class = Tally({"report", "showback", "--by", "class", "--format", "json"});
  ASSERT_EQ(by_class.exit_code, 0) << by_class.err;
  std::map<std::string, Decimal> classes;
  Decimal class_sum;
  const nlohmann::json class_rows = nlohmann::json::parse(by_class.out);
  for (const auto& row : class_rows["rows"]) {
    classes[row["class"].get<std::string>()] = *Decimal::Parse(row["cost"].get<std::string>());
    class_sum += classes[row["class"].get<std::string>()];
  }
  EXPECT_EQ(class_sum, bill);
  EXPECT_EQ(classes["compute"], *Decimal::Parse("0.4"));
  EXPECT_EQ(classes["network"], *Decimal::Parse("0.36"));
  EXPECT_EQ(classes["storage"], *Decimal::Parse("0.0837001"));
  EXPECT_EQ(classes["cache"], *Decimal::Parse("0.3333333"));
  EXPECT_EQ(classes["other"], *Decimal::Parse("0.05"));
}

}  // namespace
}  // namespace tally
