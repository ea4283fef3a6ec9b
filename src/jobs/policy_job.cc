#include "jobs/policy_job.h"

namespace tally {

Result<std::unique_ptr<PolicyRun>> RunPolicies(Store* store, const Config& config,
                                               const PolicyJob& job, const Clock& clock) {
  auto run = std::make_unique<PolicyRun>();
  TALLY_ASSIGN_OR_RETURN(run->policies, LoadPolicies(job.config_path, job.policies_dir));
  if (run->policies.policies.empty()) {
    return FailedPrecondition(
        "no policies: write them under policies: in tally.yaml or in a "
        "policies/ folder (docs/policies.md)");
  }
  TALLY_ASSIGN_OR_RETURN(run->candidates, GatherCandidates(store, config, job.from, job.to));
  run->plans = PlanPolicies(run->policies.policies, run->candidates);
  if (!job.apply) return run;
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<Actuator> actuators,
                         MakeActuators(run->policies.actuators));
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<PolicyStateStore> state,
                         OpenPolicyStateStore(job.store_url));
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<AccessStore> access, OpenAccessStore(job.store_url));
  AccessControl audit(std::move(access), clock);
  PolicyExecutor executor(*state, &audit, *actuators, clock, job.actor);
  TALLY_ASSIGN_OR_RETURN(run->steps, executor.Apply(run->plans));
  return run;
}

}  // namespace tally
