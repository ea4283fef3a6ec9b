// Planning: which candidates each policy matches and what it would do to them, with the money it
// would save. A plan changes nothing: `tally policy plan` is this, and `tally policy apply` acts
// on an enforce policy's plan (executor.h).
//
// Per policy, in order: the candidates of its resource kind; its filters (an implicit and);
// then exemptions (the tally.io/do-not-disrupt label or annotation, the policy's excluded
// owners and namespaces) leave the matched set and are listed as exempt; then the caps: more
// matches than max-resources, or than max-resources-percent of the kind's candidates, abort the
// policy before any action, with the reason.
//
// Pure functions. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "policy/candidates.h"
#include "policy/policy.h"

namespace tally {

// One action of one policy on one target.
struct PlannedAction {
  std::string id;         // stable: the policy, the target and the action's index
  std::string target_id;  // the policy and the target: what approvals and grace periods key on
  const Policy* policy = nullptr;
  const PolicyCandidate* target = nullptr;
  size_t index = 0;  // in the policy's actions
  PolicyAction action;
  Decimal savings;  // monthly: the target's, on the first action that changes something
  std::string description;
};

struct PolicyPlan {
  const Policy* policy = nullptr;
  size_t candidates = 0;                        // of its resource kind
  std::vector<const PolicyCandidate*> matched;  // after filters and exemptions
  std::vector<std::pair<const PolicyCandidate*, std::string>> exempt;  // and why
  std::string aborted;                 // why the cap stopped it ("" when it did not)
  std::vector<PlannedAction> actions;  // none when aborted
  Decimal savings;
};

// Evaluates one filter on a candidate.
bool FilterMatches(const PolicyFilter& filter, const PolicyCandidate& candidate);

// Why a candidate is exempt from `policy` ("" when it is not).
std::string Exemption(const Policy& policy, const PolicyCandidate& candidate);

// The plans of `policies` over `candidates` (both must outlive the plans).
std::vector<PolicyPlan> PlanPolicies(const std::vector<Policy>& policies,
                                     const std::vector<PolicyCandidate>& candidates);

// What an action does to its target, in words ("set the requests of ads/Deployment/api: main
// cpu 0.866, memory 2.365 GiB").
std::string DescribeAction(const PolicyAction& action, const PolicyCandidate& target);

// "a1b2c3d4e5f60718": a stable short id of `text`.
std::string ShortId(std::string_view text);

}  // namespace tally
