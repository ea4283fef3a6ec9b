#include "insight/node_consolidation.h"

#include <algorithm>
#include <map>

namespace tally {
namespace {

double Requested(const std::vector<PodRequest>& pods, double PodRequest::*amount) {
  double sum = 0;
  for (const PodRequest& p : pods) sum += p.*amount;
  return sum;
}

// How full a node's requests make it: the larger of its CPU and memory shares.
double Load(const NodeLoad& n) {
  return std::max(n.cpu > 0 ? Requested(n.pods, &PodRequest::cpu) / n.cpu : 1.0,
                  n.memory_gib > 0 ? Requested(n.pods, &PodRequest::memory_gib) / n.memory_gib : 1.0);
}

}  // namespace

std::vector<NodeRemoval> PlanConsolidation(std::vector<NodeLoad> nodes) {
  std::vector<size_t> order(nodes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return Load(nodes[a]) < Load(nodes[b]); });
  // What each node holds now: its pods, then what moved in.
  std::vector<double> cpu_used(nodes.size()), memory_used(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    cpu_used[i] = Requested(nodes[i].pods, &PodRequest::cpu);
    memory_used[i] = Requested(nodes[i].pods, &PodRequest::memory_gib);
  }
  std::vector<bool> removed(nodes.size(), false), received(nodes.size(), false);
  std::vector<NodeRemoval> out;
  constexpr double kSlack = 1e-9;  // requests summed in double
  // Kubernetes schedules on a node's allocatable, about 90% of its capacity once the kubelet and
  // system reserve theirs: moved pods fill a node to that at most.
  constexpr double kFill = 0.9;
  for (size_t candidate : order) {
    const NodeLoad& node = nodes[candidate];
    // A node that took pods in keeps them: it is no longer a candidate.
    if (!node.movable || node.pods.empty() || received[candidate]) continue;
    std::vector<PodRequest> pods = node.pods;
    std::stable_sort(pods.begin(), pods.end(),
                     [](const PodRequest& a, const PodRequest& b) { return a.cpu > b.cpu; });
    std::vector<double> cpu = cpu_used, memory = memory_used;
    NodeRemoval removal{node.name, cpu_used[candidate], memory_used[candidate], {}};
    std::vector<size_t> targets;
    bool all = true;
    for (const PodRequest& pod : pods) {
      bool placed = false;
      // The fullest nodes first, as a bin-packing scheduler fills them, so that the light ones
      // are left to empty.
      for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const size_t target = *it;
        if (target == candidate || removed[target]) continue;
        if (cpu[target] + pod.cpu > nodes[target].cpu * kFill + kSlack ||
            memory[target] + pod.memory_gib > nodes[target].memory_gib * kFill + kSlack) {
          continue;
        }
        cpu[target] += pod.cpu;
        memory[target] += pod.memory_gib;
        removal.moves.emplace_back(pod.name, nodes[target].name);
        targets.push_back(target);
        placed = true;
        break;
      }
      if (!placed) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    removed[candidate] = true;
    for (size_t t : targets) received[t] = true;
    cpu[candidate] = memory[candidate] = 0;
    cpu_used = std::move(cpu);
    memory_used = std::move(memory);
    out.push_back(std::move(removal));
  }
  return out;
}

}  // namespace tally
