// A fingerprint of everything `tally costs` can see in a store: every metric grouped by the
// partition columns and the charge period. Two equal snapshots mean no total changed.
#pragma once

#include <string>

#include "testing/test_util.h"

namespace tally::testing {

inline std::string StoreSnapshot(const std::string& store) {
  std::string snapshot;
  for (const char* metric : {"BilledCost", "EffectiveCost", "ListCost", "ContractedCost"}) {
    auto r = RunTally({"--store", store, "costs", "--metric", metric, "--format", "csv", "--by",
                       "ProviderName,BillingAccountId,ServiceCategory,ChargePeriodStart,"
                       "BillingPeriodStart"});
    snapshot += "exit " + std::to_string(r.exit_code) + "\n" + r.out;
  }
  return snapshot;
}

}  // namespace tally::testing
