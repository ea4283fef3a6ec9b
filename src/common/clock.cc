#include "tally/clock.h"

namespace tally {
namespace {

class MachineClock final : public Clock {
 public:
  Timestamp Now() const override { return Timestamp::Now(); }
};

}  // namespace

const Clock& SystemClock() {
  static const MachineClock clock;
  return clock;
}

}  // namespace tally
