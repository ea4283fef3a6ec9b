// The Kubernetes actuator: a client of the real API server (HTTPS with a bearer token and the
// cluster's CA, or any URL for a proxy), sending the request shapes the API documents:
//   label, annotate     PATCH the object's metadata (application/merge-patch+json)
//   set-requests        PATCH the workload's pod template containers' resources.requests
//                       (application/strategic-merge-patch+json: containers merge by name)
//   scale, reclaim      PATCH .../{deployments|statefulsets}/NAME/scale {"spec":{"replicas":N}}
//                       (reclaim: to zero); reclaim of a volume or node DELETEs it
//   suspend             PATCH .../cronjobs/NAME {"spec":{"suspend":true}}
//   throttle            POST a ResourceQuota "tally-throttle" in the namespace (spec.hard
//                       requests.cpu / requests.memory / requests.nvidia.com/gpu); PATCH it
//                       when it exists (409)
// Before acting it GETs the object, and answers the object's state before and after.
//
// Thread-compatible (one HttpClient).
#pragma once

#include <string>

#include "common/http_client.h"
#include "policy/actuator.h"

namespace tally {

struct KubernetesTarget {
  std::string url;    // https://host:6443, no trailing slash
  std::string token;  // bearer token ("" sends none)
  std::string ca_file;
};

class KubernetesActuator final : public Actuator {
 public:
  explicit KubernetesActuator(KubernetesTarget target) : target_(std::move(target)) {}
  Result<ActionOutcome> Apply(const PlannedAction& action) override;

  // The API path of a target's object ("/apis/apps/v1/namespaces/ads/deployments/api").
  // Errors: kInvalidArgument for a kind it does not know.
  static Result<std::string> ObjectPath(const PolicyCandidate& target);

 private:
  Result<HttpResponse> Send(const std::string& method, const std::string& path,
                            const std::string& body, const std::string& content_type);
  KubernetesTarget target_;
  HttpClient http_;
};

}  // namespace tally
