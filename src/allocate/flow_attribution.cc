#include "allocate/flow_attribution.h"

#include <cstring>

#include "common/ip_address.h"

namespace tally {
namespace {

std::string HeldKey(Timestamp hour, const IpAddress& ip) {
  std::string key(8 + 16, '\0');
  const int64_t h = hour.unix_seconds();
  std::memcpy(key.data(), &h, 8);
  std::memcpy(key.data() + 8, ip.bytes.data(), 16);
  return key;
}

// "us-east-1a" -> "us-east-1"; "" when the zone does not look like a cloud zone.
std::string RegionOfZone(std::string_view zone) {
  if (zone.size() < 2) return "";
  const char last = zone.back();
  const char before = zone[zone.size() - 2];
  if (last < 'a' || last > 'z' || before < '0' || before > '9') return "";
  return std::string(zone.substr(0, zone.size() - 1));
}

}  // namespace

FlowAttribution::FlowAttribution(const NetworkPolicy& policy,
                                 std::span<const NetworkAddress> addresses)
    : policy_(policy) {
  for (const NetworkAddress& a : addresses) {
    auto ip = ParseIpAddress(a.ip);
    // The first holder of an address in an hour keeps it: the store lists a pod before a node
    // holding the same address (host network), then by name.
    if (ip) held_.try_emplace(HeldKey(a.hour, *ip), &a);
  }
}

FlowAttribution::End FlowAttribution::Resolve(Timestamp hour, std::string_view address) const {
  End end;
  auto ip = ParseIpAddress(address);
  if (!ip) return end;
  end.parsed = true;
  end.is_private = IsPrivateAddress(*ip);
  if (auto it = held_.find(HeldKey(hour, *ip)); it != held_.end()) {
    end.known = true;
    end.consumer = it->second->consumer;
    end.zone = it->second->zone;
    end.region = it->second->region;
  } else {
    for (const NetworkOwnerRule& rule : policy_.owners) {
      if (rule.cidr.Contains(*ip)) {
        end.known = true;
        end.consumer = rule.consumer;
        break;
      }
    }
  }
  if (end.zone.empty()) {
    for (const NetworkZoneRule& rule : policy_.zones) {
      if (rule.cidr.Contains(*ip)) {
        end.known = true;
        end.zone = rule.zone;
        end.region = rule.region;
        break;
      }
    }
  }
  if (end.region.empty()) end.region = RegionOfZone(end.zone);
  return end;
}

FlowPath FlowAttribution::Attribute(Timestamp hour, std::string_view src,
                                    std::string_view dst) const {
  const End s = Resolve(hour, src);
  const End d = Resolve(hour, dst);
  FlowPath path{"unknown", s.consumer};
  if (!s.parsed || !d.parsed) return path;
  if (!s.is_private && !s.known) {
    path.flow_class = "ingress";
  } else if (!d.is_private && !d.known) {
    path.flow_class = "internet";
  } else if (!s.zone.empty() && !d.zone.empty()) {
    if (s.zone == d.zone) {
      path.flow_class = "intra-zone";
    } else if (!s.region.empty() && s.region == d.region) {
      path.flow_class = "inter-zone";
    } else if (!s.region.empty() && !d.region.empty()) {
      path.flow_class = "inter-region";
    } else {
      path.flow_class = "inter-zone";  // zones differ, regions unknown: the cheaper assumption
    }
  }
  return path;
}

}  // namespace tally
