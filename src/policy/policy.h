// Efficiency policies (docs/policies.md): what to look at (a resource kind), which of them
// (filters over cost, savings, confidence, owner, namespace, labels; and/or/not), and what to do
// with them (actions, in order), with the safety of Cloud Custodian and Karpenter: dry-run
// unless `mode: enforce`, caps that abort a policy before any action, grace periods, approvals
// and exemptions.
//
// Policies come from tally.yaml's `policies:` and from YAML files in a policies folder, each
// validated with errors that name the file, the line and the key. Value types; parsing is a
// pure function.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"

namespace tally {

// What a policy acts on.
enum class PolicyResource : uint8_t {
  kWorkload,      // a Kubernetes controller (Deployment, StatefulSet, CronJob) and its pods
  kVolume,        // a persistent volume
  kNode,          // a node
  kSlurmJob,      // a Slurm job
  kSlurmAccount,  // a Slurm account
  kOwner,         // an owner path (notify its people)
};
std::string_view PolicyResourceName(PolicyResource r);
std::optional<PolicyResource> ParsePolicyResource(std::string_view name);

// A filter tree: a leaf compares one field of a candidate; and/or/not combine. A policy's
// filters are an implicit and.
struct PolicyFilter {
  enum class Kind : uint8_t { kLeaf, kAnd, kOr, kNot };
  Kind kind = Kind::kLeaf;
  std::string key;  // kind, savings, cost, confidence, owner, namespace, name, label.<k>, ...
  std::string op;   // eq, ne, gt, gte, lt, lte, in, within (an owner subtree), present, absent
  std::vector<std::string> values;
  std::vector<PolicyFilter> children;
};

struct PolicyAction {
  std::string type;  // notify, label, annotate, set-requests, scale, suspend, throttle, reclaim
  std::map<std::string, std::string> params;  // the action's keys, as text
};

struct Policy {
  std::string name;
  std::string file;  // where it was read, "tally.yaml" or a policies file
  int line = 0;
  PolicyResource resource = PolicyResource::kWorkload;
  bool enforce = false;  // mode: enforce; else dry-run (plan only)
  std::vector<PolicyFilter> filters;
  std::vector<PolicyAction> actions;
  std::optional<int64_t> max_resources;         // abort when more match
  std::optional<double> max_resources_percent;  // of all candidates of the resource kind
  int64_t grace_hours = 0;  // mark (and notify) first; act this long after, unless objected
  bool approval = false;    // wait for `tally policy approve ID`
  std::vector<std::string> exclude_owners, exclude_namespaces;
  std::string description;
};

// Where actuators reach the systems they act on.
struct ActuatorConfig {
  std::string kubernetes_url;  // https://API-SERVER (or a proxy); "" when absent
  std::string kubernetes_token_file;
  std::string kubernetes_ca_file;
  std::string slurm_conf;             // SLURM_CONF for scontrol and sacctmgr ("" = the default)
  // notify's receivers (jobs/policy_notify.h); none named: tally.yaml's alerts: receivers.
  std::string alertmanager;           // base URL
  std::vector<std::string> webhooks;  // every notify
  std::map<std::string, std::vector<std::string>> owner_webhooks;  // owner path -> its own
};

struct PolicySet {
  std::vector<Policy> policies;
  ActuatorConfig actuators;
};

// Reads `policies:` and `actuators:` of one YAML text; other top-level keys are left to their
// readers when `whole_config` (tally.yaml), refused otherwise (a policies file). Errors:
// kInvalidArgument as "FILE: line N: policies[i].key: why".
Status ParsePolicyText(std::string_view text, const std::string& file, bool whole_config,
                       PolicySet* out);

// tally.yaml's policies, then every *.yaml / *.yml file of `dir` (sorted by name), if it
// exists. Policy names must be unique across them. Errors: as ParsePolicyText, kIoError.
Result<PolicySet> LoadPolicies(const std::string& config_path, const std::string& dir);

// The action types, and what each needs (for validation and help).
const std::vector<std::string>& PolicyActionTypes();

}  // namespace tally
