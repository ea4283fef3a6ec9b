#include "policy/actuator.h"

#include <nlohmann/json.hpp>

#include "collect/http_client.h"
#include "common/input_file.h"
#include "policy/kube_actuator.h"
#include "policy/slurm_actuator.h"

namespace tally {

Result<ActionOutcome> RoutingActuator::Apply(const PlannedAction& a) {
  Actuator* to = nullptr;
  const char* what = "";
  if (a.action.type == "notify") {
    to = notify_.get();
    what = "notify needs actuators: notify: webhooks";
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

Result<ActionOutcome> NotifyActuator::Apply(const PlannedAction& a) {
  const PolicyCandidate& t = *a.target;
  const nlohmann::json message{
      {"policy", a.policy->name},
      {"resource", PolicyResourceName(t.resource)},
      {"target", t.id},
      {"owner", t.owner},
      {"what", a.description},
      {"monthly_savings", t.savings.ToString()},
      {"message", a.action.params.contains("message") ? a.action.params.at("message") : ""}};
  HttpClient http;
  http.set_max_body_bytes(1 << 20);
  for (const std::string& url : webhooks_) {
    auto sent = http.PostJson(url, message.dump(), 10);
    if (!sent.ok()) return Unavailable("notify: " + sent.status().message());
    if (sent->status >= 300) {
      return Unavailable("notify: a receiver answered HTTP " + std::to_string(sent->status));
    }
  }
  return ActionOutcome{"null", message.dump()};
}

Result<std::unique_ptr<Actuator>> MakeActuators(const ActuatorConfig& config) {
  std::unique_ptr<Actuator> kubernetes, slurm, notify;
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
  if (!config.webhooks.empty()) notify = std::make_unique<NotifyActuator>(config.webhooks);
  return std::unique_ptr<Actuator>(
      new RoutingActuator(std::move(kubernetes), std::move(slurm), std::move(notify)));
}

}  // namespace tally
