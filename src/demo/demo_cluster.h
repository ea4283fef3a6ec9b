// The demo platform's cluster as generated: nodes, workloads, their consumers and each
// consumer's usage per hour. Shared by the demo's writers (src/demo only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tally::demo {

struct InstanceType {
  const char* name;
  int cores;
  int memory_gib;
  int gpus;
  const char* hourly;  // AWS on-demand, us-east-1, Linux; null for on-prem
};

struct Node {
  std::string id;  // instance id: the bill's ResourceId and the asset name
  const InstanceType* type;
  std::string pool;
  std::string team;  // a dedicated pool's owner, else ""
  int64_t free_m, free_mib;
  int free_gpu;
};

struct Workload {
  std::string team, name;
  int replicas;
  int64_t cpu_m, mem_mib;  // request per replica
  int gpus;
  int util_pct;         // typical usage as a share of the request
  bool weekly;          // batch: busy on weekdays
  std::string planted;  // "", over_requested, abandoned, idle_gpu, leftover_node
};

struct Consumer {
  std::string name;  // namespace/pod/container
  std::string ns, pod;
  const Workload* w;
  Node* node;
};

// A persistent volume and its claim; `mounter` is the pod that mounts it (null: orphaned).
struct Volume {
  std::string name;  // the PersistentVolume, and the EBS volume id the bill names
  int64_t gib;
  int64_t used_gib;
  std::string ns, claim, team;
  const Consumer* mounter;
};

// One consumer's hour: CPU used in millicores, memory in MiB, GPU busy percent.
struct HourUsage {
  int64_t cpu_m;
  int64_t mem_mib;
  int gpu_pct;
};

}  // namespace tally::demo
