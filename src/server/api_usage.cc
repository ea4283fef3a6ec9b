// `GET /api/v1/usage`: usage amount-hours grouped, as `tally usage`; for a caller scoped to
// owners, its owners' consumers' (api_scope.h).
#include "server/api_handlers.h"

#include "report/usage_report.h"
#include "server/api_scope.h"
#include "server/api_support.h"

namespace tally {

void ServeUsage(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  UsageQuery query;
  auto by = GroupBy(req, "");
  if (!by.ok()) return ReplyError(res, 400, by.status().message());
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  for (const std::string& name : *by) {
    auto key = UsageGroupKey::Parse(name);
    if (!key.ok()) return ReplyError(res, 400, key.status().message());
    if (key->kind == UsageGroupKey::Kind::kResource || key->kind == UsageGroupKey::Kind::kUnit) {
      continue;
    }
    query.group_by.push_back(std::move(*key));
  }
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  const std::shared_ptr<const Config> config = RunningConfig(ctx);
  auto table = Locked<UsageTable>(ctx, res, [&] {
    return QueryOwnedUsage(*ctx.store, config->ownership, *ctx.caller, query);
  });
  if (!table) return;
  const size_t total_rows = table->rows.size();
  Json next = TakePage(*page, &table->rows);
  Json rows = Json::array();
  for (const UsageRow& row : table->rows) {
    Json r = Json::object();
    for (size_t i = 0; i < row.keys.size(); ++i) r[table->columns[i]] = row.keys[i];
    r["request"] = row.request.ToString();
    r["usage"] = row.usage.ToString();
    rows.push_back(std::move(r));
  }
  Json data{{"columns", table->columns}, {"rows", std::move(rows)}};
  AddPaging(&data, total_rows, std::move(next));
  ReplySuccess(res, std::move(data));
}

}  // namespace tally
