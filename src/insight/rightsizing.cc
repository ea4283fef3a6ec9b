#include "insight/rightsizing.h"

#include <algorithm>
#include <map>

#include "insight/decaying_histogram.h"

namespace tally {

RightsizingTarget Rightsize(const HourlySamples& cpu_cores, const HourlySamples& memory_gib,
                            int64_t reference, const RightsizingPolicy& policy) {
  const double half_life = policy.half_life_hours * 3600;
  RightsizingTarget out;
  // CPU: every hour's average, as VPA adds every sample (weight 1 here: one per hour).
  DecayingHistogram cpu(0.01, 1000, half_life, reference);
  for (const auto& [hour, cores] : cpu_cores) cpu.Add(cores, 1, hour);
  out.cpu_samples = static_cast<int64_t>(cpu_cores.size());
  out.cpu_percentile = cpu.Percentile(policy.cpu_percentile);
  out.cpu = std::max(out.cpu_percentile * (1 + policy.margin), policy.min_cpu);
  // Memory: one sample per day, the day's peak (VPA's 24 h aggregation interval), in a
  // histogram whose first bucket is 10 MB.
  std::map<int64_t, std::pair<int64_t, double>> peaks;  // day -> (hour of the peak, peak)
  for (const auto& [hour, gib] : memory_gib) {
    auto [it, fresh] = peaks.try_emplace(hour / 86400, hour, gib);
    if (!fresh && gib > it->second.second) it->second = {hour, gib};
  }
  DecayingHistogram memory(1e7 / (1024.0 * 1024 * 1024), 1000, half_life, reference);
  for (const auto& [day, peak] : peaks) memory.Add(peak.second, 1, peak.first);
  out.memory_days = static_cast<int64_t>(peaks.size());
  out.memory_peak_percentile = memory.Percentile(policy.memory_percentile);
  out.memory_gib = std::max(out.memory_peak_percentile * (1 + policy.margin), policy.min_memory_gib);
  return out;
}

}  // namespace tally
