// `GET /api/v1/sources`: the data's window, allocation progress, each usage source's hours
// and errors, the config's state and recent ingests (for admins); `GET /api/v1/window`: the
// data's window alone (for everyone: pages count their periods back from its end).
#include "server/api_handlers.h"

#include "server/api_support.h"

namespace tally {
namespace {

Json WindowJson(const std::optional<TimeWindow>& window) {
  if (!window) return nullptr;
  return Json{{"from", window->start.ToString()}, {"to", window->end.ToString()}};
}

}  // namespace

void ServeWindow(const ApiContext& ctx, const httplib::Request&, httplib::Response& res) {
  auto window =
      Locked<std::optional<TimeWindow>>(ctx, res, [&] { return ctx.store->DataWindow(); });
  if (window) ReplySuccess(res, Json{{"window", WindowJson(*window)}});
}

void ServeSources(const ApiContext& ctx, const httplib::Request&, httplib::Response& res) {
  auto sources = Locked<std::vector<UsageSourceRecord>>(
      ctx, res, [&] { return ctx.store->ListUsageSources(); });
  if (!sources) return;
  auto ingests =
      Locked<std::vector<IngestRecord>>(ctx, res, [&] { return ctx.store->ListIngests(20); });
  if (!ingests) return;
  auto window =
      Locked<std::optional<TimeWindow>>(ctx, res, [&] { return ctx.store->DataWindow(); });
  if (!window) return;
  auto allocation =
      Locked<AllocationStatus>(ctx, res, [&] { return ctx.store->GetAllocationStatus(); });
  if (!allocation) return;
  Json usage = Json::array();
  for (const UsageSourceRecord& s : *sources) {
    usage.push_back(Json{{"name", s.name},
                         {"complete_hours", s.complete_hours},
                         {"facts", s.facts},
                         {"first_hour", Optional(s.first_hour)},
                         {"last_hour", Optional(s.last_hour)},
                         {"last_run", Optional(s.last_run)},
                         {"last_error", s.last_error}});
  }
  Json bills = Json::array();
  for (const IngestRecord& r : *ingests) {
    bills.push_back(Json{{"id", r.id},
                         {"format", r.format},
                         {"committed_at", r.committed_at.ToString()},
                         {"files", r.files},
                         {"rows", r.rows_stored},
                         {"problems", r.problems}});
  }
  Json config = nullptr;
  if (ctx.config != nullptr) {
    const ConfigState state = ctx.config->state();
    config = Json{{"path", state.path},
                  {"digest", state.digest},
                  {"loaded_at", Optional(state.loaded_at)},
                  {"error", state.error},
                  {"error_at", Optional(state.error_at)}};
  }
  ReplySuccess(res, Json{{"window", WindowJson(*window)},
                         {"allocation", Json{{"allocated_hours", allocation->allocated_hours},
                                             {"dirty_hours", allocation->dirty_hours},
                                             {"first_hour", Optional(allocation->first_hour)},
                                             {"last_hour", Optional(allocation->last_hour)}}},
                         {"usage", std::move(usage)},
                         {"ingests", std::move(bills)},
                         {"config", std::move(config)}});
}

}  // namespace tally
