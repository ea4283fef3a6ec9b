// RequestGate: who a request comes from and whether it may go on (docs/security.md). With
// authentication required, every API route, /metrics and remote_write need a bearer token
// (401 without a valid one); a route's role and scoping then decide (403), and expensive routes
// count against the caller's rate limit (429 with Retry-After). With authentication off (the
// loopback default), requests come from the local administrator, unlimited.
//
// Thread-safe.
#pragma once

#include <httplib.h>

#include <optional>

#include "access/access_control.h"
#include "access/rate_limiter.h"
#include "server/api_routes.h"

namespace tally {

class RequestGate {
 public:
  // `access` is null with authentication off.
  RequestGate(AccessControl* access, double rate_limit_per_minute)
      : access_(access), limiter_(rate_limit_per_minute) {}

  bool required() const { return access_ != nullptr; }

  // The caller, or nullopt after replying 401, 403 or 429.
  std::optional<Caller> Admit(const httplib::Request& req, httplib::Response& res, Role role,
                              Scoping scoping, bool expensive);

 private:
  AccessControl* access_;
  RateLimiter limiter_;
};

}  // namespace tally
