#include "allocate/flow_attribution.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

const Timestamp kH = Timestamp::FromUnixSeconds(1'700'000'000 / 3600 * 3600);
const Timestamp kNext = Timestamp::FromUnixSeconds(kH.unix_seconds() + 3600);

NetworkPolicy Policy() {
  NetworkPolicy p;
  p.zones = {{*ParseCidr("10.0.0.0/16"), "us-east-1a", ""},
             {*ParseCidr("10.1.0.0/16"), "us-east-1b", ""},
             {*ParseCidr("10.2.0.0/16"), "eu-west-1a", ""},
             {*ParseCidr("fd00::/8"), "dc-1", "onprem"},
             {*ParseCidr("52.0.0.0/8"), "us-east-1a", ""}};  // a public range of one's own
  p.owners = {{*ParseCidr("10.9.0.0/16"), "vpn", {}}};
  return p;
}

TEST(FlowAttributionTest, ClassesFollowZonesAndRegions) {
  const NetworkPolicy policy = Policy();
  const FlowAttribution a(policy, {});
  auto cls = [&](const char* s, const char* d) {
    return std::string(a.Attribute(kH, s, d).flow_class);
  };
  EXPECT_EQ(cls("10.0.0.1", "10.0.0.2"), "intra-zone");
  EXPECT_EQ(cls("10.0.0.1", "10.1.0.2"), "inter-zone");     // us-east-1 from the zone name
  EXPECT_EQ(cls("10.0.0.1", "10.2.0.2"), "inter-region");
  EXPECT_EQ(cls("10.0.0.1", "8.8.8.8"), "internet");
  EXPECT_EQ(cls("8.8.8.8", "10.0.0.1"), "ingress");
  EXPECT_EQ(cls("10.0.0.1", "52.1.2.3"), "intra-zone");     // named by a rule: not the internet
  EXPECT_EQ(cls("10.0.0.1", "10.77.0.1"), "unknown");       // private, no zone
  EXPECT_EQ(cls("-", "10.0.0.1"), "unknown");
  EXPECT_EQ(cls("fd00::1", "fd00::2"), "intra-zone");
  EXPECT_EQ(cls("fd00::1", "2001:db8::1"), "internet");
}

TEST(FlowAttributionTest, AnAddressIsWhoeverHeldItThenElseARule) {
  const NetworkPolicy policy = Policy();
  const std::vector<NetworkAddress> held = {
      {kH, "10.5.0.7", "search/api", "us-east-1a", "us-east-1", false},
      {kNext, "10.5.0.7", "ads/web", "eu-west-1b", "eu-west-1", false}};
  const FlowAttribution a(policy, held);
  EXPECT_EQ(a.Attribute(kH, "10.5.0.7", "10.0.0.1").consumer, "search/api");
  EXPECT_EQ(a.Attribute(kH, "10.5.0.7", "10.0.0.1").flow_class, "intra-zone");
  EXPECT_EQ(a.Attribute(kNext, "10.5.0.7", "10.0.0.1").consumer, "ads/web");
  EXPECT_EQ(a.Attribute(kNext, "10.5.0.7", "10.0.0.1").flow_class, "inter-region");
  EXPECT_EQ(a.Attribute(kH, "10.9.3.3", "8.8.8.8").consumer, "vpn");
  EXPECT_EQ(a.Attribute(kH, "10.8.3.3", "8.8.8.8").consumer, "");
  // Addresses compare as addresses: another spelling of the same IPv6 address is the same.
  const std::vector<NetworkAddress> v6 = {{kH, "fd00:0::5", "ml/train", "dc-1", "onprem", false}};
  const FlowAttribution b(policy, v6);
  EXPECT_EQ(b.Attribute(kH, "fd00::5", "fd00::6").consumer, "ml/train");
}

}  // namespace
}  // namespace tally
