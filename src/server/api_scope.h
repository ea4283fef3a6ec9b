// What an owner-aware route keeps for a caller scoped to owner subtrees (docs/security.md,
// "Scoping"): only rows of its owners, and no platform-wide figure that would tell what the
// other owners have (a scoped caller asking for another owner gets an empty answer, as for an
// owner that does not exist). Unscoped callers pass through unchanged.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/caller.h"
#include "config/config.h"
#include "insight/budgets.h"
#include "insight/kpis.h"
#include "insight/recommendations.h"
#include "report/gpu_report.h"
#include "tally/store.h"
#include "tally/usage_query.h"

namespace tally {

// Series (forecast, anomalies) of a scoped caller come from the allocation: a bill key in `by`
// or `where` is refused with this message (the bill's lines cover every team).
std::optional<std::string> RefuseBillKeys(const Caller& caller, const std::vector<std::string>& by,
                                          const std::vector<std::string>& where);
// Adds the filter "owner=<each owner of the caller's subtrees with allocated cost>" to `where`,
// so that the series hold its owners only (their total, without `by`). Run under the store lock.
Status AddOwnerFilter(AllocationStore& store, const Caller& caller,
                      std::vector<std::string>* where);

// The cost report of the bill lines the caller's owners own through tally.yaml's ownership
// rules (tags, ServiceName as `service`, BillingAccountId as `account`, ProviderName as
// `source`), as allocation owns the lines no asset takes. Unscoped callers get every line.
Result<CostTable> QueryOwnedCostTable(CostStore& store, const std::vector<OwnershipRule>& rules,
                                      const Caller& caller, const CostQuery& query);

// Usage of the consumers the caller's owners own through the ownership rules (their labels,
// namespace, ...), as allocation owns them. Unscoped callers get every consumer's.
Result<UsageTable> QueryOwnedUsage(Store& store, const std::vector<OwnershipRule>& rules,
                                   const Caller& caller, const UsageQuery& query);

void ScopeGpuReport(const Caller& caller, GpuReport* report);
// The platform's set and the commitments are the whole bill's: a scoped caller sees its owners'
// sets only (KpiJson's platform becomes null).
void ScopeKpis(const Caller& caller, KpiReport* report);
void ScopeRecommendations(const Caller& caller, RecommendationReport* report);
// Budgets on the caller's owners only (a bill budget, on `where` filters, is the whole bill's).
void ScopeBudgets(const Caller& caller, BudgetReport* report);

}  // namespace tally
