#include "server/request_gate.h"

#include <cmath>

namespace tally {

std::optional<Caller> RequestGate::Admit(const httplib::Request& req, httplib::Response& res,
                                         Role role, Scoping scoping, bool expensive) {
  Caller caller = Caller::Local();
  if (access_ != nullptr) {
    auto who = access_->Authenticate(req.get_header_value("Authorization"));
    if (!who.ok()) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"tally\"");
      ReplyError(res, who.status().code() == StatusCode::kInvalidArgument ? 401 : 503,
                 who.status().message());
      return std::nullopt;
    }
    caller = std::move(*who);
  }
  if (!caller.HasRole(role)) {
    ReplyError(res, 403,
               "this needs the " + std::string(RoleName(role)) + " role; " + caller.name +
                   " is a " + std::string(RoleName(caller.role)));
    return std::nullopt;
  }
  if (scoping == Scoping::kPlatform && caller.Scoped()) {
    ReplyError(res, 403,
               "this covers the whole platform: a token scoped to owners cannot "
               "read it");
    return std::nullopt;
  }
  // Limited per token with authentication on; on loopback without it, the local administrator
  // (and a load test) is not.
  if (expensive && access_ != nullptr) {
    if (const double wait = limiter_.Take(caller.rate_key); wait > 0) {
      res.set_header("Retry-After", std::to_string(static_cast<int64_t>(std::ceil(wait))));
      ReplyError(res, 429,
                 "rate limit: too many requests from " + caller.name + "; try again in " +
                     std::to_string(static_cast<int64_t>(std::ceil(wait))) + " s");
      return std::nullopt;
    }
  }
  return caller;
}

}  // namespace tally
