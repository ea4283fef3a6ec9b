// What an owner-aware route keeps for a caller scoped to owner subtrees (docs/security.md,
// "Scoping"): only rows of its owners, and no platform-wide figure that would tell what the
// other owners have (a scoped caller asking for another owner gets an empty answer, as for an
// owner that does not exist). Unscoped callers pass through unchanged.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/caller.h"
#include "insight/budgets.h"
#include "insight/kpis.h"
#include "insight/recommendations.h"
#include "report/gpu_report.h"
#include "tally/store.h"

namespace tally {

// Series (forecast, anomalies) of a scoped caller come from the allocation: a bill key in `by`
// or `where` is refused with this message (the bill's lines cover every team).
std::optional<std::string> RefuseBillKeys(const Caller& caller,
                                          const std::vector<std::string>& by,
                                          const std::vector<std::string>& where);
// Adds the filter "owner=<each owner of the caller's subtrees with allocated cost>" to `where`,
// so that the series hold its owners only (their total, without `by`). Run under the store lock.
Status AddOwnerFilter(AllocationStore& store, const Caller& caller,
                      std::vector<std::string>* where);

void ScopeGpuReport(const Caller& caller, GpuReport* report);
// The platform's set and the commitments are the whole bill's: a scoped caller sees its owners'
// sets only (KpiJson's platform becomes null).
void ScopeKpis(const Caller& caller, KpiReport* report);
void ScopeRecommendations(const Caller& caller, RecommendationReport* report);
// Budgets on the caller's owners only (a bill budget, on `where` filters, is the whole bill's).
void ScopeBudgets(const Caller& caller, BudgetReport* report);

}  // namespace tally
