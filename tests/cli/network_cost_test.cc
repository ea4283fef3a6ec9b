// Network cost by bytes: pods' IPs from kube telemetry (an IP reused by another pod an hour
// later), a static CIDR owner, an address nobody names; the bill's transfer lines of each class
// split by the gigabytes each consumer sent, the unnamed bytes idle, an hour without flows left
// unallocated; or a rate card per GB instead. Figures are worked out by hand below, and the
// bill reconciles exactly.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tally/decimal.h"
#include "tally/time.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

constexpr const char* kHour = "2026-11-02T10:00:00Z";  // H; H+1 is 11:00

class NetworkCostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const int64_t h = ParseTimestamp(kHour)->unix_seconds();
    std::string scrape;
    auto sample = [&](const std::string& series, const std::string& value, int64_t hour) {
      for (int64_t t : {hour, hour + 1800}) {
        scrape += series + " " + value + " " + std::to_string(t * 1000) + "\n";
      }
    };
    auto pod = [&](const std::string& ns, const std::string& name, const std::string& node,
                   const std::string& ip, int64_t hour) {
      sample("kube_pod_info{namespace=\"" + ns + "\",pod=\"" + name + "\",node=\"" + node +
                 "\",pod_ip=\"" + ip + "\"}",
             "1", hour);
      sample("kube_pod_labels{namespace=\"" + ns + "\",pod=\"" + name + "\",label_team=\"" + ns +
                 "\"}",
             "1", hour);
      sample("kube_pod_container_resource_requests{namespace=\"" + ns + "\",pod=\"" + name +
                 "\",container=\"main\",node=\"" + node + "\",resource=\"cpu\",unit=\"core\"}",
             "1", hour);
    };
    for (const auto& [node, zone] : {std::pair{"n1", "us-east-1a"}, std::pair{"n2", "us-east-1b"}}) {
      for (int64_t hour : {h, h + 3600}) {
        sample(std::string("kube_node_labels{node=\"") + node +
                   "\",label_topology_kubernetes_io_zone=\"" + zone + "\",label_team=\"platform\"}",
               "1", hour);
        sample(std::string("kube_node_status_capacity{node=\"") + node +
                   "\",resource=\"cpu\",unit=\"core\"}",
               "4", hour);
      }
    }
    // n1's own address (the kubelet, host-network pods).
    sample("kube_node_info{node=\"n1\",internal_ip=\"10.0.0.11\"}", "1", h + 3600);
    pod("search", "api-1", "n1", "10.1.0.5", h);
    pod("ads", "web-1", "n2", "10.1.0.6", h);
    pod("ads", "web-2", "n2", "10.1.0.5", h + 3600);  // search's IP, an hour later
    testing::WriteFile(dir_.File("kube.prom"), scrape);

    auto flow = [&](const char* src, const char* dst, int64_t bytes, int64_t start) {
      return std::string("2 1 eni-1 ") + src + " " + dst + " 1 2 6 1 " + std::to_string(bytes) +
             " " + std::to_string(start) + " " + std::to_string(start + 60) + " ACCEPT OK\n";
    };
    testing::WriteFile(dir_.File("flows.log"),
                       flow("10.1.0.5", "10.1.0.6", 3'000'000'000, h + 60) +    // inter-zone
                           flow("10.1.0.5", "8.8.8.8", 6'000'000'000, h + 120) +  // internet
                           flow("10.1.0.6", "8.8.4.4", 2'000'000'000, h + 180) +
                           flow("10.9.1.1", "1.1.1.1", 1'000'000'000, h + 240) +  // vpn rule
                           flow("10.7.7.7", "1.1.1.1", 1'000'000'000, h + 300) +  // nobody's
                           flow("10.1.0.5", "8.8.8.8", 5'000'000'000, h + 3700) + // web-2 now
                           flow("10.0.0.11", "8.8.8.8", 1'000'000'000, h + 3800) +  // node n1
                           flow("10.0.0.99", "8.8.8.8", 1'000'000'000, h + 3900));  // gw-1
    // An inventory asset's address label: the gateway holds 10.0.0.99 in the hour it exists.
    testing::WriteFile(dir_.File("inventory.csv"),
                       "start,end,asset,resource,capacity,unit,labels\n"
                       "2026-11-02T11:00:00Z,2026-11-02T12:00:00Z,gw-1,cpu,2,core,"
                       "address=10.0.0.99;team=net;zone=us-east-1a\n");
    testing::WriteFile(
        dir_.File("bill.csv"),
        "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,"
        "EffectiveCost,BilledCost,ServiceName,ResourceId,SkuMeter,Tags\n"
        "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,0.90,0.90,AWS Data "
        "Transfer,,USE1-DataTransfer-Out-Bytes,\n"
        "a,AWS,2026-11-01,2026-11-02T10:00:00Z,2026-11-02T11:00:00Z,0.03,0.03,AWS Data "
        "Transfer,,USE1-DataTransfer-Regional-Bytes,\n"
        // H+1 internet: web-2's 5 GB, n1's and gw-1's 1 GB each.
        "a,AWS,2026-11-01,2026-11-02T11:00:00Z,2026-11-02T12:00:00Z,0.49,0.49,AWS Data "
        "Transfer,,USE1-DataTransfer-Out-Bytes,\n"
        // H+1 has no inter-zone flows: the line stays unallocated, owned by its tag.
        "a,AWS,2026-11-01,2026-11-02T11:00:00Z,2026-11-02T12:00:00Z,0.07,0.07,AWS Data "
        "Transfer,,USE1-DataTransfer-Regional-Bytes,\"{\"\"team\"\":\"\"ads\"\"}\"\n");
  }
  void Load(const std::string& yaml) {
    // The bill here has transfer lines only: the nodes' estimated cost is left out, so every
    // figure is the network's.
    testing::WriteFile(dir_.File("tally.yaml"),
                       "estimates: {enabled: false}\nnetwork:\n  owners:\n    - {cidr: "
                       "10.9.0.0/16, consumer: vpn, labels: {team: it}}\n" + yaml);
    for (auto args : std::vector<std::vector<std::string>>{
             {"ingest", "kube-scrape", dir_.File("kube.prom")},
             {"ingest", "inventory", dir_.File("inventory.csv")},
             {"ingest", "vpc-flow", dir_.File("flows.log"), "--config", dir_.File("tally.yaml")},
             {"ingest", "focus", dir_.File("bill.csv")},
             {"allocate", "--config", dir_.File("tally.yaml")}}) {
      auto r = Tally(args);
      ASSERT_EQ(r.exit_code, 0) << args[1] << ": " << r.err;
    }
  }
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  // Showback cost per key over network rows, and the reconcile rows' sums.
  std::map<std::string, Decimal> Showback(const std::string& by) {
    auto r = Tally({"report", "showback", "--by", by, "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, Decimal> out;
    const nlohmann::json parsed_1 = nlohmann::json::parse(r.out);
    for (const auto& row : parsed_1["rows"]) {
      std::string key;
      for (const std::string& k : {by.substr(0, by.find(',')), by.substr(by.find(',') + 1)}) {
        key += (key.empty() ? "" : "|") + row[k].get<std::string>();
        if (by.find(',') == std::string::npos) break;
      }
      out[key] += *Decimal::Parse(row["cost"].get<std::string>());
    }
    return out;
  }
  void ExpectReconciled() {
    auto r = Tally({"reconcile", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const nlohmann::json parsed_2 = nlohmann::json::parse(r.out);
    for (const auto& row : parsed_2["rows"]) {
      const Decimal bill = *Decimal::Parse(row["bill"].get<std::string>());
      EXPECT_EQ(*Decimal::Parse(row["allocated"].get<std::string>()) +
                    *Decimal::Parse(row["idle"].get<std::string>()) +
                    *Decimal::Parse(row["unallocated"].get<std::string>()),
                bill)
          << row.dump();
      EXPECT_EQ(row["difference"], "0") << row.dump();
    }
  }
  testing::TempDir dir_;
};

TEST_F(NetworkCostTest, TransferLinesSplitByBytesAndAddressesResolveByHour) {
  Load("");
  // Hour H internet, 10 GB for $0.90: search 6 GB $0.54, ads 2 GB $0.18, vpn 1 GB $0.09, and
  // the 1 GB nobody is named for $0.09 idle. Inter-zone: search's 3 GB, all $0.03. H+1: web-2
  // sent 5 of the 7 GB, from search's old IP: $0.35; the nodes n1 (kube_node_info) and gw-1
  // (the inventory's address label) 1 GB each, $0.07; the inter-zone $0.07 without flows
  // unallocated.
  const auto cost = Showback("consumer,kind");
  EXPECT_EQ(cost.at("search/api-1|direct"), *Decimal::Parse("0.57"));
  EXPECT_EQ(cost.at("ads/web-1|direct"), *Decimal::Parse("0.18"));
  EXPECT_EQ(cost.at("ads/web-2|direct"), *Decimal::Parse("0.35"));
  EXPECT_EQ(cost.at("n1|direct"), *Decimal::Parse("0.07"));
  EXPECT_EQ(cost.at("gw-1|direct"), *Decimal::Parse("0.07"));
  EXPECT_EQ(cost.at("vpn|direct"), *Decimal::Parse("0.09"));
  EXPECT_EQ(cost.at("__idle__|idle"), *Decimal::Parse("0.09"));
  EXPECT_EQ(cost.at("__unallocated__|unallocated"), *Decimal::Parse("0.07"));
  const auto owners = Showback("owner");
  EXPECT_EQ(owners.at("it"), *Decimal::Parse("0.09"));
  EXPECT_EQ(owners.at("ads"), *Decimal::Parse("0.60"));  // 0.18 + 0.35 + the tagged 0.07
  EXPECT_EQ(owners.at("net"), *Decimal::Parse("0.07"));
  EXPECT_EQ(owners.at("platform"), *Decimal::Parse("0.07"));  // n1, by its team label
  EXPECT_EQ(owners.at("search"), *Decimal::Parse("0.57"));
  ExpectReconciled();

  auto flows = Tally({"flows", "--by", "consumer,class", "--format", "csv", "--config",
                      dir_.File("tally.yaml")});
  ASSERT_EQ(flows.exit_code, 0) << flows.err;
  for (const char* row : {"search/api-1,internet,6000000000,1", "search/api-1,inter-zone,3000000000,1",
                          "ads/web-2,internet,5000000000,1", "ads/web-1,internet,2000000000,1",
                          "vpn,internet,1000000000,1", "__unattributed__,internet,1000000000,1",
                          "n1,internet,1000000000,1", "gw-1,internet,1000000000,1"}) {
    EXPECT_NE(flows.out.find(std::string("\n") + row + "\n"), std::string::npos) << row << "\n"
                                                                                 << flows.out;
  }
  auto owners_flows = Tally({"flows", "--by", "owner", "--format", "csv", "--config",
                             dir_.File("tally.yaml")});
  EXPECT_NE(owners_flows.out.find("\nsearch,9000000000,2\n"), std::string::npos) << owners_flows.out;
  EXPECT_NE(owners_flows.out.find("\nit,1000000000,1\n"), std::string::npos) << owners_flows.out;
}

TEST_F(NetworkCostTest, ARateCardPricesItsClassInsteadOfTheBill) {
  Load("  prices: {inter-zone: 0.02}\n");
  // Inter-zone now costs 3 GB × $0.02 = $0.06 from the rate card, all search's; the bill's
  // inter-zone lines ($0.03 and $0.07) are unallocated, not counted twice.
  const auto by_source = Showback("source,consumer");
  EXPECT_EQ(by_source.at("rate-card|search/api-1"), *Decimal::Parse("0.06"));
  EXPECT_EQ(by_source.at("AWS|search/api-1"), *Decimal::Parse("0.54"));
  EXPECT_EQ(by_source.at("AWS|__unallocated__"), *Decimal::Parse("0.10"));
  ExpectReconciled();
}

}  // namespace
}  // namespace tally
