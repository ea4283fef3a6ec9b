// A Kubernetes-only platform (a kube-state-metrics scrape, no bill): allocation estimates each
// node's cost from reference prices, marks it as estimated in showback, the API's JSON and
// reconcile, and keeps it out of the billed TOTAL (issue 16). The expected figures come from the
// raw scrape, parsed here.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <regex>

#include "tally/decimal.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

std::string Ksm() {
  return testing::SharedDataDir() +
         "/telemetry/kubernetes/datadog-integrations-core/ksm-standard-tags-gke.txt";
}

Decimal D(const std::string& text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Decimal();
}

struct Scrape {
  Decimal nodes;    // Σ cores × $0.031611 + GiB × $0.004237 (OpenCost's default prices)
  Decimal volumes;  // Σ claimed GiB × $0.0000547945 ($0.04 per GiB-month)
  int node_count = 0;
};

// One hour of the scrape's nodes and claimed volumes at tally's default reference prices.
Scrape ReferenceEstimate() {
  std::ifstream in(Ksm());
  const std::regex capacity(
      R"re(^kube_node_status_capacity\{node="([^"]+)",resource="(cpu|memory)",[^}]*\} (\S+))re");
  const std::regex claim(
      R"re(^kube_persistentvolumeclaim_resource_requests_storage_bytes\{[^}]*\} (\S+))re");
  std::map<std::string, std::map<std::string, Decimal>> nodes;
  Scrape out;
  const Decimal gib = Decimal::FromUnits(1024 * 1024 * 1024);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, capacity)) nodes[m[1]][m[2]] = D(m[3]);
    if (std::regex_search(line, m, claim)) {
      out.volumes += *D(m[1]).Divide(gib)->Multiply(D("0.0000547945"));
    }
  }
  for (const auto& [node, c] : nodes) {
    out.nodes += *c.at("cpu").Multiply(D("0.031611"));
    out.nodes += *c.at("memory").Divide(gib)->Multiply(D("0.004237"));
  }
  out.node_count = static_cast<int>(nodes.size());
  return out;
}

class EstimateTest : public ::testing::Test {
 protected:
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  void IngestAndAllocate(const std::string& config_text) {
    testing::WriteFile(dir_.File("tally.yaml"), config_text);
    auto ingest = Tally({"ingest", "kube-scrape", Ksm(), "--at", "2024-01-01T00:00:00Z"});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    allocate_ = Tally({"allocate", "--config", dir_.File("tally.yaml")});
    ASSERT_EQ(allocate_.exit_code, 0) << allocate_.err;
  }
  // The estimate row of `tally reconcile --format json`, and its TOTAL row.
  std::pair<nlohmann::json, nlohmann::json> Reconcile() {
    auto r = Tally({"reconcile", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    nlohmann::json estimate, total;
    for (const auto& row : doc["rows"]) {
      if (row["source"] == "estimate") estimate = row;
      if (row["source"] == "TOTAL") total = row;
    }
    reconcile_err_ = r.err;
    return {estimate, total};
  }

  testing::TempDir dir_;
  testing::CommandResult allocate_;
  std::string reconcile_err_;
};

TEST_F(EstimateTest, NodesWithoutABillCostTheirCapacityAtReferencePrices) {
  IngestAndAllocate("ownership:\n  - match: {namespace: \"*\"}\n    owner: \"{namespace}\"\n");
  const Scrape scrape = ReferenceEstimate();
  ASSERT_EQ(scrape.node_count, 3);
  ASSERT_FALSE(scrape.volumes.is_zero());  // two claimed 1 GiB volumes
  const Decimal expected = scrape.nodes + scrape.volumes;
  EXPECT_NE(allocate_.out.find("bill none; estimated"), std::string::npos) << allocate_.out;

  const auto [estimate, total] = Reconcile();
  ASSERT_FALSE(estimate.is_null());
  const Decimal bill = D(estimate["bill"].get<std::string>());
  // The allocator rounds each capacity and product to 18 digits, as this sum does.
  const Decimal difference = bill - expected;
  EXPECT_LE(difference.is_negative() ? -difference : difference, D("0.000000000001"))
      << bill.ToString() << " vs " << expected.ToString();
  // Split exactly into allocated + idle, and not in the billed TOTAL.
  EXPECT_EQ(D(estimate["allocated"].get<std::string>()) + D(estimate["idle"].get<std::string>()) +
                D(estimate["unallocated"].get<std::string>()),
            bill);
  EXPECT_EQ(D(estimate["difference"].get<std::string>()), Decimal());
  EXPECT_EQ(D(total["bill"].get<std::string>()), Decimal());
  EXPECT_NE(reconcile_err_.find("more is estimated"), std::string::npos) << reconcile_err_;

  // Showback marks it: JSON per row and in total; the table has its own column and a note.
  auto json = Tally({"report", "showback", "--by", "owner", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(D(doc["estimated"].get<std::string>()), bill);
  EXPECT_EQ(D(doc["total"].get<std::string>()), bill);
  Decimal rows;
  for (const auto& row : doc["rows"]) {
    EXPECT_EQ(row["estimated"], row["cost"]) << row.dump();  // no bill: all of it is estimated
    rows += D(row["estimated"].get<std::string>());
  }
  EXPECT_EQ(rows, bill);
  auto table = Tally({"report", "showback", "--by", "owner"});
  EXPECT_NE(table.out.find("estimated"), std::string::npos) << table.out;
  EXPECT_NE(table.err.find("is estimated at reference prices"), std::string::npos) << table.err;
}

TEST_F(EstimateTest, AnInstancePriceWinsAndEstimatesCanBeTurnedOff) {
  IngestAndAllocate("estimates:\n  instance_prices: {n1-standard-1: 0.0475}\n");
  auto [estimate, total] = Reconcile();
  ASSERT_FALSE(estimate.is_null());
  // 3 nodes × $0.0475, and the volumes (no instance type) at the storage price.
  EXPECT_EQ(D(estimate["bill"].get<std::string>()), D("0.1425") + ReferenceEstimate().volumes);

  testing::WriteFile(dir_.File("tally.yaml"), "estimates: {enabled: false}\n");
  auto again = Tally({"allocate", "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto r = Tally({"reconcile", "--format", "json"});
  EXPECT_EQ(r.out.find("\"estimate\""), std::string::npos) << r.out;

  testing::WriteFile(dir_.File("bad.yaml"), "estimates: {enabled: maybe}\n");
  auto bad = Tally({"allocate", "--config", dir_.File("bad.yaml")});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("estimates.enabled"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tally
