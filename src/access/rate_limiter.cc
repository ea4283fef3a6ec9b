#include "access/rate_limiter.h"

#include <algorithm>
#include <vector>

namespace tally {

double RateLimiter::Take(const std::string& key, Clock::time_point now) {
  constexpr size_t kMaxKeys = 10'000;
  std::lock_guard lock(mu_);
  if (buckets_.size() >= kMaxKeys && !buckets_.contains(key)) {
    // Forget the half idle longest.
    std::vector<Clock::time_point> times;
    times.reserve(buckets_.size());
    for (const auto& [k, b] : buckets_) times.push_back(b.at);
    auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
    std::nth_element(times.begin(), middle, times.end());
    const Clock::time_point cut = *middle;
    std::erase_if(buckets_, [&](const auto& kv) { return kv.second.at <= cut; });
  }
  auto [it, added] = buckets_.try_emplace(key, Bucket{per_minute_, now});
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(per_minute_, b.tokens + std::max(0.0, elapsed) * per_minute_ / 60);
  b.at = std::max(b.at, now);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return (1 - b.tokens) * 60 / per_minute_;
}

}  // namespace tally
