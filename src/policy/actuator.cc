#include "policy/actuator.h"

#include "common/input_file.h"
#include "policy/kube_actuator.h"
#include "policy/slurm_actuator.h"

namespace tally {

Result<ActionOutcome> RoutingActuator::Apply(const PlannedAction& a) {
  Actuator* to = nullptr;
  const char* what = "";
  if (a.action.type == "notify") {
    to = notify_.get();
    what = "notify has no receiver: actuators: notify: or alerts: in tally.yaml";
  } else if (a.target->resource == PolicyResource::kSlurmJob ||
             a.target->resource == PolicyResource::kSlurmAccount) {
    to = slurm_.get();
    what = "no Slurm actuator";
  } else {
    to = kubernetes_.get();
    what = "no Kubernetes actuator: actuators: kubernetes: url";
  }
  if (to == nullptr) return FailedPrecondition(what);
  return to->Apply(a);
}

Result<std::unique_ptr<Actuator>> MakeActuators(const ActuatorConfig& config,
                                                std::unique_ptr<Actuator> notify) {
  std::unique_ptr<Actuator> kubernetes, slurm;
  if (!config.kubernetes_url.empty()) {
    KubernetesTarget target{config.kubernetes_url, "", config.kubernetes_ca_file};
    while (!target.url.empty() && target.url.back() == '/') target.url.pop_back();
    if (!config.kubernetes_token_file.empty()) {
      auto token = ReadWholeFile(config.kubernetes_token_file);
      if (!token.ok()) {
        return InvalidArgument("actuators.kubernetes.token_file: " + token.status().message());
      }
      target.token = std::move(*token);
      while (!target.token.empty() &&
             std::isspace(static_cast<unsigned char>(target.token.back()))) {
        target.token.pop_back();
      }
    }
    kubernetes = std::make_unique<KubernetesActuator>(std::move(target));
  }
  slurm = std::make_unique<SlurmActuator>(config.slurm_conf);
  return std::unique_ptr<Actuator>(
      new RoutingActuator(std::move(kubernetes), std::move(slurm), std::move(notify)));
}

}  // namespace tally
