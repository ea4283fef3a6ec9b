#include "server/api_scope.h"

#include <algorithm>

#include "report/cost_series.h"
#include "report/showback.h"

namespace tally {

std::optional<std::string> RefuseBillKeys(const Caller& caller,
                                          const std::vector<std::string>& by,
                                          const std::vector<std::string>& where) {
  if (!caller.Scoped()) return std::nullopt;
  auto bill_key = [](const std::string& name) { return !IsAllocationKey(name); };
  std::vector<std::string> keys = by;
  for (const std::string& w : where) keys.push_back(w.substr(0, w.find('=')));
  if (std::any_of(keys.begin(), keys.end(), bill_key)) {
    return "bill dimensions cover every team: a token scoped to owners reads the allocation "
           "(by and where: owner, namespace, consumer, label.<key>, ...)";
  }
  return std::nullopt;
}

Status AddOwnerFilter(AllocationStore& store, const Caller& caller,
                      std::vector<std::string>* where) {
  if (!caller.Scoped()) return Status::Ok();
  ShowbackQuery query;
  query.group_by = {ShowbackKey::Of(AllocationColumn::kOwner)};
  query.owner_within = caller.owners;
  TALLY_ASSIGN_OR_RETURN(ShowbackTable owners, QueryShowback(store, query));
  std::string filter = "owner=";
  bool first = true;
  auto add = [&](const std::string& owner) {
    if (owner.find(',') != std::string::npos) return;  // a filter cannot name it: left out
    filter += (first ? "" : ",") + owner;
    first = false;
  };
  for (const ShowbackRow& row : owners.rows) add(row.keys[0]);
  if (first) {
    for (const std::string& root : caller.owners) add(root);  // no rows: an empty answer
  }
  where->push_back(std::move(filter));
  return Status::Ok();
}

void ScopeGpuReport(const Caller& caller, GpuReport* report) {
  if (!caller.Scoped()) return;
  std::erase_if(report->consumers,
                [&](const GpuReport::Consumer& c) { return !caller.Sees(c.owner); });
  std::erase_if(report->owners, [&](const GpuOwnerIdle& o) { return !caller.Sees(o.owner); });
  // Nodes and days are the platform's: what is left is the caller's consumers' sum.
  report->nodes.clear();
  report->daily.clear();
  GpuAmounts total;
  for (const GpuReport::Consumer& c : report->consumers) {
    total.requested += c.amounts.requested;
    total.used += c.amounts.used;
    total.cost += c.amounts.cost;
    total.unused_cost += c.amounts.unused_cost;
  }
  report->total = total;
}

void ScopeKpis(const Caller& caller, KpiReport* report) {
  if (!caller.Scoped()) return;
  std::erase_if(report->owners, [&](const KpiSet& set) { return !caller.Sees(set.owner); });
  report->platform = KpiSet{};
  report->commitments.clear();
}

void ScopeRecommendations(const Caller& caller, RecommendationReport* report) {
  if (!caller.Scoped()) return;
  std::erase_if(report->rows, [&](const Recommendation& r) { return !caller.Sees(r.owner); });
  report->total = Decimal();
  for (const Recommendation& r : report->rows) report->total += r.monthly_savings;
  report->consumer_monthly.clear();
  report->asset_monthly.clear();
}

void ScopeBudgets(const Caller& caller, BudgetReport* report) {
  if (!caller.Scoped()) return;
  std::erase_if(report->budgets, [&](const BudgetStatus& b) {
    return b.config.owner.empty() || !caller.Sees(b.config.owner);
  });
  report->warnings.clear();
}

}  // namespace tally
