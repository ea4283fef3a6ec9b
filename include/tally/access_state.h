// Who may use tally serve, and what was done with it (docs/security.md): API tokens, stored by
// their secret's hash only, and the audit log, append-only and hash-chained (each entry's hash
// covers the previous entry's hash and its own fields, so an edited or removed entry shows).
//
// This state is small and mutable, so it lives beside the data rather than in it: for the
// SQLite store, in tables of the same file; other backends keep it in a companion store.
//
// Value types and the store interface for them. Thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/result.h"
#include "tally/time.h"

namespace tally {

// viewer reads; operator also acts (acknowledges anomalies, triggers runs, approves and applies
// policies); admin also manages tokens and sees sources and config.
enum class Role : uint8_t { kViewer = 0, kOperator = 1, kAdmin = 2 };

inline std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

inline std::optional<Role> ParseRole(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

struct TokenRecord {
  std::string id;    // public, the part of the token before its secret
  std::string name;  // who holds it, as the audit log names them
  Role role = Role::kViewer;
  std::vector<std::string> owners;         // owner subtrees it sees; empty: all
  std::vector<std::string> write_sources;  // remote_write sources it may push; "*": any
  std::string secret_hash;                 // hex SHA-256 of the secret
  Timestamp created_at;
  std::string created_by;
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> revoked_at;
};

struct AuditEntry {
  int64_t seq = 0;  // 1, 2, ... in order of appending
  Timestamp at;
  std::string actor;   // a token's name, "cli:<user>" or "system"
  std::string action;  // "token.create", "config.reload", "remote_write", ...
  std::string target;  // what it acted on
  std::string detail;  // JSON: parameters, before and after state, outcome
  std::string prev_hash, hash;
};

class AccessStore {
 public:
  virtual ~AccessStore() = default;
  // Errors: kInvalidArgument when the id is taken.
  virtual Status CreateToken(const TokenRecord& token) = 0;
  virtual Result<std::optional<TokenRecord>> FindToken(std::string_view id) = 0;
  virtual Result<std::vector<TokenRecord>> ListTokens() = 0;
  // Errors: kNotFound for an unknown or already revoked id.
  virtual Status RevokeToken(std::string_view id, Timestamp at) = 0;

  // Appends `entry` after the last one, in one write transaction: sets its seq and prev_hash,
  // then its hash as `hash` computes it. Returns the entry as stored.
  virtual Result<AuditEntry> AppendAudit(
      AuditEntry entry, const std::function<std::string(const AuditEntry&)>& hash) = 0;
  // Entries with seq > `after`, oldest first, at most `limit`.
  virtual Result<std::vector<AuditEntry>> ListAudit(int64_t after, int64_t limit) = 0;
};

// The access state of the store named by `store_url` (as OpenStore takes it), created with the
// store's schema when missing. Errors: as OpenStore's.
Result<std::unique_ptr<AccessStore>> OpenAccessStore(std::string_view store_url);

}  // namespace tally
