#include "insight/waste_inputs.h"

#include <algorithm>
#include <cstdio>

#include "report/cost_series.h"
#include "report/showback.h"

namespace tally::waste {
namespace {

constexpr size_t kMaxSamples = 20'000'000;  // hourly CPU and memory samples held at once

// Slurm jobs are "slurm/<cluster>/<id>"; Spark applications carry their app_name or an
// application id.
bool IsSpark(const Consumer& c) {
  return c.labels.contains("app_name") || c.name.starts_with("application_") ||
         c.name.starts_with("app-") || c.name.starts_with("local-");
}

}  // namespace

Decimal FromDouble(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9f", v);
  return *Decimal::Parse(text);
}

bool InSubtree(const std::string& owner, const std::string& root) {
  return root.empty() || IsOwnerWithin(owner, root);
}

Result<Costs> LoadCosts(Store* store, Timestamp from, Timestamp to) {
  ShowbackQuery q;
  for (AllocationColumn c : {AllocationColumn::kConsumer, AllocationColumn::kAsset,
                             AllocationColumn::kResource, AllocationColumn::kOwner,
                             AllocationColumn::kKind}) {
    q.group_by.push_back(ShowbackKey::Of(c));
  }
  q.from = from;
  q.to = to;
  TALLY_ASSIGN_OR_RETURN(ShowbackTable table, QueryShowback(*store, q));
  const std::string direct(AllocationKindName(AllocationKind::kDirect));
  Costs c;
  for (const ShowbackRow& r : table.rows) {
    const std::string &consumer = r.keys[0], &asset = r.keys[1], &resource = r.keys[2],
                      &owner = r.keys[3];
    c.asset_total[asset] += r.cost;
    auto& asset_owner = c.asset_owner[asset];
    if (asset_owner.second.empty() || r.cost > asset_owner.first) asset_owner = {r.cost, owner};
    if (r.keys[4] != direct) continue;
    c.direct[consumer][resource] += r.cost;
    auto& best = c.owner[consumer];
    if (best.second.empty() || r.cost > best.first) best = {r.cost, owner};
  }
  return c;
}

Result<std::map<std::string, ConsumerUsage>> LoadUsage(Store* store, Timestamp from, Timestamp to,
                                                       const RecommendQuery& q,
                                                       const Costs& costs) {
  std::map<std::string, ConsumerUsage> out;
  size_t samples = 0;
  TALLY_RETURN_IF_ERROR(store->ScanUsageFacts(
      FactKind::kUsage, from, to, std::nullopt, [&](const UsageFactView& f) -> Status {
        if (f.consumer == nullptr) return Status::Ok();
        const std::string& name = f.consumer->name;
        auto owner = costs.owner.find(name);
        if (!q.owner.empty() && (owner == costs.owner.end() || !InSubtree(owner->second.second, q.owner))) {
          return Status::Ok();
        }
        auto [it, fresh] = out.try_emplace(name);
        ConsumerUsage& u = it->second;
        if (fresh) {
          u.controller = f.consumer->controller;
          u.labels = f.consumer->labels;
          u.slurm = name.starts_with("slurm/");
          u.spark = !u.slurm && IsSpark(*f.consumer);
        }
        if (u.asset.empty() && f.asset != nullptr) u.asset = f.asset->name;
        u.first_hour = std::min(u.first_hour, f.hour);
        u.last_hour = std::max(u.last_hour, f.hour);
        const double request = ToDouble(f.request), usage = ToDouble(f.usage);
        if (f.resource == "cpu" && f.unit == "core") {
          u.cpu.emplace_back(f.hour, usage);
          u.cpu_request += request;
          u.cpu_usage += usage;
          ++u.cpu_hours;
          ConsumerUsage::Day& day = u.cpu_days[f.hour / 86400];
          day.usage += usage;
          day.request += request;
          ++day.hours;
          ++samples;
        } else if (f.resource == "memory" && f.unit == "GiB") {
          u.memory.emplace_back(f.hour, usage);
          u.memory_request += request;
          u.memory_usage += usage;
          ++u.memory_hours;
          ++samples;
        } else if (f.resource == "storage") {
          u.storage_gib_hours += usage;
        } else if (f.resource == "walltime") {
          u.wall_request += request;
          u.wall_usage += usage;
        } else if (f.resource == "gpu" && request > 0) {
          u.gpu_request += request;
          u.gpu_usage += usage;
          ++u.gpu_hours;
          if (usage < q.idle_gpu_utilization * request) ++u.gpu_idle_hours;
        }
        if (samples > kMaxSamples) {
          return InvalidArgument("too many consumer-hours to weigh at once (more than " +
                                 std::to_string(kMaxSamples) +
                                 " samples): narrow the window or name an owner");
        }
        return Status::Ok();
      }));
  return out;
}

std::string Percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", share * 100);
  return text;
}

std::string Number(double v, const char* format) {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

// The CPU cores used and requested on average each day: the series a person checks a
// recommendation against.
Json DailyCpu(const ConsumerUsage& u) {
  Json days = Json::array();
  for (const auto& [day, d] : u.cpu_days) {
    if (d.hours == 0) continue;
    days.push_back({{"date", Timestamp::FromUnixSeconds(day * 86400).ToString().substr(0, 10)},
                    {"cpu_used", Number(d.usage / static_cast<double>(d.hours), "%.4f")},
                    {"cpu_requested", Number(d.request / static_cast<double>(d.hours), "%.4f")}});
  }
  return days;
}

}  // namespace tally::waste
