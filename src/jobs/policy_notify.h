// A policy's notify action as an alert (alert_delivery.h), so it reaches people the way budget
// and anomaly alerts do: to an Alertmanager, whose own routes send it on by its `owner` label;
// to webhooks; and to the webhooks of the target's owner (`actuators.notify.owners`, the most
// specific owner path that holds the owner, per the ownership rules' paths). The receivers are
// `actuators.notify`'s when it names any, else tally.yaml's `alerts:`. Each action is one alert
// keyed "policy:<action id>", recorded per receiver: never sent to a receiver twice.
//
// Labels: alertname TallyPolicyAction, policy, resource, target, action, severity info, owner
// when known; annotations summary (what the policy does), description (its message and the
// monthly savings).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "jobs/alert_delivery.h"
#include "policy/actuator.h"

namespace tally {

class PolicyNotifier final : public Actuator {
 public:
  // `state` and `clock` must outlive the notifier.
  PolicyNotifier(const ActuatorConfig& actuators, const AlertRouting& alerts,
                 AlertStateStore* state, const Clock& clock);

  // The alert sent, as JSON, after. Errors: kFailedPrecondition when no receiver is configured
  // for the target; kUnavailable naming a receiver that failed.
  Result<ActionOutcome> Apply(const PlannedAction& action) override;

  // The receivers of a target of `owner`.
  AlertRouting RoutingFor(const std::string& owner) const;

 private:
  AlertRouting routing_;
  std::map<std::string, std::vector<std::string>> owner_webhooks_;
  AlertStateStore* state_;
  const Clock& clock_;
};

// The alert of one notify action.
Alert PolicyAlert(const PlannedAction& action, Timestamp now);

}  // namespace tally
