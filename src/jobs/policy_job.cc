#include "jobs/policy_job.h"

#include "insight/recommendation_lifecycle.h"
#include "jobs/policy_notify.h"

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
  RecommendationReport report;
  TALLY_ASSIGN_OR_RETURN(run->candidates,
                         GatherCandidates(store, config, job.from, job.to, &report));
  run->plans = PlanPolicies(run->policies.policies, run->candidates);
  if (!job.apply) return run;
  auto notify = std::make_unique<PolicyNotifier>(run->policies.actuators, config.alerts, store,
                                                 clock);
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<Actuator> actuators,
                         MakeActuators(run->policies.actuators, std::move(notify)));
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<PolicyStateStore> state,
                         OpenPolicyStateStore(job.store_url));
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<AccessStore> access, OpenAccessStore(job.store_url));
  AccessControl audit(std::move(access), clock);
  PolicyExecutor executor(*state, &audit, *actuators, clock, job.actor);
  TALLY_ASSIGN_OR_RETURN(run->steps, executor.Apply(run->plans));
  // An apply over the default window measures, like `tally recommend`, what earlier actions
  // realized (the applied targets' recommendations that no longer show).
  if (!job.from && !job.to) {
    TALLY_RETURN_IF_ERROR(TrackRecommendations(store, report, clock.Now()).status());
  }
  return run;
}

}  // namespace tally
