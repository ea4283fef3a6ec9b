#include "common/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <vector>

namespace tally {
namespace {

bool PrefixEquals(const IpAddress& a, const IpAddress& b, int prefix) {
  const int whole = prefix / 8;
  if (std::memcmp(a.bytes.data(), b.bytes.data(), static_cast<size_t>(whole)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a.bytes[whole] & mask) == (b.bytes[whole] & mask);
}

}  // namespace

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[46];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  in_addr v4;
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    ip.bytes[10] = ip.bytes[11] = 0xFF;
    std::memcpy(ip.bytes.data() + 12, &v4, 4);
    ip.v4 = true;
    return ip;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, buf, &v6) == 1) {
    std::memcpy(ip.bytes.data(), &v6, 16);
    return ip;
  }
  return std::nullopt;
}

bool IsPrivateAddress(const IpAddress& ip) {
  static const std::vector<CidrBlock> kPrivate = [] {
    std::vector<CidrBlock> blocks;
    for (std::string_view b : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                               "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10",
                               "::1/128"}) {
      blocks.push_back(*ParseCidr(b));
    }
    return blocks;
  }();
  for (const CidrBlock& b : kPrivate) {
    if (b.Contains(ip)) return true;
  }
  return false;
}

bool CidrBlock::Contains(const IpAddress& ip) const {
  return ip.v4 == base.v4 && PrefixEquals(ip, base, prefix);
}

std::optional<CidrBlock> ParseCidr(std::string_view text) {
  const size_t slash = text.find('/');
  auto ip = ParseIpAddress(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const int width = ip->v4 ? 32 : 128;
  int bits = width;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
    if (ec != std::errc() || end != p.data() + p.size() || bits < 0 || bits > width) {
      return std::nullopt;
    }
  }
  CidrBlock block;
  block.prefix = ip->v4 ? 96 + bits : bits;
  block.base = *ip;
  for (int i = block.prefix; i < 128; ++i) {
    block.base.bytes[static_cast<size_t>(i / 8)] &= static_cast<uint8_t>(~(0x80 >> (i % 8)));
  }
  return block;
}

}  // namespace tally
