// One run of the efficiency policies, shared by `tally policy plan|apply` and `tally serve`'s
// scheduler: load the policies (tally.yaml's and a folder's), gather the candidates from the
// store, plan, and (apply) act on the enforce policies through the configured actuators, every
// step in the audit log under `actor`. An apply over the default window also runs the
// recommendation lifecycle (recommendation_lifecycle.h), as `tally recommend` does: the
// realized savings of what earlier applies changed are measured then.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "policy/executor.h"
#include "policy/policy_report.h"
#include "tally/clock.h"
#include "tally/store.h"

namespace tally {

struct PolicyJob {
  std::string config_path;   // tally.yaml ("" for none)
  std::string policies_dir;  // a folder of policy files ("" or missing: none)
  std::string store_url;     // for the policy state and the audit log
  std::string actor = "system";
  std::optional<Timestamp> from, to;  // the recommendations' window
  bool apply = false;
};

// What a run saw and did. Plans point into `policies` and `candidates`: keep it whole.
struct PolicyRun {
  PolicySet policies;
  std::vector<PolicyCandidate> candidates;
  std::vector<PolicyPlan> plans;
  std::vector<ApplyStep> steps;  // apply only
};

// Errors: kInvalidArgument for bad policies (file, line, key); kFailedPrecondition when there
// are none; the store's, the actuators' configuration's.
Result<std::unique_ptr<PolicyRun>> RunPolicies(Store* store, const Config& config,
                                               const PolicyJob& job, const Clock& clock);

}  // namespace tally
