#include "common/ip_address.h"

#include <gtest/gtest.h>

#include "common/strings.h"

namespace tally {
namespace {

TEST(IpAddressTest, ParsesBothFamiliesAndNothingElse) {
  ASSERT_TRUE(ParseIpAddress("10.1.2.3"));
  EXPECT_TRUE(ParseIpAddress("10.1.2.3")->v4);
  ASSERT_TRUE(ParseIpAddress("2001:db8::1"));
  EXPECT_FALSE(ParseIpAddress("2001:db8::1")->v4);
  for (const char* bad : {"", "-", "10.1.2", "10.1.2.3.4", "10.1.2.256", "host", "10.1.2.3:80",
                          "1234567890123456789012345678901234567890123456789012345678901"}) {
    EXPECT_FALSE(ParseIpAddress(bad)) << bad;
  }
}

TEST(IpAddressTest, CidrBlocksHoldTheirAddressesOnly) {
  const CidrBlock b = *ParseCidr("10.3.0.0/16");
  EXPECT_TRUE(b.Contains(*ParseIpAddress("10.3.255.1")));
  EXPECT_FALSE(b.Contains(*ParseIpAddress("10.4.0.1")));
  const CidrBlock odd = *ParseCidr("10.0.0.0/9");  // a prefix that is not whole bytes
  EXPECT_TRUE(odd.Contains(*ParseIpAddress("10.127.0.1")));
  EXPECT_FALSE(odd.Contains(*ParseIpAddress("10.128.0.1")));
  EXPECT_TRUE(ParseCidr("10.9.8.7")->Contains(*ParseIpAddress("10.9.8.7")));
  EXPECT_FALSE(ParseCidr("10.9.8.7")->Contains(*ParseIpAddress("10.9.8.6")));
  const CidrBlock v6 = *ParseCidr("2001:db8::/32");
  EXPECT_TRUE(v6.Contains(*ParseIpAddress("2001:db8:ffff::1")));
  EXPECT_FALSE(v6.Contains(*ParseIpAddress("2001:db9::1")));
  EXPECT_FALSE(v6.Contains(*ParseIpAddress("10.1.2.3")));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8x", "x/8"}) {
    EXPECT_FALSE(ParseCidr(bad)) << bad;
  }
  EXPECT_TRUE(ParseCidr("::/0")->Contains(*ParseIpAddress("2001:db8::1")));
  EXPECT_TRUE(ParseCidr("0.0.0.0/0")->Contains(*ParseIpAddress("8.8.8.8")));
}

TEST(IpAddressTest, PrivateSpaceIsKnown) {
  for (const char* ip : {"10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                         "127.0.0.1", "fd00::1", "fe80::1"}) {
    EXPECT_TRUE(IsPrivateAddress(*ParseIpAddress(ip))) << ip;
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "3.5.246.198", "2001:db8::1"}) {
    EXPECT_FALSE(IsPrivateAddress(*ParseIpAddress(ip))) << ip;
  }
}

TEST(WildcardMatchTest, StarsMatchAnyRun) {
  EXPECT_TRUE(WildcardMatch("*DataTransfer-Out-Bytes", "USE1-DataTransfer-Out-Bytes"));
  EXPECT_TRUE(WildcardMatch("*DataTransfer-Out-Bytes", "DataTransfer-Out-Bytes"));
  EXPECT_FALSE(WildcardMatch("*DataTransfer-Out-Bytes", "USE1-DataTransfer-Out-Bytes-x"));
  EXPECT_TRUE(WildcardMatch("*-AWS-Out-Bytes", "USE1-USW2-AWS-Out-Bytes"));
  EXPECT_TRUE(WildcardMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(WildcardMatch("a*b*c", "axxbyy"));
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_FALSE(WildcardMatch("", "x"));
  // Many stars over a long text stay quick (no exponential backtracking).
  EXPECT_FALSE(WildcardMatch("*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

}  // namespace
}  // namespace tally
