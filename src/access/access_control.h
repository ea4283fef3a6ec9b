// AccessControl: tokens and the audit log over an AccessStore, for the CLI (`tally tokens`,
// `tally audit`) and the server (each request authenticated, each mutation recorded). It is the
// one place that decides who a bearer token is: an API token (token.h), or with OIDC configured
// a JWT verified against the identity provider's keys (oidc.h).
//
// Thread-safe: calls are serialized on the store's connection.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "access/caller.h"
#include "access/oidc.h"
#include "access/token.h"
#include "tally/access_state.h"
#include "tally/clock.h"

namespace tally {

class AccessControl {
 public:
  explicit AccessControl(std::unique_ptr<AccessStore> store, const Clock& clock = SystemClock());

  // Verifies JWTs with `oidc` from now on (nullptr: API tokens only).
  void SetOidc(std::shared_ptr<const OidcVerifier> oidc);

  // Who the Authorization header's bearer token is. Errors: kInvalidArgument saying why not
  // (no token, unknown, revoked or expired: one text, so an answer does not tell which ids
  // exist), kIoError from the store.
  Result<Caller> Authenticate(std::string_view authorization);

  // Appends to the audit log, as `actor`. `detail` is JSON text.
  Result<AuditEntry> Record(std::string_view actor, std::string_view action,
                            std::string_view target, std::string detail);

  // Mints and stores a token and records it, as `actor`. Errors: kInvalidArgument for a bad
  // spec (name empty, owner or source malformed).
  Result<MintedToken> CreateToken(TokenRecord spec, std::string_view actor);
  // Errors: kNotFound for an unknown or already revoked id.
  Status RevokeToken(std::string_view id, std::string_view actor);
  Result<std::vector<TokenRecord>> ListTokens();
  // Each audit entry, oldest first (read in pages: the log may be long).
  Status ForEachAudit(const std::function<Status(const AuditEntry&)>& each);

 private:
  std::mutex mu_;
  std::unique_ptr<AccessStore> store_;
  const Clock& clock_;
  std::shared_ptr<const OidcVerifier> oidc_;
};

// Owner paths and source names a token may name: letters, digits, and . _ - / (owners) with no
// empty segment. Errors: kInvalidArgument.
Status CheckOwnerPath(std::string_view owner);
Status CheckSourceName(std::string_view source);

}  // namespace tally
