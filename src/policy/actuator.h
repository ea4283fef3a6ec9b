// Actuators: what carries out a planned action on the system it concerns. One interface; the
// real ones speak to the Kubernetes API (kube_actuator.h), Slurm's commands (slurm_actuator.h)
// and the alerting stack (notify: jobs/policy_notify.h); tests hand the executor a recording
// fake.
#pragma once

#include <memory>
#include <string>

#include "policy/planner.h"
#include "tally/result.h"

namespace tally {

// What an action found and left, as JSON text (the audit log keeps both).
struct ActionOutcome {
  std::string before = "null";
  std::string after = "null";
};

class Actuator {
 public:
  virtual ~Actuator() = default;
  // Carries out one action. Errors: kUnavailable when the system refuses or cannot be reached,
  // kInvalidArgument when the action does not apply to the target (e.g. suspend on a Deployment),
  // kFailedPrecondition when no actuator is configured for it.
  virtual Result<ActionOutcome> Apply(const PlannedAction& action) = 0;
};

// Hands each action to the actuator of its target: workloads, volumes and nodes to
// `kubernetes`, Slurm jobs and accounts to `slurm`, notify (any resource) to `notify`. Any
// may be null (not configured): its actions fail with kFailedPrecondition.
class RoutingActuator final : public Actuator {
 public:
  RoutingActuator(std::unique_ptr<Actuator> kubernetes, std::unique_ptr<Actuator> slurm,
                  std::unique_ptr<Actuator> notify)
      : kubernetes_(std::move(kubernetes)), slurm_(std::move(slurm)), notify_(std::move(notify)) {}
  Result<ActionOutcome> Apply(const PlannedAction& action) override;

 private:
  std::unique_ptr<Actuator> kubernetes_, slurm_, notify_;
};

// The actuators `config` names (the Kubernetes token read from its file), with `notify` for the
// notify actions (jobs/policy_notify.h; null: they fail).
Result<std::unique_ptr<Actuator>> MakeActuators(const ActuatorConfig& config,
                                                std::unique_ptr<Actuator> notify);

}  // namespace tally
