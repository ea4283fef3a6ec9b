// One allocation run: the hours of a window whose usage, bills or policy changed since they
// were last allocated are recomputed and stored, a day of hours per commit. `tally allocate`
// runs it once; `tally serve` runs it whenever the store's data changed.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "config/config.h"
#include "tally/store.h"

namespace tally {

struct AllocationJob {
  std::optional<Timestamp> from;  // default: the first hour with data
  std::optional<Timestamp> to;    // default: the end of the data
  // Told after each commit: hours done of the hours to recompute. May be empty.
  std::function<void(int64_t done, int64_t total)> on_progress;
  // When it becomes true the run stops before its next hour with kCancelled. May be null.
  const std::atomic<bool>* cancel = nullptr;
};

struct AllocationSummary {
  bool no_data = false;              // nothing in the store and no window given
  TimeWindow window;                 // the hours considered
  int64_t recomputed = 0;            // hours allocated now
  int64_t rows = 0;                  // allocation rows stored
  // The recomputed hours' cost per source (a source's lines may be in its own currency; the
  // source "estimate" is estimated, not billed).
  std::map<std::string, Decimal> bill;
  int64_t lines_without_period = 0;  // bill lines that cannot be placed in hours
  // The BillingCurrency values of the recomputed hours' lines: more than one means allocated
  // sums add amounts of different currencies (tally converts none).
  std::set<std::string> currencies;
  double seconds = 0;
  int64_t window_hours() const { return window.Seconds() / 3600; }
  std::string ToString() const;  // the line `tally allocate` prints
};

// Errors: the store's. Hours committed before an error stay allocated.
Result<AllocationSummary> RunAllocation(AllocationStore& store, const Config& config,
                                        const AllocationJob& job);

}  // namespace tally
