// CostSpreader: each bill line's EffectiveCost spread over the hours of its charge period in
// proportion to the seconds of each hour it covers, by largest remainder, so a line's parts
// always sum to the line exactly (an hour outside the window just is not asked for).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tally/allocation.h"

namespace tally {

class CostSpreader {
 public:
  // Spreads every line over the hours of `window` it overlaps.
  CostSpreader(const std::vector<AllocationCostLine>& lines, TimeWindow window);

  // The parts of each line in `hour`: (line index, amount).
  const std::vector<std::pair<uint32_t, Decimal>>& PartsInHour(Timestamp hour) const;

  // Lines whose charge period is empty or missing: they cannot be placed in time.
  int64_t lines_without_period() const { return lines_without_period_; }

 private:
  std::unordered_map<int64_t, std::vector<std::pair<uint32_t, Decimal>>> by_hour_;
  std::vector<std::pair<uint32_t, Decimal>> empty_;
  int64_t lines_without_period_ = 0;
};

}  // namespace tally
