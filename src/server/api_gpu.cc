// `GET /api/v1/gpu`: the GPU view, as `tally report gpu --format json`.
#include "server/api_handlers.h"

#include "report/gpu_report.h"
#include "server/api_scope.h"
#include "server/api_support.h"

namespace tally {

void ServeGpu(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::optional<Timestamp> from, to;
  Status window = ParseWindow(req, &from, &to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto report = Locked<GpuReport>(ctx, res, [&] { return BuildGpuReport(*ctx.store, from, to); });
  if (!report) return;
  ScopeGpuReport(*ctx.caller, &*report);
  ReplySuccess(res, GpuReportJson(*report));
}

}  // namespace tally
