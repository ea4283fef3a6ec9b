#include "store/sqlite/sqlite_access.h"

#include <nlohmann/json.hpp>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/schema.h"

namespace tally::sqlite {
namespace {

// Owner paths and sources are kept as JSON arrays of strings.
std::string ListText(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

std::vector<std::string> ListOf(std::string_view text) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

constexpr const char* kTokenColumns =
    "id, name, role, owners, write_sources, secret_hash, created_at, created_by, expires_at, "
    "revoked_at";

TokenRecord TokenOf(const Statement& q) {
  TokenRecord t;
  t.id = std::string(q.Text(0));
  t.name = std::string(q.Text(1));
  t.role = ParseRole(q.Text(2)).value_or(Role::kViewer);
  t.owners = ListOf(q.Text(3));
  t.write_sources = ListOf(q.Text(4));
  t.secret_hash = std::string(q.Text(5));
  t.created_at = Timestamp::FromUnixSeconds(q.Int(6));
  t.created_by = std::string(q.Text(7));
  if (!q.IsNull(8)) t.expires_at = Timestamp::FromUnixSeconds(q.Int(8));
  if (!q.IsNull(9)) t.revoked_at = Timestamp::FromUnixSeconds(q.Int(9));
  return t;
}

}  // namespace

Result<std::unique_ptr<SqliteAccessStore>> SqliteAccessStore::Open(const std::string& path) {
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path));
  TALLY_RETURN_IF_ERROR(Migrate(db.get()));
  return std::unique_ptr<SqliteAccessStore>(new SqliteAccessStore(std::move(db)));
}

Status SqliteAccessStore::CreateToken(const TokenRecord& t) {
  TALLY_ASSIGN_OR_RETURN(Statement known, db_->Prepare("SELECT 1 FROM tokens WHERE id = ?"));
  known.BindText(1, t.id);
  TALLY_ASSIGN_OR_RETURN(bool exists, known.Step());
  if (exists) return InvalidArgument("token id " + t.id + " is taken");
  TALLY_ASSIGN_OR_RETURN(Statement put,
                         db_->Prepare(std::string("INSERT INTO tokens(") + kTokenColumns +
                                      ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"));
  const std::string owners = ListText(t.owners), sources = ListText(t.write_sources);
  put.BindText(1, t.id);
  put.BindText(2, t.name);
  put.BindText(3, RoleName(t.role));
  put.BindText(4, owners);
  put.BindText(5, sources);
  put.BindText(6, t.secret_hash);
  put.BindInt(7, t.created_at.unix_seconds());
  put.BindText(8, t.created_by);
  if (t.expires_at) {
    put.BindInt(9, t.expires_at->unix_seconds());
  } else {
    put.BindNull(9);
  }
  return put.Run();
}

Result<std::optional<TokenRecord>> SqliteAccessStore::FindToken(std::string_view id) {
  TALLY_ASSIGN_OR_RETURN(Statement q, db_->Prepare(std::string("SELECT ") + kTokenColumns +
                                                   " FROM tokens WHERE id = ?"));
  q.BindText(1, id);
  TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(TokenOf(q));
}

Result<std::vector<TokenRecord>> SqliteAccessStore::ListTokens() {
  TALLY_ASSIGN_OR_RETURN(Statement q, db_->Prepare(std::string("SELECT ") + kTokenColumns +
                                                   " FROM tokens ORDER BY created_at, id"));
  std::vector<TokenRecord> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(TokenOf(q));
  }
  return out;
}

Status SqliteAccessStore::RevokeToken(std::string_view id, Timestamp at) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"));
  q.BindInt(1, at.unix_seconds());
  q.BindText(2, id);
  TALLY_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() == 0) return NotFound("no active token " + std::string(id));
  return Status::Ok();
}

