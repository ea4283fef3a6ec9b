#include "server/api_scope.h"

#include <algorithm>
#include <map>

#include "allocate/ownership.h"
#include "report/cost_report.h"
#include "report/cost_series.h"
#include "report/showback.h"
#include "report/usage_report.h"

namespace tally {

std::optional<std::string> RefuseBillKeys(const Caller& caller, const std::vector<std::string>& by,
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

namespace {

// The tag keys ownership rules read: in their matches and in their owner templates.
std::vector<std::string> RuleTagKeys(const std::vector<OwnershipRule>& rules) {
  std::vector<std::string> keys;
  auto add = [&](std::string_view field) {
    if (!field.starts_with("tag.")) return;
    const std::string key(field.substr(4));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  };
  for (const OwnershipRule& rule : rules) {
    for (const auto& [field, want] : rule.match) add(field);
    for (size_t open = rule.owner.find('{'); open != std::string::npos;
         open = rule.owner.find('{', open + 1)) {
      const size_t close = rule.owner.find('}', open);
      if (close == std::string::npos) break;
      add(std::string_view(rule.owner).substr(open + 1, close - open - 1));
    }
  }
  return keys;
}

}  // namespace

Result<CostTable> QueryOwnedCostTable(CostStore& store, const std::vector<OwnershipRule>& rules,
                                      const Caller& caller, const CostQuery& query) {
  if (!caller.Scoped()) return QueryCostTable(&store, query);
  // The scan also groups by what the rules read; each cell is owned, kept or not, and the
  // report is built from the kept cells under the asked keys alone.
  const std::vector<std::string> tag_keys = RuleTagKeys(rules);
  CostQuery scan = query;
  const size_t asked = query.group_by.size();
  for (std::string name : {"ServiceName", "BillingAccountId", "ProviderName"}) {
    TALLY_ASSIGN_OR_RETURN(GroupKey key, GroupKey::Parse(name));
    scan.group_by.push_back(std::move(key));
  }
  for (const std::string& tag : tag_keys) {
    TALLY_ASSIGN_OR_RETURN(GroupKey key, GroupKey::Parse("Tags." + tag));
    scan.group_by.push_back(std::move(key));
  }
  TALLY_ASSIGN_OR_RETURN(CostCells cells, store.ScanCosts(scan));
  CostCells kept;
  kept.texts = cells.texts;
  kept.width = asked;
  for (const std::string& column : cells.unknown_columns) {
    if (std::any_of(query.group_by.begin(), query.group_by.end(),
                    [&](const GroupKey& k) { return k.label == column; })) {
      kept.unknown_columns.push_back(column);
    }
  }
  for (size_t i = 0; i < cells.cells.size(); ++i) {
    const std::span<const uint32_t> keys = cells.KeysOf(i);
    Labels tags;
    for (size_t t = 0; t < tag_keys.size(); ++t) {
      if (const uint32_t id = keys[asked + 3 + t]; id != 0) tags[tag_keys[t]] = cells.texts[id];
    }
    OwnershipSubject subject;
    subject.tags = &tags;
    subject.service = cells.texts[keys[asked]];
    subject.account = cells.texts[keys[asked + 1]];
    subject.source = cells.texts[keys[asked + 2]];
    if (!caller.Sees(OwnerOf(rules, subject, kUnallocatedConsumer))) continue;
    kept.keys.insert(kept.keys.end(), keys.begin(), keys.begin() + static_cast<ptrdiff_t>(asked));
    kept.cells.push_back(cells.cells[i]);
  }
  return BuildCostTable(query, kept);
}

Result<UsageTable> QueryOwnedUsage(Store& store, const std::vector<OwnershipRule>& rules,
                                   const Caller& caller, const UsageQuery& query) {
  if (!caller.Scoped()) return QueryUsage(store, query);
  // Grouped by consumer too; each row kept when its consumer's owner is the caller's, then
  // summed under the asked keys.
  UsageQuery scan = query;
  TALLY_ASSIGN_OR_RETURN(UsageGroupKey consumer, UsageGroupKey::Parse("consumer"));
  scan.group_by.push_back(consumer);
  const size_t at = query.group_by.size();
  TALLY_ASSIGN_OR_RETURN(UsageTable scanned, QueryUsage(store, scan));
  TALLY_ASSIGN_OR_RETURN(AllocationParties parties, store.ListParties());
  std::map<std::string, bool, std::less<>> visible;  // consumer name -> the caller sees it
  for (const Consumer& c : parties.consumers) {
    OwnershipSubject subject;
    subject.consumer = &c;
    visible[c.name] = caller.Sees(OwnerOf(rules, subject, kUnownedOwner));
  }
  UsageTable out;
  out.columns = scanned.columns;
  out.columns.erase(out.columns.begin() + static_cast<ptrdiff_t>(at));
  std::map<std::vector<std::string>, UsageRow> rows;
  for (UsageRow& row : scanned.rows) {
    auto seen = visible.find(row.keys[at]);
    if (seen == visible.end() || !seen->second) continue;
    row.keys.erase(row.keys.begin() + static_cast<ptrdiff_t>(at));
    UsageRow& into = rows[row.keys];
    into.keys = row.keys;
    into.request += row.request;
    into.usage += row.usage;
    into.facts += row.facts;
    out.facts += row.facts;
  }
  for (auto& [keys, row] : rows) out.rows.push_back(std::move(row));
  return out;
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
