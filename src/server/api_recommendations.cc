// `GET /api/v1/recommendations`: waste and savings with evidence and action, as
// `tally recommend --format json`.
#include "insight/recommendations.h"
#include "server/api_handlers.h"
#include "server/api_scope.h"
#include "server/api_support.h"

namespace tally {

void ServeRecommendations(const ApiContext& ctx, const httplib::Request& req,
                          httplib::Response& res) {
  RecommendQuery query;
  query.kind = Param(req, "kind");
  query.owner = Param(req, "owner");
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto report = Locked<RecommendationReport>(ctx, res,
                                             [&] { return BuildRecommendations(ctx.store, query); });
  if (!report) return;
  ScopeRecommendations(*ctx.caller, &*report);
  ReplyPage(res, *page, RecommendationJson(*report));
}

}  // namespace tally
