// The audit log: every mutation made through tally (token changes, config reloads, writes,
// state changes, and later policy plans, approvals and actions) with who, what and when.
// Append-only and hash-chained: an entry's hash is SHA-256 over the previous entry's hash and
// its own fields, so editing, inserting or removing an entry breaks the chain from there on,
// which AuditChainCheck finds. (A writer able to rewrite the whole file can rebuild the chain;
// docs/security.md says what the chain does and does not prove.)
#pragma once

#include <optional>
#include <string>

#include "tally/access_state.h"

namespace tally {

// The hash of `entry`: over its seq, time, actor, action, target, detail and prev_hash.
std::string AuditHash(const AuditEntry& entry);

struct AuditBreak {
  int64_t seq = 0;  // the first entry that does not hold
  std::string reason;
};

// Checks a whole log, fed oldest first: consecutive seqs from 1, each prev_hash the previous
// entry's hash, each hash its own.
class AuditChainCheck {
 public:
  // nullopt while the chain holds; the first break once it does not.
  std::optional<AuditBreak> Next(const AuditEntry& entry);

 private:
  std::string prev_;
  int64_t seq_ = 0;
};

}  // namespace tally
