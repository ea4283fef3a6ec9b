// Who is asking: the identity a request authenticated as (a token or an OIDC token's claims),
// with its role and scope. Every API handler receives one; with authentication off, requests
// come from the local administrator.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tally/access_state.h"

namespace tally {

struct Caller {
  std::string name;  // as the audit log names it: a token's name, an OIDC subject, "local"
  Role role = Role::kAdmin;
  std::vector<std::string> owners;         // owner subtrees it sees; empty: every owner
  std::vector<std::string> write_sources;  // remote_write sources it may push; "*": any
  std::string rate_key;                    // what its rate limit counts by

  static Caller Local() { return Caller{"local", Role::kAdmin, {}, {"*"}, "local"}; }

  bool Scoped() const { return !owners.empty(); }
  bool HasRole(Role needed) const { return role >= needed; }
  // True when `owner` lies in one of the caller's subtrees (any owner when unscoped).
  bool Sees(std::string_view owner) const;
  bool CanWrite(std::string_view source) const;
};

}  // namespace tally
