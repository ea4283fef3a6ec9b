#include "allocate/cost_spreader.h"

#include <algorithm>

namespace tally {

CostSpreader::CostSpreader(const std::vector<AllocationCostLine>& lines, TimeWindow window) {
  std::vector<Decimal> weights;
  for (uint32_t i = 0; i < lines.size(); ++i) {
    const AllocationCostLine& line = lines[i];
    if (line.end <= line.start) {
      ++lines_without_period_;
      continue;
    }
    const int64_t s = line.start.unix_seconds(), e = line.end.unix_seconds();
    const int64_t first = line.start.StartOfHour().unix_seconds();
    weights.clear();
    for (int64_t h = first; h < e; h += 3600) {
      weights.push_back(Decimal::FromUnits(std::min(e, h + 3600) - std::max(s, h)));
    }
    const std::vector<Decimal> parts = SplitProportionally(line.cost, weights);
    for (size_t k = 0; k < parts.size(); ++k) {
      const int64_t h = first + static_cast<int64_t>(k) * 3600;
      if (!window.Contains(Timestamp::FromUnixSeconds(h))) continue;
      by_hour_[h].emplace_back(i, parts[k]);
    }
  }
}

const std::vector<std::pair<uint32_t, Decimal>>& CostSpreader::PartsInHour(Timestamp hour) const {
  auto it = by_hour_.find(hour.unix_seconds());
  return it == by_hour_.end() ? empty_ : it->second;
}

}  // namespace tally
