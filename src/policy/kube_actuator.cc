#include "policy/kube_actuator.h"

#include <nlohmann/json.hpp>

namespace tally {
namespace {

using Json = nlohmann::json;

constexpr const char* kMergePatch = "application/merge-patch+json";
constexpr const char* kStrategicPatch = "application/strategic-merge-patch+json";

// "0.866" cores as "866m"; "2.365" GiB as "2422Mi" (rounded up: never below the target).
std::string Quantity(const std::string& value, bool memory) {
  auto v = Decimal::Parse(value);
  if (!v.ok()) return value;  // given as a Kubernetes quantity already ("500m", "1Gi")
  auto scaled = v->Multiply(Decimal::FromUnits(memory ? 1024 : 1000));
  if (!scaled.ok()) return value;
  Decimal whole = scaled->Round(0);
  if (whole < *scaled) whole += Decimal::FromUnits(1);
  return whole.ToString() + (memory ? "Mi" : "m");
}

std::string Excerpt(const HttpResponse& r) { return r.body.substr(0, 300); }

}  // namespace

Result<std::string> KubernetesActuator::ObjectPath(const PolicyCandidate& t) {
  switch (t.resource) {
    case PolicyResource::kVolume:
      return "/api/v1/persistentvolumes/" + t.name;
    case PolicyResource::kNode:
      return "/api/v1/nodes/" + t.name;
    case PolicyResource::kWorkload: {
      const std::string ns = "/namespaces/" + t.namespace_name;
      if (t.workload_kind == "Deployment") return "/apis/apps/v1" + ns + "/deployments/" + t.name;
      if (t.workload_kind == "StatefulSet") return "/apis/apps/v1" + ns + "/statefulsets/" + t.name;
      if (t.workload_kind == "DaemonSet") return "/apis/apps/v1" + ns + "/daemonsets/" + t.name;
      if (t.workload_kind == "CronJob") return "/apis/batch/v1" + ns + "/cronjobs/" + t.name;
      if (t.workload_kind == "Job") return "/apis/batch/v1" + ns + "/jobs/" + t.name;
      return InvalidArgument("workload kind \"" + t.workload_kind + "\" is not one tally acts on");
    }
    default:
      return InvalidArgument("not a Kubernetes object");
  }
}

Result<HttpResponse> KubernetesActuator::Send(const std::string& method, const std::string& path,
                                              const std::string& body,
                                              const std::string& content_type) {
  HttpCall call;
  call.method = method;
  call.url = target_.url + path;
  call.body = body;
  call.content_type = content_type;
  call.bearer_token = target_.token;
  call.ca_file = target_.ca_file;
  return http_.Call(call);
}

Result<ActionOutcome> KubernetesActuator::Apply(const PlannedAction& a) {
  const PolicyCandidate& t = *a.target;
  TALLY_ASSIGN_OR_RETURN(const std::string path, ObjectPath(t));
  const std::string& type = a.action.type;
  std::string method = "PATCH", target = path, content_type = kMergePatch;
  Json body;
  if (type == "label" || type == "annotate") {
    body = {{"metadata",
             {{type == "label" ? "labels" : "annotations",
               {{a.action.params.at("key"), a.action.params.at("value")}}}}}};
  } else if (type == "set-requests") {
    Json containers = Json::array();
    for (const auto& [name, req] : t.requests) {
      Json requests = Json::object();
      const std::string cpu =
          a.action.params.contains("cpu") ? a.action.params.at("cpu") : req.first;
      const std::string mem =
          a.action.params.contains("memory") ? a.action.params.at("memory") : req.second;
      if (!cpu.empty()) requests["cpu"] = Quantity(cpu, false);
      if (!mem.empty()) requests["memory"] = Quantity(mem, true);
      containers.push_back({{"name", name}, {"resources", {{"requests", requests}}}});
    }
    if (containers.empty()) return InvalidArgument("no rightsizing targets for " + t.id);
    body = {{"spec", {{"template", {{"spec", {{"containers", containers}}}}}}}};
    content_type = kStrategicPatch;
  } else if (type == "scale" || (type == "reclaim" && t.resource == PolicyResource::kWorkload)) {
    if (t.workload_kind != "Deployment" && t.workload_kind != "StatefulSet") {
      return InvalidArgument("scale needs a Deployment or StatefulSet, not " + t.workload_kind);
    }
    target = path + "/scale";
    body = {
        {"spec", {{"replicas", type == "scale" ? std::stoll(a.action.params.at("replicas")) : 0}}}};
  } else if (type == "suspend") {
    if (t.workload_kind != "CronJob") {
      return InvalidArgument("suspend needs a CronJob, not a " + t.workload_kind +
                             " (scale it to zero instead)");
    }
    body = {{"spec", {{"suspend", true}}}};
  } else if (type == "reclaim") {
    method = "DELETE";
  } else if (type == "throttle") {
    Json hard = Json::object();
    for (const auto& [k, v] : a.action.params) {
      const std::string key = k == "gpu" ? "requests.nvidia.com/gpu" : "requests." + k;
      hard[key] = k == "memory" ? Quantity(v, true) : v;
    }
    const std::string quotas = "/api/v1/namespaces/" + t.namespace_name + "/resourcequotas";
    const Json quota = {{"apiVersion", "v1"},
                        {"kind", "ResourceQuota"},
                        {"metadata",
                         {{"name", "tally-throttle"},
                          {"namespace", t.namespace_name},
                          {"labels", {{"app.kubernetes.io/managed-by", "tally"}}}}},
                        {"spec", {{"hard", hard}}}};
    TALLY_ASSIGN_OR_RETURN(HttpResponse made,
                           Send("POST", quotas, quota.dump(), "application/json"));
    if (made.status == 409) {  // it exists: change its limits
      TALLY_ASSIGN_OR_RETURN(made, Send("PATCH", quotas + "/tally-throttle",
                                        Json{{"spec", {{"hard", hard}}}}.dump(), kMergePatch));
    }
    if (made.status >= 300) {
      return Unavailable("kubernetes: throttle " + t.namespace_name + ": HTTP " +
                         std::to_string(made.status) + ": " + Excerpt(made));
    }
    return ActionOutcome{"null", made.body.empty() ? "null" : made.body};
  } else {
    return InvalidArgument("kubernetes: no action " + type);
  }
  // The object as it is, then the change.
  TALLY_ASSIGN_OR_RETURN(HttpResponse before, Send("GET", target, "", ""));
  if (before.status == 404) return Unavailable("kubernetes: " + target + " does not exist");
  if (before.status >= 300) {
    return Unavailable("kubernetes: GET " + target + ": HTTP " + std::to_string(before.status) +
                       ": " + Excerpt(before));
  }
  TALLY_ASSIGN_OR_RETURN(HttpResponse after, Send(method, target, body.is_null() ? "" : body.dump(),
                                                  body.is_null() ? "" : content_type));
  if (after.status >= 300) {
    return Unavailable("kubernetes: " + method + " " + target + ": HTTP " +
                       std::to_string(after.status) + ": " + Excerpt(after));
  }
  return ActionOutcome{before.body.empty() ? "null" : before.body,
                       after.body.empty() ? "null" : after.body};
}

}  // namespace tally
