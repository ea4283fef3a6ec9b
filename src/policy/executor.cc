#include "policy/executor.h"

#include <map>
#include <nlohmann/json.hpp>

namespace tally {
namespace {

using Json = nlohmann::json;

Json Parsed(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json(text) : j;
}

}  // namespace

Status PolicyExecutor::Audit(std::string_view action, std::string_view target, const Json& detail) {
  if (audit_ == nullptr) return Status::Ok();
  return audit_->Record(actor_, action, target, detail.dump()).status();
}

bool PolicyExecutor::Run(const std::vector<const PlannedAction*>& actions, bool notify, bool others,
                         Json* outcomes) {
  for (const PlannedAction* a : actions) {
    const bool is_notify = a->action.type == "notify";
    if ((is_notify && !notify) || (!is_notify && !others)) continue;
    auto outcome = actuator_.Apply(*a);
    Json step{{"id", a->id}, {"action", a->action.type}, {"what", a->description}};
    if (outcome.ok()) {
      step["before"] = Parsed(outcome->before);
      step["after"] = Parsed(outcome->after);
    } else {
      step["error"] = outcome.status().message();
    }
    (void)Audit("policy.action", a->target_id,
                Json{{"policy", a->policy->name}, {"target", a->target->id}, {"step", step}});
    outcomes->push_back(step);
    if (!outcome.ok()) return false;
  }
  return true;
}

Result<std::vector<ApplyStep>> PolicyExecutor::Apply(const std::vector<PolicyPlan>& plans) {
  std::vector<ApplyStep> steps;
  const Timestamp now = clock_.Now();
  for (const PolicyPlan& plan : plans) {
    const Policy& policy = *plan.policy;
    if (!policy.enforce) continue;
    Json exempt = Json::array();
    for (const auto& [c, why] : plan.exempt) exempt.push_back({{"target", c->id}, {"why", why}});
    TALLY_RETURN_IF_ERROR(Audit("policy.plan", policy.name,
                                Json{{"matched", plan.matched.size()},
                                     {"exempt", exempt},
                                     {"aborted", plan.aborted},
                                     {"monthly_savings", plan.savings.ToString()}}));
    if (!plan.aborted.empty()) {
      steps.push_back({"", policy.name, "", "", "aborted", plan.aborted, Decimal()});
      continue;
    }
    // The actions per target, in the policy's order.
    std::map<std::string, std::vector<const PlannedAction*>> by_target;
    std::vector<std::string> order;
    for (const PlannedAction& a : plan.actions) {
      if (!by_target.contains(a.target_id)) order.push_back(a.target_id);
      by_target[a.target_id].push_back(&a);
    }
    for (const std::string& id : order) {
      const std::vector<const PlannedAction*>& actions = by_target[id];
      const PolicyCandidate& target = *actions.front()->target;
      ApplyStep step{id, policy.name, target.id, target.owner, "", "", target.savings};
      TALLY_ASSIGN_OR_RETURN(std::optional<PolicyTargetRecord> known, state_.GetPolicyTarget(id));
      PolicyTargetRecord record = known.value_or(PolicyTargetRecord{});
      if (!known) {
        record.id = id;
        record.policy = policy.name;
        record.resource = std::string(PolicyResourceName(target.resource));
        record.target = target.id;
        record.owner = target.owner;
        record.created_at = now;
        record.detail = "[]";
      }
      record.savings = target.savings;
      record.recommendations = target.recommendations;
      record.updated_at = now;
      const std::string& s = record.state;
      if (s == "applied" || s == "failed" || s == "objected") {
        step.state = "done";
        step.note = "already " + s;
        steps.push_back(std::move(step));
        continue;
      }
      Json outcomes = Parsed(record.detail);
      if (!outcomes.is_array()) outcomes = Json::array();
      if (policy.grace_hours > 0 && !known) {
        // Mark now (its owner hears of it), act when the grace period is over.
        record.state = "marked";
        record.due_at = Timestamp::FromUnixSeconds(now.unix_seconds() + policy.grace_hours * 3600);
        Run(actions, true, false, &outcomes);
        record.detail = outcomes.dump();
        TALLY_RETURN_IF_ERROR(state_.PutPolicyTarget(record));
        TALLY_RETURN_IF_ERROR(Audit("policy.mark", id,
                                    Json{{"policy", policy.name},
                                         {"target", target.id},
                                         {"due_at", record.due_at->ToString()}}));
        step.state = "marked";
        step.note = "acts after " + record.due_at->ToString() + " unless objected";
        steps.push_back(std::move(step));
        continue;
      }
      if (s == "marked" && record.due_at && now < *record.due_at) {
        step.state = "waiting";
        step.note = "grace period until " + record.due_at->ToString();
        steps.push_back(std::move(step));
        continue;
      }
      if (policy.approval && s != "approved") {
        if (s != "pending") {
          record.state = "pending";
          TALLY_RETURN_IF_ERROR(state_.PutPolicyTarget(record));
          TALLY_RETURN_IF_ERROR(
              Audit("policy.pending", id, Json{{"policy", policy.name}, {"target", target.id}}));
        }
        step.state = "pending";
        step.note = "waits for tally policy approve " + id;
        steps.push_back(std::move(step));
        continue;
      }
      // Act: notify ran at the mark already when there was a grace period.
      const bool ok = Run(actions, policy.grace_hours == 0, true, &outcomes);
      record.state = ok ? "applied" : "failed";
      record.detail = outcomes.dump();
      TALLY_RETURN_IF_ERROR(state_.PutPolicyTarget(record));
      step.state = record.state;
      if (!ok) step.note = outcomes.back().value("error", "");
      steps.push_back(std::move(step));
    }
  }
  return steps;
}

Status PolicyExecutor::Decide(std::string_view target_id, const char* from, const char* to,
                              const char* action) {
  TALLY_ASSIGN_OR_RETURN(std::optional<PolicyTargetRecord> known,
                         state_.GetPolicyTarget(target_id));
  if (!known) return NotFound("no policy target " + std::string(target_id));
  if (known->state != from) {
    return FailedPrecondition(std::string(target_id) + " is " + known->state + ", not " + from);
  }
  known->state = to;
  known->decided_by = actor_;
  known->updated_at = clock_.Now();
  TALLY_RETURN_IF_ERROR(state_.PutPolicyTarget(*known));
  return Audit(
      action, target_id,
      Json{{"policy", known->policy}, {"target", known->target}, {"before", from}, {"after", to}});
}

Status PolicyExecutor::Approve(std::string_view target_id) {
  return Decide(target_id, "pending", "approved", "policy.approve");
}

Status PolicyExecutor::Object(std::string_view target_id) {
  return Decide(target_id, "marked", "objected", "policy.object");
}

}  // namespace tally
