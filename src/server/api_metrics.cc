// `GET /metrics`: the Prometheus text of metrics_exporter.h.
#include "server/api_handlers.h"

#include "server/api_support.h"
#include "server/metrics_exporter.h"

namespace tally {

void ServeMetrics(const ApiContext& ctx, const httplib::Request&, httplib::Response& res) {
  auto text = Locked<std::string>(ctx, res, [&] { return RenderMetrics(ctx.store, *ctx.caller); });
  if (!text) return;
  res.status = 200;
  res.set_content(*text, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace tally
