// IP addresses and CIDR blocks, IPv4 and IPv6 alike: an IPv4 address is kept as its IPv4-mapped
// IPv6 form (::ffff:a.b.c.d), so one 16-byte comparison serves both. Parsing is libc's
// inet_pton; what is written here is only the prefix arithmetic.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tally {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
  auto operator<=>(const IpAddress&) const = default;
};

// "10.1.2.3", "2001:db8::1". nullopt for anything else ("-", a name, a port).
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// Private, shared, loopback and link-local space (RFC 1918, RFC 6598, RFC 4193, ...): traffic
// between such addresses never crosses the internet.
bool IsPrivateAddress(const IpAddress& ip);

struct CidrBlock {
  IpAddress base;  // with the host bits cleared
  int prefix = 0;  // in IPv6 bits (an IPv4 /16 is stored as /112)
  bool Contains(const IpAddress& ip) const;
};

// "10.0.0.0/16", "2001:db8::/32", or a bare address (a /32 or /128).
std::optional<CidrBlock> ParseCidr(std::string_view text);

}  // namespace tally
