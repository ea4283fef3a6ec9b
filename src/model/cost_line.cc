#include "tally/cost_line.h"

namespace tally {

std::string BillingPartition::ToString() const {
  std::string s = provider.empty() ? "(no provider)" : provider;
  s += '/';
  s += account;
  s += '/';
  s += period_start ? period_start->ToString().substr(0, 10) : "undated";
  return s;
}

void PartitionOf(const CostLine& line, std::string_view file_name, BillingPartition* out) {
  out->provider.assign(line.dim(FocusColumn::kProviderName));
  std::string_view account = line.dim(FocusColumn::kBillingAccountId);
  if (account.empty()) {
    out->account.assign("file:");
    out->account.append(file_name);
  } else {
    out->account.assign(account);
  }
  out->period_start.reset();
  if (const auto& start = line.time(FocusColumn::kBillingPeriodStart)) {
    out->period_start = *start;
  } else if (const auto& charge = line.time(FocusColumn::kChargePeriodStart)) {
    out->period_start = charge->StartOfMonth();
  }
}

}  // namespace tally
