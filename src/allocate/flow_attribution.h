// FlowAttribution: who sent a flow and which path it took (docs/network.md).
//
// An address resolves, for the hour of the flow, to the first of:
//   1. an address telemetry says a consumer held then: a pod's IP (kube_pod_info), else a node's
//      (kube_node_info internal_ip, an inventory asset's "address" label), with its zone;
//   2. a static CIDR rule of tally.yaml's network.owners;
// and its zone, when telemetry gave none, to the first network.zones CIDR rule that holds it.
// A region not given is the zone's minus its last letter ("us-east-1a" -> "us-east-1").
//
// The class, from the two ends:
//   a source that is neither private nor known          -> ingress
//   a destination that is neither private nor known     -> internet
//   both ends with zones: the same zone -> intra-zone; the same region -> inter-zone; else
//   inter-region
//   anything else (a private end with no zone, an address that does not parse) -> unknown
//
// Immutable after construction; thread-safe to read.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/config.h"
#include "tally/network.h"

namespace tally {

struct FlowPath {
  std::string_view flow_class;
  std::string_view consumer;  // who held the source address; "" when nothing names it
};

class FlowAttribution {
 public:
  // `policy` and `addresses` must outlive this object.
  FlowAttribution(const NetworkPolicy& policy, std::span<const NetworkAddress> addresses);

  FlowPath Attribute(Timestamp hour, std::string_view src, std::string_view dst) const;

 private:
  struct End {
    bool parsed = false;
    bool known = false;  // telemetry or a rule names it
    bool is_private = false;
    std::string_view consumer;
    std::string_view zone;
    std::string region;
  };
  End Resolve(Timestamp hour, std::string_view address) const;

  const NetworkPolicy& policy_;
  // (hour, address bytes) -> the address held then
  std::unordered_map<std::string, const NetworkAddress*> held_;
};

}  // namespace tally
