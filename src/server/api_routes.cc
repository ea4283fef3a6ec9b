#include "server/api_routes.h"

#include <cctype>

#include "server/api_handlers.h"
#include "server/api_support.h"

namespace tally {

void ReplySuccess(httplib::Response& res, Json data) {
  res.status = 200;
  res.set_content(Json{{"status", "success"}, {"data", std::move(data)}}.dump(
                      -1, ' ', false, Json::error_handler_t::replace),
                  "application/json");
}

void ReplyError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(Json{{"status", "error"}, {"error", message}}.dump(
                      -1, ' ', false, Json::error_handler_t::replace),
                  "application/json");
}

std::optional<ResponseCache::Answer> ResponseCache::Find(const std::string& key,
                                                         int64_t version) {
  std::lock_guard lock(mu_);
  if (version != version_) {
    bodies_.clear();
    bytes_ = 0;
    version_ = version;
    return std::nullopt;
  }
  auto it = bodies_.find(key);
  if (it == bodies_.end()) return std::nullopt;
  return it->second;
}

void ResponseCache::Put(const std::string& key, int64_t version, Answer answer) {
  std::lock_guard lock(mu_);
  if (version != version_) return;
  // Bounded in count and bytes: the dashboard asks a handful of questions; anything past that
  // starts the cache over.
  constexpr size_t kMaxBytes = 256u << 20;
  if (bodies_.size() >= 1000 || bytes_ + answer.body.size() > kMaxBytes) {
    bodies_.clear();
    bytes_ = 0;
  }
  bytes_ += answer.body.size();
  bodies_[key] = std::move(answer);
}

