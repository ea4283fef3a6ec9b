// VPA-style rightsizing of a container's CPU and memory requests
// (../shared/reference/automation.md, 2.1), from hourly usage:
//   target CPU    = max(P(cpu_percentile) of the hourly CPU usage × (1 + margin), min_cpu)
//   target memory = max(P(memory_percentile) of the daily memory peaks × (1 + margin), min_memory)
// each in a decaying histogram (24 h half-life by default: yesterday counts half as much as
// today). Defaults are VPA's: P90, P90 of peaks, 15% margin, 25 millicores, 250 MiB.
//
// Pure functions. Thread-safe.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace tally {

struct RightsizingPolicy {
  double cpu_percentile = 0.90;
  double memory_percentile = 0.90;  // of the daily peaks
  double margin = 0.15;
  double half_life_hours = 24;
  double min_cpu = 0.025;        // cores
  double min_memory_gib = 0.25;  // 250 MiB, as VPA's pod minimum
};

// One hour's average usage: (hour start in unix seconds, amount).
using HourlySamples = std::vector<std::pair<int64_t, double>>;

struct RightsizingTarget {
  double cpu = 0, memory_gib = 0;  // the recommended requests
  double cpu_percentile = 0;       // the percentile before the margin (the evidence)
  double memory_peak_percentile = 0;
  int64_t cpu_samples = 0, memory_days = 0;
};

// `reference` is the end of the window (unix seconds): the newest samples weigh 1.
RightsizingTarget Rightsize(const HourlySamples& cpu_cores, const HourlySamples& memory_gib,
                            int64_t reference, const RightsizingPolicy& policy);

}  // namespace tally
