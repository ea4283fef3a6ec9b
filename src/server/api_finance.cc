// `GET /api/v1/forecast`, `/anomalies`, `/budgets` and `/kpis`: the forecast, the anomalies
// (found anew, with the states stored by `tally anomalies`; a GET stores nothing), the budgets
// of the running tally.yaml and the KPIs, as the commands of the same names print them in JSON.
#include "server/api_handlers.h"

#include "insight/anomalies.h"
#include "insight/budgets.h"
#include "insight/capacity_forecast.h"
#include "insight/forecast.h"
#include "insight/kpis.h"
#include "server/api_scope.h"
#include "server/api_support.h"

namespace tally {
namespace {

// `where` filters, at most kMaxGroupKeys of them.
Result<std::vector<std::string>> Filters(const httplib::Request& req) {
  const size_t count = req.get_param_value_count("where");
  if (count > kMaxGroupKeys) {
    return InvalidArgument("where: at most " + std::to_string(kMaxGroupKeys) + " filters");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) out.push_back(req.get_param_value("where", i));
  return out;
}

Result<int> Whole(const httplib::Request& req, const char* name, int fallback, int min, int max) {
  const std::string text = Param(req, name);
  if (text.empty()) return fallback;
  int value = 0;
  size_t used = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < min || value > max) {
    return InvalidArgument(std::string(name) + ": a whole number from " + std::to_string(min) +
                           " to " + std::to_string(max));
  }
  return value;
}

}  // namespace

void ServeForecast(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  ForecastQuery query;
  auto by = GroupBy(req, "");
  auto where = Filters(req);
  auto days = Whole(req, "days", 30, 1, 366);
  auto metric = ParseCostMetric(Param(req, "metric").empty() ? "EffectiveCost" : Param(req, "metric"));
  for (const Status& s : {by.status(), where.status(), days.status(), metric.status()}) {
    if (!s.ok()) return ReplyError(res, 400, s.message());
  }
  if (auto refused = RefuseBillKeys(*ctx.caller, *by, *where)) {
    return ReplyError(res, 403, *refused);
  }
  if (const std::string resource = Param(req, "capacity"); !resource.empty()) {
    if (ctx.caller->Scoped()) {
      return ReplyError(res, 403, "capacity covers the whole platform: a token scoped to "
                                  "owners cannot read it");
    }
    auto f = Locked<CapacityForecast>(
        ctx, res, [&] { return BuildCapacityForecast(ctx.store, resource, *days); });
    if (f) ReplySuccess(res, CapacityForecastJson(*f));
    return;
  }
  query.by = *by;
  query.where = *where;
  query.days = *days;
  query.metric = *metric;
  auto report = Locked<ForecastReport>(ctx, res, [&]() -> Result<ForecastReport> {
    TALLY_RETURN_IF_ERROR(AddOwnerFilter(*ctx.store, *ctx.caller, &query.where));
    return BuildForecast(ctx.store, query);
  });
  if (report) ReplySuccess(res, ForecastJson(*report));
}

void ServeAnomalies(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  AnomalyQuery query;
  auto by = GroupBy(req, "");
  auto where = Filters(req);
  auto step = ParseCostStep(Param(req, "step").empty() ? "day" : Param(req, "step"));
  for (const Status& s : {by.status(), where.status(), step.status()}) {
    if (!s.ok()) return ReplyError(res, 400, s.message());
  }
  if (*step != CostStep::kDay && *step != CostStep::kHour) {
    return ReplyError(res, 400, "step must be day or hour");
  }
  if (auto refused = RefuseBillKeys(*ctx.caller, *by, *where)) {
    return ReplyError(res, 403, *refused);
  }
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  query.by = *by;
  query.where = *where;
  query.step = *step;
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  struct Found {
    AnomalyReport report;
    std::vector<AnomalyRecord> stored;
  };
  auto found = Locked<Found>(ctx, res, [&]() -> Result<Found> {
    Found f;
    TALLY_RETURN_IF_ERROR(AddOwnerFilter(*ctx.store, *ctx.caller, &query.where));
    TALLY_ASSIGN_OR_RETURN(f.report, FindAnomalies(ctx.store, query));
    TALLY_ASSIGN_OR_RETURN(f.stored, ctx.store->ListAnomalies(std::nullopt, std::nullopt));
    return f;
  });
  if (found) ReplyPage(res, *page, AnomalyJson(found->report, found->stored));
}

void ServeBudgets(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::optional<Timestamp> as_of, unused;
  if (!Param(req, "as_of").empty()) {
    httplib::Request window;
    window.params.emplace("from", Param(req, "as_of"));
    Status s = ParseWindow(window, &as_of, &unused);
    if (!s.ok()) return ReplyError(res, 400, "as_of: " + s.message());
  }
  const std::shared_ptr<const Config> config = RunningConfig(ctx);
  auto report = Locked<BudgetReport>(ctx, res,
                                     [&] { return BuildBudgets(ctx.store, config->budgets, as_of); });
  if (!report) return;
  ScopeBudgets(*ctx.caller, &*report);
  ReplySuccess(res, BudgetJson(*report));
}

void ServeKpis(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  KpiQuery query;
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  query.unit_metrics = RunningConfig(ctx)->unit_metrics;
  auto report = Locked<KpiReport>(ctx, res, [&] { return BuildKpis(ctx.store, query); });
  if (!report) return;
  ScopeKpis(*ctx.caller, &*report);
  Json data = KpiJson(*report);
  if (ctx.caller->Scoped()) data["platform"] = nullptr;  // the whole bill's
  ReplySuccess(res, std::move(data));
}

}  // namespace tally
