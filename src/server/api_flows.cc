// `GET /api/v1/flows`: network bytes and packets grouped, as `tally flows`.
#include "server/api_handlers.h"

#include "report/flow_report.h"
#include "server/api_support.h"

namespace tally {

void ServeFlows(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  FlowQuery query;
  auto by = GroupBy(req, "class");
  if (!by.ok()) return ReplyError(res, 400, by.status().message());
  std::string keys;
  for (const std::string& name : *by) keys += (keys.empty() ? "" : ",") + name;
  auto parsed = ParseFlowKeys(keys);
  if (!parsed.ok()) return ReplyError(res, 400, parsed.status().message());
  query.by = std::move(*parsed);
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  const std::shared_ptr<const Config> config =
      ctx.config != nullptr ? ctx.config->running() : std::make_shared<const Config>(DefaultConfig());
  auto table = Locked<RecordTable>(ctx, res, [&] { return QueryFlows(*ctx.store, *config, query); });
  if (!table) return;
  const size_t total_rows = table->rows.size();
  Json next = TakePage(*page, &table->rows);
  Json rows = Json::array();
  for (const auto& row : table->rows) {
    Json r = Json::object();
    for (size_t i = 0; i < row.size(); ++i) {
      if (table->numeric[i]) {
        r[table->columns[i]] = std::stoll(*row[i]);
      } else {
        r[table->columns[i]] = *row[i];
      }
    }
    rows.push_back(std::move(r));
  }
  Json data{{"columns", table->columns}, {"rows", std::move(rows)}};
  AddPaging(&data, total_rows, std::move(next));
  ReplySuccess(res, std::move(data));
}

}  // namespace tally
