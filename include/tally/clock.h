// The wall clock, injected where the time of day lands in results: ingest-log and collection
// run times, the end of a collection window, config reload times. Tests fix it with
// FixedClock; everything else uses SystemClock().
//
// Thread-safe.
#pragma once

#include <atomic>

#include "tally/time.h"

namespace tally {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The machine's clock.
const Clock& SystemClock();

// A clock that says what it is told.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp now) : seconds_(now.unix_seconds()) {}
  Timestamp Now() const override { return Timestamp::FromUnixSeconds(seconds_.load()); }
  void Set(Timestamp now) { seconds_.store(now.unix_seconds()); }

 private:
  std::atomic<int64_t> seconds_;
};

}  // namespace tally
