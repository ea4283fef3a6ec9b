// The routes that change state or tell who asks: GET /api/v1/whoami, GET /api/v1/audit
// (admin), POST /api/v1/config/reload (admin), POST /api/v1/runs and
// POST /api/v1/anomalies/state (operator).
// Each change is recorded in the audit log with who asked (access_control.h).
#include <nlohmann/json.hpp>

#include "access/audit_log.h"
#include "server/api_routes.h"
#include "server/api_support.h"

namespace tally {
namespace {

constexpr size_t kMaxActionBody = 64 << 10;

// The JSON object of a POST body. Errors: kInvalidArgument.
Result<Json> BodyObject(const httplib::Request& req) {
  if (req.body.size() > kMaxActionBody) return InvalidArgument("the body is over 64 KiB");
  Json body = Json::parse(req.body, nullptr, false);
  if (!body.is_object()) return InvalidArgument("the body is not a JSON object");
  return body;
}

Json AuditJson(const AuditEntry& e) {
  Json detail = Json::parse(e.detail, nullptr, false);
  return Json{{"seq", e.seq},       {"at", e.at.ToString()},
              {"actor", e.actor},   {"action", e.action},
              {"target", e.target}, {"detail", detail.is_discarded() ? Json(e.detail) : detail},
              {"hash", e.hash}};
}

// Records `action` by `caller`; a failure to record is the answer's error (the change stands:
// it says so).
bool Audit(const ApiContext& ctx, httplib::Response& res, const Caller& caller, const char* action,
           const std::string& target, const Json& detail) {
  if (ctx.access == nullptr) return true;
  auto recorded = ctx.access->Record(caller.name, action, target, detail.dump());
  if (recorded.ok()) return true;
  ReplyError(res, 500,
             "done, but the audit log could not record it: " + recorded.status().message());
  return false;
}

void ServeAnomalyState(const ApiContext& ctx, const Caller& caller, const httplib::Request& req,
                       httplib::Response& res) {
  auto body = BodyObject(req);
  if (!body.ok()) return ReplyError(res, 400, body.status().message());
  const std::string id = body->value("id", ""), verb = body->value("state", "");
  const char* state = verb == "ack"       ? "acknowledged"
                      : verb == "resolve" ? "resolved"
                      : verb == "reopen"  ? "open"
                                          : nullptr;
  if (id.empty() || state == nullptr) {
    return ReplyError(res, 400, "the body needs {\"id\": ID, \"state\": ack|resolve|reopen}");
  }
  // A scoped caller finds only its owners' anomalies: another's is as unknown as a missing one.
  auto before =
      Locked<std::optional<AnomalyRecord>>(ctx, res, [&]() -> Result<std::optional<AnomalyRecord>> {
        TALLY_ASSIGN_OR_RETURN(auto all, ctx.store->ListAnomalies(std::nullopt, std::nullopt));
        for (AnomalyRecord& a : all) {
          if (a.id == id && caller.Sees(a.owner)) return std::optional<AnomalyRecord>(a);
        }
        return std::optional<AnomalyRecord>();
      });
  if (!before) return;
  if (!*before) return ReplyError(res, 404, "no anomaly " + id);
  auto set = Locked<bool>(ctx, res, [&]() -> Result<bool> {
    TALLY_RETURN_IF_ERROR(ctx.store->SetAnomalyState(id, state, SystemClock().Now()));
    return true;
  });
  if (!set) return;
  const Json detail{{"before", (*before)->state}, {"after", state}};
  if (Audit(ctx, res, caller, "anomaly.state", id, detail)) {
    ReplySuccess(res, Json{{"id", id}, {"state", state}});
  }
}

void ServeConfigReload(const ApiContext& ctx, const Caller& caller, const httplib::Request&,
                       httplib::Response& res) {
  if (!ctx.reload_config) {
    return ReplyError(res, 409, "this server runs without a tally.yaml to read again");
  }
  const std::string outcome = ctx.reload_config();
  const std::string path = ctx.config != nullptr ? ctx.config->state().path : "";
  const std::string error = ctx.config != nullptr ? ctx.config->state().error : "";
  if (Audit(ctx, res, caller, "config.reload", path,
            Json{{"outcome", outcome}, {"error", error}})) {
    ReplySuccess(res, Json{{"outcome", outcome}, {"error", error}});
  }
}

void ServeRun(const ApiContext& ctx, const Caller& caller, const httplib::Request&,
              httplib::Response& res) {
  if (!ctx.run_now)
    return ReplyError(res, 409, "this server schedules no collection or allocation");
  ctx.run_now();
  if (Audit(ctx, res, caller, "run.trigger", "scheduler", Json::object())) {
    ReplySuccess(res, Json{{"triggered", true}});
  }
}

void ServeAudit(const ApiContext& ctx, const Caller&, const httplib::Request& req,
                httplib::Response& res) {
  if (ctx.access == nullptr) return ReplySuccess(res, Json{{"rows", Json::array()}});
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  // The whole chain is checked, but only the page's entries are kept: the log only grows.
  Json rows = Json::array();
  AuditChainCheck check;
  std::optional<AuditBreak> broken;
  size_t total = 0;
  Status read = ctx.access->ForEachAudit([&](const AuditEntry& e) {
    if (!broken) broken = check.Next(e);
    if (total >= page->offset && total - page->offset < page->limit) rows.push_back(AuditJson(e));
    ++total;
    return Status::Ok();
  });
  if (!read.ok()) return ReplyError(res, 500, read.message());
  const size_t end = page->offset + rows.size();
  Json data{{"verified", !broken.has_value()},
            {"break", broken ? Json(broken->reason) : Json(nullptr)},
            {"rows", std::move(rows)}};
  AddPaging(&data, total, end < total ? Json(std::to_string(end)) : Json(nullptr));
  ReplySuccess(res, std::move(data));
}

}  // namespace

std::vector<ApiRoute> ActionRoutes(ApiContext ctx) {
  auto with = [ctx](void (*f)(const ApiContext&, const Caller&, const httplib::Request&,
                              httplib::Response&)) {
    return [ctx, f](const Caller& caller, const httplib::Request& req, httplib::Response& res) {
      f(ctx, caller, req, res);
    };
  };
  return {
      {"GET",
       "/api/v1/whoami",
       "who the request authenticates as: name, role, owner subtrees, write sources",
       {},
       [](const Caller& caller, const httplib::Request&, httplib::Response& res) {
         ReplySuccess(res, Json{{"name", caller.name},
                                {"role", RoleName(caller.role)},
                                {"owners", caller.owners},
                                {"write_sources", caller.write_sources}});
       },
       Scoping::kNone,
       Role::kViewer,
       false},
      {"GET",
       "/api/v1/audit",
       "the audit log, oldest first, and whether its hash chain holds (as `tally audit "
       "--verify`)",
       {{"limit", "rows per page"}, {"cursor", "the next_cursor of the previous page"}},
       with(ServeAudit),
       Scoping::kPlatform,
       Role::kAdmin},
      {"POST",
       "/api/v1/config/reload",
       "read tally.yaml again now, as SIGHUP does; recorded in the audit log",
       {},
       with(ServeConfigReload),
       Scoping::kPlatform,
       Role::kAdmin},
      {"POST",
       "/api/v1/runs",
       "collect every source of tally.yaml now and allocate what changed (operator); recorded "
       "in the audit log",
       {},
       with(ServeRun),
       Scoping::kPlatform,
       Role::kOperator},
      {"POST",
       "/api/v1/anomalies/state",
       "set an anomaly's state: body {\"id\": ID, \"state\": ack|resolve|reopen}; recorded in "
       "the audit log",
       {},
       with(ServeAnomalyState),
       Scoping::kOwners,
       Role::kOperator},
  };
}

}  // namespace tally
