// `GET /api/v1/costs`: cost lines summed and grouped, as `tally costs` (by, metric, step,
// where, top, from, to); for a caller scoped to owners, the lines they own (api_scope.h).
#include "server/api_handlers.h"

#include <algorithm>
#include <charconv>

#include "report/cost_report.h"
#include "report/output_format.h"
#include "server/api_scope.h"
#include "server/api_support.h"

namespace tally {

void ServeCosts(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  CostQuery query;
  auto by = GroupBy(req, "");
  if (!by.ok()) return ReplyError(res, 400, by.status().message());
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  for (const std::string& name : *by) {
    auto key = GroupKey::Parse(name);
    if (!key.ok()) return ReplyError(res, 400, key.status().message());
    query.group_by.push_back(std::move(*key));
  }
  if (const std::string metric = Param(req, "metric"); !metric.empty()) {
    auto parsed = ParseCostMetric(metric);
    if (!parsed.ok()) return ReplyError(res, 400, parsed.status().message());
    query.metric = *parsed;
  }
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto step = ParseCostStep(Param(req, "step"));
  if (!step.ok()) return ReplyError(res, 400, step.status().message());
  query.step = *step;
  const size_t filters = req.get_param_value_count("where");
  if (filters > kMaxGroupKeys) {
    return ReplyError(res, 400, "where: at most " + std::to_string(kMaxGroupKeys) + " filters");
  }
  for (size_t i = 0; i < filters; ++i) {
    auto filter = CostFilter::Parse(req.get_param_value("where", i));
    if (!filter.ok()) return ReplyError(res, 400, filter.status().message());
    query.where.push_back(std::move(*filter));
  }
  if (const std::string top = Param(req, "top"); !top.empty()) {
    auto [end, ec] = std::from_chars(top.data(), top.data() + top.size(), query.top);
    if (ec != std::errc() || end != top.data() + top.size()) {
      return ReplyError(res, 400, "top: \"" + top + "\" is not a whole number");
    }
  }
  // A caller scoped to owners gets the lines its owners own through the ownership rules.
  const std::shared_ptr<const Config> config = RunningConfig(ctx);
  auto table = Locked<CostTable>(ctx, res, [&] {
    return QueryOwnedCostTable(*ctx.store, config->ownership, *ctx.caller, query);
  });
  if (!table) return;
  const size_t total_rows = table->rows.size();
  Json next = TakePage(*page, &table->rows);
  Json data = Json::parse(RenderCostTable(*table, OutputFormat::kJson));
  AddPaging(&data, total_rows, std::move(next));
  data["warnings"] = CostTableWarnings(query, *table);
  ReplySuccess(res, std::move(data));
}

}  // namespace tally
