// GET /api/v1/policies: the plan of every policy (as `tally policy plan --format json`) and what
// policies did to each target (as `tally policy list`); POST /api/v1/policies/approve and
// /object {"id": TARGET}: an operator approves a pending target or objects to a marked one, as
// `tally policy approve|object`, recorded in the audit log under the caller's name. A caller
// scoped to owners sees and decides its owners' targets only.
#include "policy/policy_report.h"
#include "server/api_routes.h"
#include "server/api_support.h"

namespace tally {
namespace {

void ServePolicies(const ApiContext& ctx, const Caller& caller, const httplib::Request&,
                   httplib::Response& res) {
  const std::shared_ptr<const Config> config = RunningConfig(ctx);
  const std::string config_path = ctx.config != nullptr ? ctx.config->state().path : "";
  auto policies = LoadPolicies(config_path, ctx.policies_dir);
  if (!policies.ok()) return ReplyError(res, 500, policies.status().message());
  auto candidates = Locked<std::vector<PolicyCandidate>>(
      ctx, res, [&] { return GatherCandidates(ctx.store, *config, std::nullopt, std::nullopt); });
  if (!candidates) return;
  // A scoped caller plans over its owners' candidates only.
  std::erase_if(*candidates, [&](const PolicyCandidate& c) { return !caller.Sees(c.owner); });
  const std::vector<PolicyPlan> plans = PlanPolicies(policies->policies, *candidates);
  auto state = OpenPolicyStateStore(ctx.store_url);
  if (!state.ok()) return ReplyError(res, 500, state.status().message());
  auto targets = (*state)->ListPolicyTargets("");
  if (!targets.ok()) return ReplyError(res, 500, targets.status().message());
  std::erase_if(*targets, [&](const PolicyTargetRecord& t) { return !caller.Sees(t.owner); });
  auto stored = Locked<RecommendationIndex>(ctx, res, [&] { return IndexRecommendations(ctx.store); });
  if (!stored) return;
  Json data = PlanJson(plans);
  data["targets"] = TargetsJson(*targets, *stored)["rows"];
  ReplySuccess(res, std::move(data));
}

void Decide(const ApiContext& ctx, const Caller& caller, const httplib::Request& req,
            httplib::Response& res, bool approve) {
  if (req.body.size() > 64 << 10) return ReplyError(res, 400, "the body is over 64 KiB");
  const Json body = Json::parse(req.body, nullptr, false);
  const std::string id = body.is_object() ? body.value("id", "") : "";
  if (id.empty()) return ReplyError(res, 400, "the body needs {\"id\": TARGET}");
  auto state = OpenPolicyStateStore(ctx.store_url);
  if (!state.ok()) return ReplyError(res, 500, state.status().message());
  // Another owner's target reads as an unknown one.
  auto known = (*state)->GetPolicyTarget(id);
  if (!known.ok()) return ReplyError(res, 500, known.status().message());
  if (!*known || !caller.Sees((*known)->owner))
    return ReplyError(res, 404, "no policy target " + id);
  RoutingActuator none(nullptr, nullptr, nullptr);  // deciding acts on nothing
  PolicyExecutor executor(**state, ctx.access, none, SystemClock(), caller.name);
  Status done = approve ? executor.Approve(id) : executor.Object(id);
  if (!done.ok()) {
    return ReplyError(res, done.code() == StatusCode::kFailedPrecondition ? 409 : 500,
                      done.message());
  }
  ReplySuccess(res, Json{{"id", id}, {"state", approve ? "approved" : "objected"}});
}

}  // namespace

std::vector<ApiRoute> PolicyRoutes(ApiContext ctx) {
  return {
      {"GET",
       "/api/v1/policies",
       "every policy's plan (matched, exempt, aborted, actions with savings) and what policies "
       "did to each target, as `tally policy plan` and `tally policy list`",
       {},
       [ctx](const Caller& caller, const httplib::Request& req, httplib::Response& res) {
         ServePolicies(ctx, caller, req, res);
       },
       Scoping::kOwners},
      {"POST",
       "/api/v1/policies/approve",
       "approve a pending target: body {\"id\": TARGET}; the next apply acts on it",
       {},
       [ctx](const Caller& caller, const httplib::Request& req, httplib::Response& res) {
         Decide(ctx, caller, req, res, true);
       },
       Scoping::kOwners,
       Role::kOperator},
      {"POST",
       "/api/v1/policies/object",
       "object to a marked target: body {\"id\": TARGET}; it will not be acted on",
       {},
       [ctx](const Caller& caller, const httplib::Request& req, httplib::Response& res) {
         Decide(ctx, caller, req, res, false);
       },
       Scoping::kOwners,
       Role::kOperator},
  };
}

}  // namespace tally
