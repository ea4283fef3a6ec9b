// `GET /api/v1/assets`: assets with identity and capacity-hours.
#include "server/api_handlers.h"

#include "server/api_support.h"

namespace tally {

void ServeAssets(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::optional<Timestamp> from, to;
  Status window = ParseWindow(req, &from, &to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto assets =
      Locked<std::vector<AssetRecord>>(ctx, res, [&] { return ctx.store->ListAssets(from, to); });
  if (!assets) return;
  Json out = Json::array();
  for (const AssetRecord& a : *assets) {
    Json capacity = Json::object(), held = Json::object();
    for (const auto& [resource, amount] : a.capacity) capacity[resource] = amount.ToString();
    for (const auto& [resource, amount] : a.held) held[resource] = amount.ToString();
    out.push_back(Json{{"name", a.asset.name},
                       {"provider_id", a.asset.provider_id},
                       {"instance_type", a.asset.instance_type},
                       {"zone", a.asset.zone},
                       {"labels", a.asset.labels},
                       {"capacity_hours", std::move(capacity)},
                       {"held_hours", std::move(held)},
                       {"orphaned", a.Orphaned()}});
  }
  ReplySuccess(res, std::move(out));
}

}  // namespace tally
