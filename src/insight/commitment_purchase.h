// The commitment purchase recommendation (`tally recommend --kind commitment`): the steady
// baseline of on-demand compute spend, bought as a commitment. From the bill alone: the hourly
// EffectiveCost of Usage lines of ServiceCategory Compute that no commitment covered (no
// CommitmentDiscountStatus), per currency; its 10th percentile over the window is spend that
// runs every hour, and a 1-year commitment of that much an hour saves `discount` of it
// (0.28 by default, about a 1-year no-upfront compute savings plan).
//
// Stateless; reads the store on the caller's thread.
#pragma once

#include <vector>

#include "insight/recommendations.h"

namespace tally {

// One recommendation per currency whose baseline is above zero. Errors: the store's.
Result<std::vector<Recommendation>> CommitmentPurchases(Store* store, Timestamp from, Timestamp to,
                                                        Decimal discount);

}  // namespace tally
