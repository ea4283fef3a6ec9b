// `GET /api/v1/showback` (and /owners): allocated cost grouped, as `tally report showback`,
// filtered by `where=KEY=V1,V2` (repeatable); with step=1h or 1d, one time series per group.
#include "server/api_handlers.h"

#include <map>

#include "report/allocation_views.h"
#include "report/showback.h"
#include "server/api_support.h"

namespace tally {

void ServeShowback(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  ShowbackQuery query;
  query.owner_within = ctx.caller->owners;
  auto by = GroupBy(req, "owner");
  if (!by.ok()) return ReplyError(res, 400, by.status().message());
  auto keys = ParseShowbackKeys(*by);
  if (!keys.ok()) return ReplyError(res, 400, "by: " + keys.status().message());
  query.group_by = std::move(*keys);
  const size_t filters = req.get_param_value_count("where");
  if (filters > kMaxGroupKeys) {
    return ReplyError(res, 400, "where: at most " + std::to_string(kMaxGroupKeys) + " filters");
  }
  for (size_t i = 0; i < filters; ++i) {
    auto filter = ShowbackFilter::Parse(req.get_param_value("where", i));
    if (!filter.ok()) return ReplyError(res, 400, "where: " + filter.status().message());
    query.where.push_back(std::move(*filter));
  }
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  const std::string step = Param(req, "step");
  if (!step.empty() && step != "1h" && step != "1d") {
    return ReplyError(res, 400, "step must be 1h or 1d");
  }
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  if (step.empty()) {
    auto table = Locked<ShowbackTable>(ctx, res, [&] { return QueryShowback(*ctx.store, query); });
    if (!table) return;
    const size_t total_rows = table->rows.size();
    Json next = TakePage(*page, &table->rows);
    Json data = ShowbackJson(*table);
    AddPaging(&data, total_rows, std::move(next));
    return ReplySuccess(res, std::move(data));
  }
  for (const ShowbackKey& k : query.group_by) {
    if (k == ShowbackKey::Of(AllocationColumn::kHour) ||
        k == ShowbackKey::Of(AllocationColumn::kDay)) {
      return ReplyError(res, 400, "by: with step, time is the series' axis, not a group key");
    }
  }
  const std::vector<std::string> names = *by;
  // Days read the daily rollup.
  query.group_by.push_back(
      ShowbackKey::Of(step == "1d" ? AllocationColumn::kDay : AllocationColumn::kHour));
  auto table = Locked<ShowbackTable>(ctx, res, [&] { return QueryShowback(*ctx.store, query); });
  if (!table) return;
  std::map<std::vector<std::string>, std::map<std::string, Decimal>> series;
  for (const ShowbackRow& row : table->rows) {
    std::vector<std::string> key(row.keys.begin(), row.keys.end() - 1);
    const std::string& t = row.keys.back();
    series[key][step == "1d" ? t + "T00:00:00Z" : t] += row.cost;
  }
  std::vector<std::pair<std::vector<std::string>, std::map<std::string, Decimal>>> groups(
      std::make_move_iterator(series.begin()), std::make_move_iterator(series.end()));
  const size_t total_rows = groups.size();
  Json next = TakePage(*page, &groups);
  Json out = Json::array();
  for (const auto& [key, points] : groups) {
    Json k = Json::object();
    for (size_t i = 0; i < names.size(); ++i) k[names[i]] = key[i];
    Json p = Json::array();
    for (const auto& [t, cost] : points) p.push_back(Json::array({t, cost.ToString()}));
    out.push_back(Json{{"key", std::move(k)}, {"points", std::move(p)}});
  }
  Json data{{"step", step}, {"series", std::move(out)}, {"total", table->total.ToString()}};
  AddPaging(&data, total_rows, std::move(next));
  ReplySuccess(res, std::move(data));
}

}  // namespace tally
