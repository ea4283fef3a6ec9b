// A token bucket per caller: `per_minute` requests a minute on average, bursts up to
// `per_minute` at once. Bounded: at most 10,000 callers are tracked; past that, the ones idle
// longest are forgotten (they start again with a full bucket).
//
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tally {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(double per_minute) : per_minute_(per_minute) {}

  // Takes one request from `key`'s bucket: 0 when it may go on, else the seconds to wait.
  double Take(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;
  };
  const double per_minute_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tally
