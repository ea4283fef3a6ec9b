// What `tally policy plan` and GET /api/v1/policies show, the same for both: the candidates
// gathered from the store (recommendations, consumers, open anomalies, budgets), and the plans
// and apply steps as JSON and tables.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "config/config.h"
#include "insight/recommendations.h"
#include "policy/executor.h"
#include "policy/planner.h"
#include "report/record_table.h"
#include "tally/recommendation_state.h"
#include "tally/store.h"

namespace tally {

// Candidates of every kind from the store, over the recommendations' window (default: the last
// 14 days of data); the recommendations they came from into `report` when given. Errors: the
// store's.
Result<std::vector<PolicyCandidate>> GatherCandidates(Store* store, const Config& config,
                                                      std::optional<Timestamp> from,
                                                      std::optional<Timestamp> to,
                                                      RecommendationReport* report = nullptr);

// {"policies":[{name, file, line, mode, resource, candidates, matched, exempt, aborted,
//  monthly_savings, actions:[{id, target_id, target, owner, action, what, monthly_savings}]}],
//  "monthly_savings": total of the plans that are not aborted}
nlohmann::ordered_json PlanJson(const std::vector<PolicyPlan>& plans);
RecordTable PlanRecordTable(const std::vector<PolicyPlan>& plans);

nlohmann::ordered_json StepsJson(const std::vector<ApplyStep>& steps);
RecordTable StepsRecordTable(const std::vector<ApplyStep>& steps);

// What an applied target saved: the realized savings of the recommendations its plan came from
// (recommendation_lifecycle.h), measured once an allocation after the change no longer shows
// them. `state`: "" (not applied, or from no recommendation), "measuring" (one still shows or
// was never stored), "realized" (all archived, one or more applied: `realized` is their sum),
// "not realized" (all gone otherwise).
struct Realization {
  std::string state;
  std::optional<Decimal> realized;
};
using RecommendationIndex = std::map<std::string, RecommendationRecord>;  // by id
Realization RealizationOf(const PolicyTargetRecord& target, const RecommendationIndex& stored);
// The stored recommendations by id. Errors: the store's.
Result<RecommendationIndex> IndexRecommendations(RecommendationStore* store);

// {"rows":[{id, policy, resource, target, owner, state, due_at, decided_by, monthly_savings,
//  realization, realized_savings, recommendations, actions, updated_at}]}
nlohmann::ordered_json TargetsJson(const std::vector<PolicyTargetRecord>& targets,
                                   const RecommendationIndex& stored);
RecordTable TargetsRecordTable(const std::vector<PolicyTargetRecord>& targets,
                               const RecommendationIndex& stored);

}  // namespace tally