std::vector<ApiRoute> ApiRoutes(ApiContext ctx) {
  const ApiParam from{"from", "first hour, inclusive (RFC 3339 or a date)"};
  const ApiParam to{"to", "end, exclusive"};
  // Serves a JSON answer from the cache while the store has not changed.
  // Answers depend on who asks only through their role and owners, which key the cache.
  auto bind = [base = ctx](void (*f)(const ApiContext&, const httplib::Request&,
                                     httplib::Response&)) {
    return [base, f](const Caller& caller, const httplib::Request& req, httplib::Response& res) {
      ApiContext ctx = base;
      ctx.caller = &caller;
      if (ctx.cache == nullptr) return f(ctx, req, res);
      std::string key = req.path;
      for (const auto& [name, value] : req.params) key += "&" + name + "=" + value;
      if (ctx.config != nullptr) key += "#config=" + std::to_string(ctx.config->state().generation);
      key += "#role=" + std::string(RoleName(caller.role));
      for (const std::string& owner : caller.owners) key += "#owner=" + owner;
      Result<int64_t> version = [&] {
        std::lock_guard lock(*ctx.store_mu);
        return ctx.store->DataVersion();
      }();
      if (version.ok()) {
        if (auto answer = ctx.cache->Find(key, *version)) {
          res.set_content(answer->body, answer->content_type);
          return;
        }
      }
      // One computation at a time: 50 clients missing together wait for the first answer
      // instead of each scanning the store.
      std::lock_guard compute(ctx.cache->compute_mu());
      if (version.ok()) {
        if (auto answer = ctx.cache->Find(key, *version)) {
          res.set_content(answer->body, answer->content_type);
          return;
        }
      }
      f(ctx, req, res);
      if (version.ok() && res.status == 200) {
        ctx.cache->Put(key, *version, {res.body, res.get_header_value("Content-Type")});
      }
    };
  };
  std::vector<ApiRoute> routes = {
      {"GET",
       "/api/v1/costs",
       "cost lines summed and grouped, as `tally costs`",
       {{"by", "FOCUS columns, Tags.<key> or x_ columns, comma-separated"},
        {"metric", "EffectiveCost (default), BilledCost, ListCost or ContractedCost"},
        {"step", "hour, day or month: a time series per group"},
        {"where", "COLUMN%3DVALUE[,VALUE...] keeps lines with one of the values; repeatable"},
        {"top", "keep the N costliest groups, the rest summed as one (other) row"},
        from,
        to},
       bind(ServeCosts), Scoping::kOwners},
      {"GET",
       "/api/v1/usage",
       "usage amount-hours grouped, as `tally usage`",
       {{"by",
         "consumer, namespace, pod, container, controller, node, source, day, hour, "
         "label.<key>"},
        from,
        to},
       bind(ServeUsage), Scoping::kOwners},
      {"GET",
       "/api/v1/showback",
       "allocated cost grouped, as `tally report showback`; rows and total carry `estimated`, "
       "the part estimated at reference prices (no bill line names the asset)",
       {{"by",
         "owner (default), consumer, asset, resource, class (compute, storage, network, cache, "
         "other), service, source, kind, namespace, controller, hour, day, label.<key>"},
        {"where", "KEY%3DVALUE[,VALUE...] keeps rows whose key (any `by` key) has one of the "
                  "values; repeatable"},
        {"step", "1h or 1d: a time series per group"},
        from,
        to},
       bind(ServeShowback), Scoping::kOwners},
      {"GET",
       "/api/v1/reconcile",
       "bill = allocated + idle + unallocated per source",
       {from, to},
       bind(ServeReconcile)},
      {"GET",
       "/api/v1/owners",
       "allocated cost per owner, as showback by owner",
       {from, to},
       [show = bind(ServeShowback)](const Caller& caller, const httplib::Request& req,
                                    httplib::Response& res) {
         httplib::Request by_owner = req;
         by_owner.params.erase("by");
         by_owner.params.emplace("by", "owner");
         show(caller, by_owner, res);
       },
       Scoping::kOwners},
      {"GET",
       "/api/v1/gpu",
       "GPU capacity, requested and used GPU-hours, utilization and cost per node, consumer "
       "and day",
       {from, to},
       bind(ServeGpu), Scoping::kOwners},
      {"GET",
       "/api/v1/gpus",
       "the physical GPUs from their newest readings: model, memory, utilization, power, MIG "
       "mode and instances, processes, as `tally gpus --format json`",
       {},
       bind(ServeGpus)},
      {"GET",
       "/api/v1/sources",
       "the data's time window; allocation progress; each usage source's hours, last run and "
       "error; recent ingests; the config's state (admin)",
       {},
       bind(ServeSources), Scoping::kPlatform, Role::kAdmin},
      {"GET",
       "/api/v1/window",
       "the data's time window",
       {},
       bind(ServeWindow), Scoping::kNone, Role::kViewer, false},
      {"GET",
       "/api/v1/assets",
       "assets with identity, capacity-hours and the hours consumers held; volumes nobody "
       "mounted are orphaned",
       {from, to},
       bind(ServeAssets)},
      {"GET",
       "/api/v1/flows",
       "network bytes and packets grouped, as `tally flows`, most bytes first",
       {{"by", "class (default), interface, src, dst, consumer, owner"}, from, to},
       bind(ServeFlows)},
      {"GET",
       "/api/v1/forecast",
       "daily cost forecast with its 80% interval, backtest MAPE, seasonal-naive MAPE, "
       "coverage and month/quarter-end projections, as `tally forecast --format json`",
       {{"by", "a bill dimension (ServiceName, Tags.team, ...) or owner; default: the total"},
        {"where", "KEY%3DVALUE[,VALUE...]; repeatable"},
        {"days", "the horizon, 1..366 (default 30)"},
        {"metric", "EffectiveCost (default), BilledCost, ListCost, ContractedCost"},
        {"capacity", "a resource (gpu): forecast its daily requested hours against capacity, "
                     "as `tally forecast --capacity gpu --format json`"}},
       bind(ServeForecast), Scoping::kOwners},
      {"GET",
       "/api/v1/anomalies",
       "cost anomalies with impact and root cause, and their stored state, as `tally "
       "anomalies --format json` (a GET stores nothing)",
       {{"by", "a bill dimension or owner; default: the total"},
        {"where", "KEY%3DVALUE[,VALUE...]; repeatable"},
        {"step", "day (default) or hour"},
        from,
        to},
       bind(ServeAnomalies), Scoping::kOwners},
      {"GET",
       "/api/v1/budgets",
       "each budget of tally.yaml: actual, forecast, thresholds crossed and burn-down, as "
       "`tally budgets --format json`",
       {{"as_of", "evaluate as of this day (default: the last day of data)"}},
       bind(ServeBudgets), Scoping::kOwners},
      {"GET",
       "/api/v1/kpis",
       "coverage, idle share, efficiency, GPU utilization, unit costs and commitments, for the "
       "platform and per owner, as `tally kpis --format json`",
       {from, to},
       bind(ServeKpis), Scoping::kOwners},
      {"GET",
       "/api/v1/recommendations",
       "waste and savings (idle GPUs, abandoned workloads, rightsizing, orphaned volumes), each "
       "with monthly savings, confidence, evidence and action, as `tally recommend --format json`",
       {{"kind", "idle_gpu, abandoned, rightsizing, orphaned_volume, slurm_job, spark_app, "
                 "cold_storage, commitment or node_consolidation"},
        {"owner", "an owner path: it and those below it"},
        from,
        to},
       bind(ServeRecommendations), Scoping::kOwners},
      {"GET",
       "/api/v1/version",
       "the store's data version: it changes whenever data changes (the dashboard polls it to "
       "refresh without a reload)",
       {},
       [ctx](const Caller&, const httplib::Request&, httplib::Response& res) {
         auto version = Locked<int64_t>(ctx, res, [&] { return ctx.store->DataVersion(); });
         if (version) ReplySuccess(res, Json{{"version", *version}});
       },
       Scoping::kNone, Role::kViewer, false},
      {"GET",
       "/metrics",
       "Prometheus text: OpenCost-compatible node and container series, and tally_* series",
       {},
       bind(ServeMetrics), Scoping::kOwners},
  };
  for (ApiRoute& action : ActionRoutes(ctx)) routes.push_back(std::move(action));
  for (ApiRoute& policy : PolicyRoutes(ctx)) routes.push_back(std::move(policy));
  return routes;
}

