// Network flows as tally keeps them: bytes and packets between two addresses in one hour, the
// class of the path they took and the consumer that sent them (docs/network.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tally/time.h"

namespace tally {

// Where a flow went, from the zones and regions of its two ends:
//   intra-zone, inter-zone, inter-region: both ends located (CIDR rules, the inventory, pods);
//   internet: from a private or located address to a public one (egress, what clouds bill);
//   ingress: from a public address (free on the large clouds, kept to be seen);
//   unknown: a private end whose zone no rule or telemetry gives.
inline constexpr std::string_view kFlowClasses[] = {"intra-zone", "inter-zone", "inter-region",
                                                    "internet",   "ingress",    "unknown"};

// The asset whose cost a flow class carries: "network/inter-zone".
std::string NetworkAssetName(std::string_view flow_class);
// The resource and unit of network usage: decimal gigabytes, as clouds price transfer.
inline constexpr std::string_view kNetworkResource = "network";
inline constexpr std::string_view kNetworkUnit = "GB";

// One stored row of flows, as the store hands them out.
struct FlowAggregate {
  Timestamp hour;  // the hour the flows started in
  std::string interface_id;
  std::string src;
  std::string dst;
  std::string flow_class;
  std::string consumer;  // who held `src` then; "" when nothing names it
  int64_t bytes = 0;
  int64_t packets = 0;
};

// What one flow log file held, as stored: reading the file again replaces it.
struct FlowFileSummary {
  std::string source;  // the usage source its traffic is stored under
  std::string file;
  int64_t records = 0;
  int64_t nodata = 0;
  int64_t skipdata = 0;
  int64_t rejected_lines = 0;
};

// A file's flows as ingest hands them to the store: rows of indexes into `names` (interfaces,
// addresses, classes and consumers, each text once), so millions of rows stay small.
struct FlowRow {
  Timestamp hour;
  uint32_t interface_id = 0;  // indexes into FlowFile::names
  uint32_t src = 0;
  uint32_t dst = 0;
  uint32_t flow_class = 0;
  uint32_t consumer = 0;
  int64_t bytes = 0;
  int64_t packets = 0;
};

struct FlowFile {
  FlowFileSummary summary;
  std::vector<std::string> names;
  std::vector<FlowRow> rows;
};

// An address a consumer (a pod, a node) held in an hour, where it was.
struct NetworkAddress {
  Timestamp hour;
  std::string ip;
  std::string consumer;
  std::string zone;
  std::string region;
  bool node = false;  // a node's own address (pods' come first)
};

}  // namespace tally
