// `GET /api/v1/reconcile`: each source's bill beside allocated, idle and unallocated, as
// `tally reconcile`, and whether every hour of it is allocated.
#include "server/api_handlers.h"

#include "report/allocation_views.h"
#include "report/record_table.h"
#include "report/showback.h"
#include "server/api_support.h"

namespace tally {

void ServeReconcile(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::optional<Timestamp> from, to;
  Status window = ParseWindow(req, &from, &to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto rows =
      Locked<std::vector<ReconcileRow>>(ctx, res, [&] { return tally::Reconcile(*ctx.store, from, to); });
  if (!rows) return;
  auto missing = Locked<std::vector<Timestamp>>(
      ctx, res, [&] { return ctx.store->UnallocatedBillHours(from, to); });
  if (!missing) return;
  Json data = Json::parse(RenderRecordTable(ReconcileRecordTable(*rows), OutputFormat::kJson));
  bool exact = true;
  for (const ReconcileRow& r : *rows) exact &= r.difference().is_zero();
  // Hours with bill cost but no current allocation are missing from the figures.
  data["unallocated_hours"] = missing->size();
  data["exact"] = exact && !rows->empty() && missing->empty();
  ReplySuccess(res, std::move(data));
}

}  // namespace tally