Json OpenApiDocument(const std::vector<ApiRoute>& routes) {
  Json paths = Json::object();
  auto add = [&](const char* method, const char* path, const char* summary,
                 const std::vector<ApiParam>& params) {
    Json parameters = Json::array();
    for (const ApiParam& p : params) {
      parameters.push_back(Json{{"name", p.name},
                                {"in", "query"},
                                {"required", false},
                                {"description", p.description},
                                {"schema", Json{{"type", "string"}}}});
    }
    std::string m = method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[path][m] = Json{{"summary", summary},
                          {"parameters", std::move(parameters)},
                          {"responses",
                           Json{{"200", Json{{"description", "success envelope"}}},
                                {"400", Json{{"description", "bad parameters"}}},
                                {"401", Json{{"description", "no valid bearer token (--auth "
                                                             "required)"}}},
                                {"403", Json{{"description", "the caller's role or scope does "
                                                             "not allow it"}}},
                                {"429", Json{{"description", "the caller's rate limit"}}}}}};
  };
  for (const ApiRoute& r : routes) {
    add(r.method, r.path, r.summary, r.params);
    std::string m = r.method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Json& op = paths[r.path][m];
    op["x-tally-role"] = RoleName(r.role);
    op["x-tally-scoped"] = r.scoping == Scoping::kOwners   ? "to the caller's owners"
                           : r.scoping == Scoping::kNone ? "nothing owner-related"
                                                         : "platform-wide: not for scoped tokens";
  }
  add("GET", "/healthz", "liveness", {});
  add("GET", "/readyz", "readiness: the store answers", {});
  add("POST", "/api/v1/write", "Prometheus remote_write (snappy protobuf WriteRequest)", {});
  add("GET", "/api/v1/remote-write", "remote_write receiver counters", {});
  add("GET", "/api/v1/openapi.json", "this document", {});
  return Json{{"openapi", "3.0.3"},
              {"info", Json{{"title", "tally API"}, {"version", "0.1.0"}}},
              {"paths", std::move(paths)}};
}

}  // namespace tally
