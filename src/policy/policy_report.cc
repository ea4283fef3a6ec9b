#include "policy/policy_report.h"

#include "insight/budgets.h"
#include "insight/recommendations.h"

namespace tally {

using Json = nlohmann::ordered_json;

Result<std::vector<PolicyCandidate>> GatherCandidates(Store* store, const Config& config,
                                                      std::optional<Timestamp> from,
                                                      std::optional<Timestamp> to,
                                                      RecommendationReport* report_out) {
  RecommendQuery query;
  query.from = from;
  query.to = to;
  TALLY_ASSIGN_OR_RETURN(RecommendationReport report, BuildRecommendations(store, query));
  TALLY_ASSIGN_OR_RETURN(AllocationParties parties, store->ListParties());
  OwnerFacts facts;
  TALLY_ASSIGN_OR_RETURN(std::vector<AnomalyRecord> anomalies,
                         store->ListAnomalies(std::nullopt, std::nullopt));
  for (const AnomalyRecord& a : anomalies) {
    if (a.state == "open" && !a.owner.empty()) ++facts.open_anomalies[a.owner];
  }
  if (!config.budgets.empty()) {
    TALLY_ASSIGN_OR_RETURN(BudgetReport budgets, BuildBudgets(store, config.budgets, std::nullopt));
    for (const BudgetStatus& b : budgets.budgets) {
      if (b.config.owner.empty()) continue;
      double& pct = facts.budget_percent[b.config.owner];
      pct = std::max(pct, b.actual_percent);
    }
  }
  std::vector<PolicyCandidate> candidates = PolicyCandidates(report, parties.consumers, facts);
  if (report_out != nullptr) *report_out = std::move(report);
  return candidates;
}

Json PlanJson(const std::vector<PolicyPlan>& plans) {
  Json out = Json::array();
  Decimal total;
  for (const PolicyPlan& plan : plans) {
    const Policy& p = *plan.policy;
    Json exempt = Json::array();
    for (const auto& [c, why] : plan.exempt) exempt.push_back({{"target", c->id}, {"why", why}});
    Json actions = Json::array();
    for (const PlannedAction& a : plan.actions) {
      actions.push_back({{"id", a.id},
                         {"target_id", a.target_id},
                         {"target", a.target->id},
                         {"owner", a.target->owner},
                         {"action", a.action.type},
                         {"what", a.description},
                         {"monthly_savings", a.savings.ToString()}});
    }
    if (plan.aborted.empty()) total += plan.savings;
    out.push_back({{"name", p.name},
                   {"file", p.file},
                   {"line", p.line},
                   {"mode", p.enforce ? "enforce" : "dry-run"},
                   {"resource", PolicyResourceName(p.resource)},
                   {"candidates", plan.candidates},
                   {"matched", plan.matched.size()},
                   {"exempt", std::move(exempt)},
                   {"aborted", plan.aborted},
                   {"monthly_savings", plan.savings.ToString()},
                   {"actions", std::move(actions)}});
  }
  return Json{{"policies", std::move(out)}, {"monthly_savings", total.ToString()}};
}

RecordTable PlanRecordTable(const std::vector<PolicyPlan>& plans) {
  RecordTable t{{"policy", "mode", "id", "target", "owner", "action", "monthly_savings", "note"},
                {false, false, false, false, false, false, true, false},
                {false, false, false, false, false, false, true, false},
                {},
                {false, false, false, false, false, false, true, false}};
  for (const PolicyPlan& plan : plans) {
    const std::string mode = plan.policy->enforce ? "enforce" : "dry-run";
    if (!plan.aborted.empty()) {
      t.rows.push_back({plan.policy->name, mode, "", "", "", "", "0", "aborted: " + plan.aborted});
    }
    for (const PlannedAction& a : plan.actions) {
      t.rows.push_back({plan.policy->name, mode, a.id, a.target->id, a.target->owner, a.description,
                        a.savings.ToString(), ""});
    }
    for (const auto& [c, why] : plan.exempt) {
      t.rows.push_back({plan.policy->name, mode, "", c->id, c->owner, "", "0", "exempt: " + why});
    }
  }
  return t;
}

Json StepsJson(const std::vector<ApplyStep>& steps) {
  Json rows = Json::array();
  for (const ApplyStep& s : steps) {
    rows.push_back({{"target_id", s.target_id},
                    {"policy", s.policy},
                    {"target", s.target},
                    {"owner", s.owner},
                    {"state", s.state},
                    {"note", s.note},
                    {"monthly_savings", s.savings.ToString()}});
  }
  return Json{{"rows", std::move(rows)}};
}

RecordTable StepsRecordTable(const std::vector<ApplyStep>& steps) {
  RecordTable t{{"id", "policy", "target", "owner", "state", "monthly_savings", "note"},
                {false, false, false, false, false, true, false},
                {false, false, false, false, false, true, false},
                {},
                {false, false, false, false, false, true, false}};
  for (const ApplyStep& s : steps) {
    t.rows.push_back(
        {s.target_id, s.policy, s.target, s.owner, s.state, s.savings.ToString(), s.note});
  }
  return t;
}

Realization RealizationOf(const PolicyTargetRecord& target, const RecommendationIndex& stored) {
  Realization out;
  if (target.state != "applied" || target.recommendations.empty()) return out;
  Decimal sum;
  bool applied = false;
  for (const std::string& id : target.recommendations) {
    auto it = stored.find(id);
    if (it == stored.end() || it->second.state == "open") return {"measuring", std::nullopt};
    if (it->second.state == "applied" && it->second.realized) {
      applied = true;
      sum += *it->second.realized;
    }
  }
  if (!applied) return {"not realized", std::nullopt};
  return {"realized", sum};
}

Result<RecommendationIndex> IndexRecommendations(RecommendationStore* store) {
  TALLY_ASSIGN_OR_RETURN(std::vector<RecommendationRecord> records, store->ListRecommendations(""));
  RecommendationIndex out;
  for (RecommendationRecord& r : records) {
    std::string id = r.id;
    out.emplace(std::move(id), std::move(r));
  }
  return out;
}

Json TargetsJson(const std::vector<PolicyTargetRecord>& targets,
                 const RecommendationIndex& stored) {
  Json rows = Json::array();
  for (const PolicyTargetRecord& r : targets) {
    Json detail = Json::parse(r.detail, nullptr, false);
    const Realization realization = RealizationOf(r, stored);
    rows.push_back({{"id", r.id},
                    {"policy", r.policy},
                    {"resource", r.resource},
                    {"target", r.target},
                    {"owner", r.owner},
                    {"state", r.state},
                    {"due_at", r.due_at ? Json(r.due_at->ToString()) : Json(nullptr)},
                    {"decided_by", r.decided_by},
                    {"monthly_savings", r.savings.ToString()},
                    {"realization", realization.state},
                    {"realized_savings", realization.realized
                                             ? Json(realization.realized->ToString())
                                             : Json(nullptr)},
                    {"recommendations", r.recommendations},
                    {"actions", detail.is_discarded() ? Json::array() : detail},
                    {"updated_at", r.updated_at.ToString()}});
  }
  return Json{{"rows", std::move(rows)}};
}

RecordTable TargetsRecordTable(const std::vector<PolicyTargetRecord>& targets,
                               const RecommendationIndex& stored) {
  RecordTable t{{"id", "policy", "target", "owner", "state", "due_at", "decided_by",
                 "monthly_savings", "realization", "realized_savings"},
                {false, false, false, false, false, false, false, true, false, true},
                {false, false, false, false, false, false, false, true, false, true},
                {},
                {false, false, false, false, false, false, false, true, false, true}};
  for (const PolicyTargetRecord& r : targets) {
    const Realization realization = RealizationOf(r, stored);
    t.rows.push_back(
        {r.id, r.policy, r.target, r.owner, r.state,
         r.due_at ? std::optional<std::string>(r.due_at->ToString()) : std::nullopt, r.decided_by,
         r.savings.ToString(), realization.state,
         realization.realized ? std::optional<std::string>(realization.realized->ToString())
                              : std::nullopt});
  }
  return t;
}

}  // namespace tally
