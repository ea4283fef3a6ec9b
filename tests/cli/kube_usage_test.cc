// tally ingest kube-scrape and tally usage, end to end through the binary.
#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

class KubeUsageCliTest : public ::testing::Test {
 protected:
  std::string ksm() const {
    return testing::SharedDataDir() +
           "/telemetry/kubernetes/datadog-integrations-core/ksm-standard-tags-gke.txt";
  }
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  testing::TempDir dir_;
};

TEST_F(KubeUsageCliTest, IngestsAScrapeAndReportsUsageIdempotently) {
  auto ingest = Tally({"ingest", "kube-scrape", ksm(), "--at", "2024-01-01T00:00:00Z"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  // 62 container facts, and the 2 pods that mount persistent volumes.
  EXPECT_NE(ingest.out.find("40 containers, 3 nodes, 64 usage facts over 1 hours"),
            std::string::npos)
      << ingest.out;
  auto first = Tally({"usage", "--by", "namespace", "--format", "csv"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("namespace,resource,unit,request,usage,efficiency_pct"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("kube-system,cpu,core,"), std::string::npos) << first.out;

  auto again = Tally({"ingest", "kube-scrape", ksm(), "--at", "2024-01-01T00:00:00Z"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("(64 replaced)"), std::string::npos) << again.out;
  EXPECT_EQ(Tally({"usage", "--by", "namespace", "--format", "csv"}).out, first.out);

  // The node inventory: identity and one hour of capacity per node.
  auto assets = Tally({"assets", "--format", "csv"});
  ASSERT_EQ(assets.exit_code, 0) << assets.err;
  EXPECT_NE(assets.out.find("gke-abcdef-cluster-default-pool-53c8a4ea-95lc,gce://something/"
                            "us-central1-a/gke-abcdef-cluster-default-pool-53c8a4ea-95lc,"
                            "n1-standard-1,us-central1-a,1,3.6106"),
            std::string::npos)
      << assets.out;

  auto by_label = Tally({"usage", "--by", "node,label.team", "--format", "json"});
  ASSERT_EQ(by_label.exit_code, 0) << by_label.err;
  EXPECT_NE(by_label.out.find("\"label.team\":\"stoics\""), std::string::npos) << by_label.out;
}

TEST_F(KubeUsageCliTest, BadInputFailsAndStoresNothing) {
  ASSERT_EQ(Tally({"ingest", "kube-scrape", ksm(), "--at", "2024-01-01T00:00:00Z"}).exit_code, 0);
  const std::string before = Tally({"usage", "--by", "consumer", "--format", "csv"}).out;
  testing::WriteFile(dir_.File("bad.prom"), "kube_pod_info{namespace=\"a\" 1\n");
  auto bad = Tally(
      {"ingest", "kube-scrape", ksm(), dir_.File("bad.prom"), "--at", "2024-01-01T01:00:00Z"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.prom"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("nothing was stored"), std::string::npos) << bad.err;
  EXPECT_EQ(Tally({"usage", "--by", "consumer", "--format", "csv"}).out, before);

  auto missing = Tally({"ingest", "kube-scrape", dir_.File("nope.prom")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.prom"), std::string::npos) << missing.err;

  auto typo = Tally({"usage", "--by", "namespce"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown usage column \"namespce\""), std::string::npos) << typo.err;
}

}  // namespace
}  // namespace tally
