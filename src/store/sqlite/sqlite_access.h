// The access state (tally/access_state.h: tables tokens and audit, schema v11) and the policy
// state (tally/policy_state.h: table policy_targets, v12) in the SQLite store's file, on a
// connection of its own: the small mutable state of who may act and what was done.
#pragma once

#include <memory>
#include <string>

#include "store/sqlite/sqlite_db.h"
#include "tally/access_state.h"
#include "tally/policy_state.h"

namespace tally::sqlite {

class SqliteAccessStore final : public AccessStore, public PolicyStateStore {
 public:
  // Opens or creates the database at `path` and migrates it to the current schema.
  static Result<std::unique_ptr<SqliteAccessStore>> Open(const std::string& path);

  Status CreateToken(const TokenRecord& token) override;
  Result<std::optional<TokenRecord>> FindToken(std::string_view id) override;
  Result<std::vector<TokenRecord>> ListTokens() override;
  Status RevokeToken(std::string_view id, Timestamp at) override;
  Result<AuditEntry> AppendAudit(
      AuditEntry entry, const std::function<std::string(const AuditEntry&)>& hash) override;
  Result<std::vector<AuditEntry>> ListAudit(int64_t after, int64_t limit) override;
  Result<std::optional<PolicyTargetRecord>> GetPolicyTarget(std::string_view id) override;
  Status PutPolicyTarget(const PolicyTargetRecord& record) override;
  Result<std::vector<PolicyTargetRecord>> ListPolicyTargets(std::string_view state) override;

 private:
  explicit SqliteAccessStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace tally::sqlite
