// Reading a store through `tally costs` in tests. StoreSnapshot is a fingerprint of everything
// `tally costs` can see: every metric grouped by the partition columns and the charge period;
// two equal snapshots mean no total changed.
#pragma once

#include <string>
#include <vector>

#include "testing/test_util.h"

namespace tally::testing {

// `tally costs --metric METRIC --format csv [--by BY]` on `store`: its standard output.
inline std::string CostsCsv(const std::string& store, const char* metric,
                            const char* by = nullptr) {
  std::vector<std::string> args = {"--store", store,      "costs", "--metric",
                                   metric,    "--format", "csv"};
  if (by != nullptr) args.insert(args.end(), {"--by", by});
  return RunTally(args).out;
}

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
