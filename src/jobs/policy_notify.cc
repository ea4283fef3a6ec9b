#include "jobs/policy_notify.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/owner_path.h"

namespace tally {

PolicyNotifier::PolicyNotifier(const ActuatorConfig& actuators, const AlertRouting& alerts,
                               AlertStateStore* state, const Clock& clock)
    : routing_(alerts), owner_webhooks_(actuators.owner_webhooks), state_(state), clock_(clock) {
  if (!actuators.alertmanager.empty() || !actuators.webhooks.empty() ||
      !actuators.owner_webhooks.empty()) {
    routing_.alertmanager = actuators.alertmanager;
    routing_.webhooks = actuators.webhooks;
  }
}

AlertRouting PolicyNotifier::RoutingFor(const std::string& owner) const {
  AlertRouting routing = routing_;
  const std::vector<std::string>* own = nullptr;
  size_t depth = 0;
  for (const auto& [root, hooks] : owner_webhooks_) {
    if (!owner.empty() && IsOwnerWithin(owner, root) && (own == nullptr || root.size() > depth)) {
      own = &hooks;
      depth = root.size();
    }
  }
  if (own != nullptr) {
    for (const std::string& url : *own) {
      if (std::find(routing.webhooks.begin(), routing.webhooks.end(), url) ==
          routing.webhooks.end()) {
        routing.webhooks.push_back(url);
      }
    }
  }
  return routing;
}

Alert PolicyAlert(const PlannedAction& a, Timestamp now) {
  const PolicyCandidate& t = *a.target;
  Alert alert;
  alert.key = "policy:" + a.id;
  alert.labels = {{"alertname", "TallyPolicyAction"},
                  {"policy", a.policy->name},
                  {"resource", std::string(PolicyResourceName(t.resource))},
                  {"target", t.id},
                  {"action", a.action.type},
                  {"severity", "info"}};
  if (!t.owner.empty()) alert.labels["owner"] = t.owner;
  alert.annotations["summary"] = "Policy " + a.policy->name + ": " + a.description;
  auto message = a.action.params.find("message");
  alert.annotations["description"] =
      (message == a.action.params.end() ? "" : message->second + " ") + "It saves " +
      t.savings.Round(2).ToString() + " a month.";
  alert.starts_at = now;
  return alert;
}

Result<ActionOutcome> PolicyNotifier::Apply(const PlannedAction& a) {
  const AlertRouting routing = RoutingFor(a.target->owner);
  if (routing.alertmanager.empty() && routing.webhooks.empty()) {
    return FailedPrecondition(
        "notify has no receiver: actuators: notify: or alerts: in tally.yaml");
  }
  const Alert alert = PolicyAlert(a, clock_.Now());
  TALLY_ASSIGN_OR_RETURN(std::vector<DeliveryOutcome> outcomes,
                         DeliverAlerts({alert}, routing, state_, clock_));
  nlohmann::json sent{{"key", alert.key},
                      {"labels", alert.labels},
                      {"annotations", alert.annotations},
                      {"receivers", nlohmann::json::object()}};
  for (const DeliveryOutcome& o : outcomes) {
    sent["receivers"][o.receiver] = o.result;
    if (o.result == "failed") return Unavailable("notify: " + o.error);  // names the receiver
  }
  return ActionOutcome{"null", sent.dump()};
}

}  // namespace tally
