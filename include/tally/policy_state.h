// What policies did to each target, across runs (docs/policies.md): a target marked for a grace
// period, waiting for approval, objected to by its owner, approved, applied or failed. Keyed by
// the policy and the target, so a second run does not act twice and a grace period counts from
// the first mark.
//
// Value types and the store interface for them. Thread-compatible.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"
#include "tally/time.h"

namespace tally {

struct PolicyTargetRecord {
  std::string id;  // the planned actions' target_id
  std::string policy, resource, target, owner;
  // marked (grace running), objected, pending (approval), approved, applied, failed
  std::string state;
  std::optional<Timestamp> due_at;  // when a grace period ends
  std::string decided_by;           // who approved or objected
  Decimal savings;                  // monthly, as planned
  std::string detail;               // JSON: the actions and their outcomes
  // The recommendations the target's plan came from ("<kind>:<consumer or asset>"): once it is
  // applied, their realized savings are its own (policy_report.h).
  std::vector<std::string> recommendations;
  Timestamp created_at, updated_at;
};

class PolicyStateStore {
 public:
  virtual ~PolicyStateStore() = default;
  virtual Result<std::optional<PolicyTargetRecord>> GetPolicyTarget(std::string_view id) = 0;
  // Inserts or replaces the record of its id.
  virtual Status PutPolicyTarget(const PolicyTargetRecord& record) = 0;
  // Records in `state` ("" for all), newest first.
  virtual Result<std::vector<PolicyTargetRecord>> ListPolicyTargets(std::string_view state) = 0;
};

// The policy state of the store named by `store_url`, on a connection of its own (beside the
// tokens and the audit log). Errors: as OpenStore's.
Result<std::unique_ptr<PolicyStateStore>> OpenPolicyStateStore(std::string_view store_url);

}  // namespace tally
