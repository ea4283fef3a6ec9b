#include "access/access_control.h"

#include <nlohmann/json.hpp>

#include "access/audit_log.h"

namespace tally {
namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

Status CheckOwnerPath(std::string_view owner) {
  if (owner.empty() || owner.size() > 256 || owner.front() == '/' || owner.back() == '/' ||
      owner.find("//") != std::string_view::npos) {
    return InvalidArgument("owner \"" + std::string(owner) +
                           "\" is not an owner path like ads or ml/training");
  }
  for (char c : owner) {
    if (!NameChar(c) && c != '/') {
      return InvalidArgument("owner \"" + std::string(owner) +
                             "\": only letters, digits and . _ - / may appear");
    }
  }
  return Status::Ok();
}

Status CheckSourceName(std::string_view source) {
  if (source == "*") return Status::Ok();
  if (source.empty() || source.size() > 128) {
    return InvalidArgument("source name \"" + std::string(source) + "\" is empty or too long");
  }
  for (char c : source) {
    if (!NameChar(c)) {
      return InvalidArgument("source name \"" + std::string(source) +
                             "\": only letters, digits and . _ - may appear");
    }
  }
  return Status::Ok();
}

AccessControl::AccessControl(std::unique_ptr<AccessStore> store, const Clock& clock)
    : store_(std::move(store)), clock_(clock) {}

void AccessControl::SetOidc(std::shared_ptr<const OidcVerifier> oidc) {
  std::lock_guard lock(mu_);
  oidc_ = std::move(oidc);
}

Result<Caller> AccessControl::Authenticate(std::string_view authorization) {
  static const std::string kInvalid = "the bearer token is not valid (unknown, revoked or expired)";
  const std::optional<std::string_view> bearer = BearerOf(authorization);
  if (!bearer) return InvalidArgument("no bearer token: send Authorization: Bearer <token>");
  const Timestamp now = clock_.Now();
  const std::optional<PresentedToken> presented = ParseToken(*bearer);
  std::lock_guard lock(mu_);
  if (!presented) {
    if (oidc_ != nullptr && bearer->find('.') != std::string_view::npos) {
      auto caller = oidc_->Verify(*bearer, now);
      if (!caller.ok())
        return InvalidArgument("the bearer token is not valid: " + caller.status().message());
      return caller;
    }
    return InvalidArgument(kInvalid);
  }
  TALLY_ASSIGN_OR_RETURN(std::optional<TokenRecord> token, store_->FindToken(presented->id));
  // The secret is compared even for an unknown id, so the time taken tells nothing.
  const bool matches =
      SecretMatches(token ? token->secret_hash : std::string(64, '0'), presented->secret);
  if (!token || !matches || token->revoked_at ||
      (token->expires_at && !(now < *token->expires_at))) {
    return InvalidArgument(kInvalid);
  }
  return Caller{token->name, token->role, token->owners, token->write_sources,
                "token:" + token->id};
}

Result<AuditEntry> AccessControl::Record(std::string_view actor, std::string_view action,
                                         std::string_view target, std::string detail) {
  AuditEntry entry;
  entry.at = clock_.Now();
  entry.actor = std::string(actor);
  entry.action = std::string(action);
  entry.target = std::string(target);
  entry.detail = std::move(detail);
  std::lock_guard lock(mu_);
  return store_->AppendAudit(std::move(entry), AuditHash);
}

Result<MintedToken> AccessControl::CreateToken(TokenRecord spec, std::string_view actor) {
  if (spec.name.empty() || spec.name.size() > 128) {
    return InvalidArgument("a token needs a name of 1 to 128 characters (--name)");
  }
  for (const std::string& owner : spec.owners) TALLY_RETURN_IF_ERROR(CheckOwnerPath(owner));
  for (const std::string& source : spec.write_sources) {
    TALLY_RETURN_IF_ERROR(CheckSourceName(source));
  }
  spec.created_at = clock_.Now();
  spec.created_by = std::string(actor);
  if (spec.expires_at && !(spec.created_at < *spec.expires_at)) {
    return InvalidArgument("the token would expire before it is created");
  }
  TALLY_ASSIGN_OR_RETURN(MintedToken minted, MintToken(std::move(spec)));
  {
    std::lock_guard lock(mu_);
    TALLY_RETURN_IF_ERROR(store_->CreateToken(minted.record));
  }
  const TokenRecord& t = minted.record;
  nlohmann::json detail{{"name", t.name},
                        {"role", RoleName(t.role)},
                        {"owners", t.owners},
                        {"write_sources", t.write_sources},
                        {"expires_at", t.expires_at ? t.expires_at->ToString() : ""}};
  TALLY_RETURN_IF_ERROR(Record(actor, "token.create", t.id, detail.dump()).status());
  return minted;
}

Status AccessControl::RevokeToken(std::string_view id, std::string_view actor) {
  {
    std::lock_guard lock(mu_);
    TALLY_RETURN_IF_ERROR(store_->RevokeToken(id, clock_.Now()));
  }
  return Record(actor, "token.revoke", id, "{}").status();
}

Result<std::vector<TokenRecord>> AccessControl::ListTokens() {
  std::lock_guard lock(mu_);
  return store_->ListTokens();
}

Status AccessControl::ForEachAudit(const std::function<Status(const AuditEntry&)>& each) {
  int64_t after = 0;
  for (;;) {
    std::vector<AuditEntry> page;
    {
      std::lock_guard lock(mu_);
      TALLY_ASSIGN_OR_RETURN(page, store_->ListAudit(after, 10'000));
    }
    if (page.empty()) return Status::Ok();
    for (const AuditEntry& e : page) TALLY_RETURN_IF_ERROR(each(e));
    after = page.back().seq;
  }
}

}  // namespace tally
