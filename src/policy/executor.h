// Acting on plans, safely (docs/policies.md, "Safety"): only enforce policies act; an aborted
// policy (over its cap) does nothing; per target, a grace period first marks it (its notify
// actions run) and acts only once the period is over and nobody objected; an approval-required
// policy waits for `tally policy approve`; a target already applied, failed or objected to is
// not touched again. Every step is in the audit log, with the actions' before and after state.
//
// Thread-compatible: one executor per run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "access/access_control.h"
#include "policy/actuator.h"
#include "policy/planner.h"
#include "tally/clock.h"
#include "tally/policy_state.h"

namespace tally {

struct ApplyStep {
  std::string target_id, policy, target, owner;
  std::string state;  // aborted, marked, waiting, objected, pending, applied, failed, done
  std::string note;
  Decimal savings;
};

class PolicyExecutor {
 public:
  // `audit` may be null (no audit log: tests of the state machine alone).
  PolicyExecutor(PolicyStateStore& state, AccessControl* audit, Actuator& actuator,
                 const Clock& clock, std::string actor)
      : state_(state),
        audit_(audit),
        actuator_(actuator),
        clock_(clock),
        actor_(std::move(actor)) {}

  // Runs the enforce policies of `plans`. Errors: the state store's or the audit log's; an
  // action that fails marks its target failed and is a step, not an error.
  Result<std::vector<ApplyStep>> Apply(const std::vector<PolicyPlan>& plans);

  // A pending target approved by this executor's actor (whose role the caller checked): the
  // next Apply acts on it. Errors: kNotFound for an unknown id; kFailedPrecondition when it is
  // not pending.
  Status Approve(std::string_view target_id);
  // An objection to a marked target: it will not be acted on. The same errors (not marked).
  Status Object(std::string_view target_id);

 private:
  Status Audit(std::string_view action, std::string_view target, const nlohmann::json& detail);
  Status Decide(std::string_view target_id, const char* from, const char* to, const char* action);
  // Runs `actions` in order (notify ones only when `notify`); the outcomes as JSON.
  bool Run(const std::vector<const PlannedAction*>& actions, bool notify, bool others,
           nlohmann::json* outcomes);

  PolicyStateStore& state_;
  AccessControl* audit_;
  Actuator& actuator_;
  const Clock& clock_;
  std::string actor_;
};

}  // namespace tally