Result<AuditEntry> SqliteAccessStore::AppendAudit(
    AuditEntry entry, const std::function<std::string(const AuditEntry&)>& hash) {
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  TALLY_ASSIGN_OR_RETURN(Statement last,
                         db_->Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
  TALLY_ASSIGN_OR_RETURN(bool has_last, last.Step());
  entry.seq = has_last ? last.Int(0) + 1 : 1;
  entry.prev_hash = has_last ? std::string(last.Text(1)) : std::string();
  entry.hash = hash(entry);
  TALLY_ASSIGN_OR_RETURN(Statement put,
                         db_->Prepare("INSERT INTO audit(seq, at, actor, action, target, detail, "
                                      "prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
  put.BindInt(1, entry.seq);
  put.BindInt(2, entry.at.unix_seconds());
  put.BindText(3, entry.actor);
  put.BindText(4, entry.action);
  put.BindText(5, entry.target);
  put.BindText(6, entry.detail);
  put.BindText(7, entry.prev_hash);
  put.BindText(8, entry.hash);
  TALLY_RETURN_IF_ERROR(put.Run());
  TALLY_RETURN_IF_ERROR(txn->Commit());
  return entry;
}

Result<std::vector<AuditEntry>> SqliteAccessStore::ListAudit(int64_t after, int64_t limit) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q, db_->Prepare("SELECT seq, at, actor, action, target, detail, prev_hash, hash "
                                "FROM audit WHERE seq > ? ORDER BY seq LIMIT ?"));
  q.BindInt(1, after);
  q.BindInt(2, limit);
  std::vector<AuditEntry> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AuditEntry e;
    e.seq = q.Int(0);
    e.at = Timestamp::FromUnixSeconds(q.Int(1));
    e.actor = std::string(q.Text(2));
    e.action = std::string(q.Text(3));
    e.target = std::string(q.Text(4));
    e.detail = std::string(q.Text(5));
    e.prev_hash = std::string(q.Text(6));
    e.hash = std::string(q.Text(7));
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

constexpr const char* kTargetColumns =
    "id, policy, resource, target, owner, state, due_at, decided_by, savings, detail, "
    "created_at, updated_at, recommendations";

PolicyTargetRecord TargetOf(const Statement& q) {
  PolicyTargetRecord r;
  r.id = std::string(q.Text(0));
  r.policy = std::string(q.Text(1));
  r.resource = std::string(q.Text(2));
  r.target = std::string(q.Text(3));
  r.owner = std::string(q.Text(4));
  r.state = std::string(q.Text(5));
  if (!q.IsNull(6)) r.due_at = Timestamp::FromUnixSeconds(q.Int(6));
  r.decided_by = std::string(q.Text(7));
  r.savings = DecimalFromText(q.Text(8));
  r.detail = std::string(q.Text(9));
  r.created_at = Timestamp::FromUnixSeconds(q.Int(10));
  r.updated_at = Timestamp::FromUnixSeconds(q.Int(11));
  const nlohmann::json ids = nlohmann::json::parse(q.Text(12), nullptr, false);
  if (ids.is_array()) {
    for (const auto& id : ids) {
      if (id.is_string()) r.recommendations.push_back(id.get<std::string>());
    }
  }
  return r;
}

}  // namespace

Result<std::optional<PolicyTargetRecord>> SqliteAccessStore::GetPolicyTarget(std::string_view id) {
  TALLY_ASSIGN_OR_RETURN(Statement q, db_->Prepare(std::string("SELECT ") + kTargetColumns +
                                                   " FROM policy_targets WHERE id = ?"));
  q.BindText(1, id);
  TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<PolicyTargetRecord>();
  return std::optional<PolicyTargetRecord>(TargetOf(q));
}

Status SqliteAccessStore::PutPolicyTarget(const PolicyTargetRecord& r) {
  TALLY_ASSIGN_OR_RETURN(
      Statement put, db_->Prepare(std::string("INSERT OR REPLACE INTO policy_targets(") +
                                  kTargetColumns + ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const std::string savings = r.savings.ToString();
  put.BindText(1, r.id);
  put.BindText(2, r.policy);
  put.BindText(3, r.resource);
  put.BindText(4, r.target);
  put.BindText(5, r.owner);
  put.BindText(6, r.state);
  if (r.due_at) {
    put.BindInt(7, r.due_at->unix_seconds());
  } else {
    put.BindNull(7);
  }
  put.BindText(8, r.decided_by);
  put.BindText(9, savings);
  put.BindText(10, r.detail);
  put.BindInt(11, r.created_at.unix_seconds());
  put.BindInt(12, r.updated_at.unix_seconds());
  const std::string ids = nlohmann::json(r.recommendations).dump();
  put.BindText(13, ids);
  return put.Run();
}

Result<std::vector<PolicyTargetRecord>> SqliteAccessStore::ListPolicyTargets(
    std::string_view state) {
  TALLY_ASSIGN_OR_RETURN(Statement q, db_->Prepare(std::string("SELECT ") + kTargetColumns +
                                                   " FROM policy_targets WHERE ? = '' OR state = ? "
                                                   "ORDER BY updated_at DESC, id"));
  q.BindText(1, state);
  q.BindText(2, state);
  std::vector<PolicyTargetRecord> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(TargetOf(q));
  }
  return out;
}

}  // namespace tally::sqlite
