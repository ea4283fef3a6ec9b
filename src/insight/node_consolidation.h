// Node consolidation, as Karpenter's consolidation deletes a node (../shared/reference/
// automation.md): can the pods of a lightly requested node move onto the free capacity of the
// others? The plan takes the nodes from the least requested up; a node whose pods all fit
// elsewhere (first fit, largest pod first, by CPU and memory requests, never past a node's
// capacity) is deleted, and its pods' requests then count on the nodes they moved to, so that
// no capacity is promised twice.
//
// Pure function over requests and capacities. Thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tally {

struct PodRequest {
  std::string name;
  double cpu = 0, memory_gib = 0;
};

struct NodeLoad {
  std::string name;
  double cpu = 0, memory_gib = 0;  // capacity
  std::vector<PodRequest> pods;
  bool movable = true;  // false: a candidate to receive pods only (e.g. holds pods with other advice)
};

struct NodeRemoval {
  std::string node;
  double cpu_requested = 0, memory_requested = 0;
  std::vector<std::pair<std::string, std::string>> moves;  // pod -> the node it goes to
};

std::vector<NodeRemoval> PlanConsolidation(std::vector<NodeLoad> nodes);

}  // namespace tally
