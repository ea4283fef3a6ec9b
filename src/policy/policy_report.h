// What `tally policy plan` and GET /api/v1/policies show, the same for both: the candidates
// gathered from the store (recommendations, consumers, open anomalies, budgets), and the plans
// and apply steps as JSON and tables.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "config/config.h"
#include "policy/executor.h"
#include "policy/planner.h"
#include "report/record_table.h"
#include "tally/store.h"

namespace tally {

// Candidates of every kind from the store, over the recommendations' window (default: the last
// 14 days of data). Errors: the store's.
Result<std::vector<PolicyCandidate>> GatherCandidates(Store* store, const Config& config,
                                                      std::optional<Timestamp> from,
                                                      std::optional<Timestamp> to);

// {"policies":[{name, file, line, mode, resource, candidates, matched, exempt, aborted,
//  monthly_savings, actions:[{id, target_id, target, owner, action, what, monthly_savings}]}],
//  "monthly_savings": total of the plans that are not aborted}
nlohmann::ordered_json PlanJson(const std::vector<PolicyPlan>& plans);
RecordTable PlanRecordTable(const std::vector<PolicyPlan>& plans);

nlohmann::ordered_json StepsJson(const std::vector<ApplyStep>& steps);
RecordTable StepsRecordTable(const std::vector<ApplyStep>& steps);

nlohmann::ordered_json TargetsJson(const std::vector<PolicyTargetRecord>& targets);
RecordTable TargetsRecordTable(const std::vector<PolicyTargetRecord>& targets);

}  // namespace tally
