#include "server/metrics_exporter.h"

#include <array>
#include <map>

#include "report/gpu_report.h"
#include "report/node_costs.h"
#include "report/showback.h"
#include "report/usage_report.h"

namespace tally {
namespace {

std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Exposition {
 public:
  void Family(const char* name, const char* help) {
    text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
  }
  void Sample(const char* name,
              std::initializer_list<std::pair<const char*, std::string_view>> labels,
              const std::string& value) {
    text_ += name;
    char sep = '{';
    for (const auto& [k, v] : labels) {
      text_ += sep;
      text_ += k;
      text_ += "=\"" + Escape(v) + "\"";
      sep = ',';
    }
    if (sep == ',') text_ += '}';
    text_ += ' ' + value + '\n';
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

// "namespace/pod/container" as its parts; anything else is a pod of its own.
std::array<std::string_view, 3> ConsumerParts(std::string_view name) {
  const size_t a = name.find('/');
  const size_t b = a == std::string_view::npos ? a : name.find('/', a + 1);
  if (b == std::string_view::npos) return {"", name, ""};
  return {name.substr(0, a), name.substr(a + 1, b - a - 1), name.substr(b + 1)};
}

}  // namespace

Result<std::string> RenderMetrics(Store* store, const Caller& caller) {
  Exposition out;
  // A caller scoped to owners gets its owners' series only: sources and nodes are the
  // platform's.
  const bool platform = !caller.Scoped();
  std::vector<UsageSourceRecord> sources;
  if (platform) {
    TALLY_ASSIGN_OR_RETURN(sources, store->ListUsageSources());
  }
  out.Family("tally_source_collected_seconds",
             "Time a usage source has collected completely (complete hours × 3600).");
  for (const UsageSourceRecord& s : sources) {
    out.Sample("tally_source_collected_seconds", {{"source", s.name}},
               std::to_string(s.complete_hours * 3600));
  }
  out.Family("tally_source_last_complete_hour_timestamp_seconds",
             "Start of the newest complete hour of a usage source (freshness).");
  for (const UsageSourceRecord& s : sources) {
    if (s.last_hour) {
      out.Sample("tally_source_last_complete_hour_timestamp_seconds", {{"source", s.name}},
                 std::to_string(s.last_hour->unix_seconds()));
    }
  }

  // The newest allocated hour near the end of the data.
  TALLY_ASSIGN_OR_RETURN(std::optional<TimeWindow> data, store->DataWindow());
  if (!data) return out.Take();
  ShowbackQuery recent;
  recent.group_by = {ShowbackKey::Of(AllocationColumn::kHour)};
  recent.from = Timestamp::FromUnixSeconds(data->end.unix_seconds() - 48 * 3600);
  TALLY_ASSIGN_OR_RETURN(ShowbackTable hours, QueryShowback(*store, recent));
  if (hours.rows.empty()) return out.Take();
  TALLY_ASSIGN_OR_RETURN(Timestamp hour, ParseTimestamp(hours.rows.back().keys[0]));
  out.Family("tally_last_allocated_hour_timestamp_seconds",
             "Start of the hour the cost series below describe.");
  out.Sample("tally_last_allocated_hour_timestamp_seconds", {},
             std::to_string(hour.unix_seconds()));

  ShowbackQuery last;
  last.group_by = kNodeCostKeys;
  last.from = hour;
  last.to = Timestamp::FromUnixSeconds(hour.unix_seconds() + 3600);
  TALLY_ASSIGN_OR_RETURN(ShowbackTable rows, QueryShowback(*store, last));
  TALLY_ASSIGN_OR_RETURN(std::vector<AssetRecord> assets, store->ListAssets(last.from, last.to));

  const NodeCosts nodes = NodeCosts::Sum(rows);
  if (!platform) assets.clear();
  const std::pair<const char*, const char*> kNodeFamilies[] = {{"node_cpu_hourly_cost", "cpu"},
                                                               {"node_ram_hourly_cost", "memory"},
                                                               {"node_gpu_hourly_cost", "gpu"}};
  for (const auto& [family, resource] : kNodeFamilies) {
    out.Family(family, "Hourly cost of one unit (core, GiB, GPU) of the node's capacity.");
    for (const AssetRecord& a : assets) {
      const auto price = nodes.UnitPrice(a, resource);
      if (!price) continue;
      out.Sample(family,
                 {{"node", a.asset.name},
                  {"instance", a.asset.name},
                  {"instance_type", a.asset.instance_type},
                  {"provider_id", a.asset.provider_id}},
                 price->ToString());
    }
  }
  out.Family("node_total_hourly_cost", "Hourly cost of the node.");
  for (const AssetRecord& a : assets) {
    auto total = nodes.total.find(a.asset.name);
    if (total == nodes.total.end() || !a.capacity.contains("cpu")) continue;  // nodes, not volumes
    out.Sample("node_total_hourly_cost",
               {{"node", a.asset.name},
                {"instance", a.asset.name},
                {"instance_type", a.asset.instance_type},
                {"provider_id", a.asset.provider_id}},
               total->second.ToString());
  }
  // OpenCost's pv_hourly_cost is per GiB-hour; a volume is an asset with storage capacity.
  out.Family("pv_hourly_cost", "Hourly cost of one GiB of the persistent volume.");
  for (const AssetRecord& a : assets) {
    const auto price = nodes.UnitPrice(a, "storage");
    if (!price) continue;
    out.Sample("pv_hourly_cost",
               {{"persistentvolume", a.asset.name},
                {"volumename", a.asset.name},
                {"provider_id", a.asset.provider_id}},
               price->ToString());
  }
  // GPU utilization in the hour: busy GPU-hours (DCGM) over the node's GPU-hours.
  UsageQuery gpu_hour{{*UsageGroupKey::Parse("node")}, last.from, last.to, "gpu"};
  TALLY_ASSIGN_OR_RETURN(UsageTable gpu_used, QueryUsage(*store, gpu_hour));
  std::map<std::string, Decimal> busy;
  for (const UsageRow& r : gpu_used.rows) busy[r.keys[0]] += r.usage;
  out.Family("tally_node_gpu_utilization_ratio",
             "Busy GPU-hours over the node's GPU-hours in the hour (0 to 1).");
  for (const AssetRecord& a : assets) {
    auto gpu = a.capacity.find("gpu");
    if (gpu == a.capacity.end() || gpu->second.is_zero()) continue;
    auto ratio = busy[a.asset.name].Divide(gpu->second);
    if (!ratio.ok()) continue;
    out.Sample("tally_node_gpu_utilization_ratio",
               {{"node", a.asset.name}, {"instance", a.asset.name}}, ratio->Round(6).ToString());
  }
  out.Family("tally_node_gpus", "GPUs of the node.");
  for (const AssetRecord& a : assets) {
    if (auto gpu = a.capacity.find("gpu"); gpu != a.capacity.end()) {
      out.Sample("tally_node_gpus", {{"node", a.asset.name}, {"instance", a.asset.name}},
                 gpu->second.ToString());
    }
  }
  const std::tuple<const char*, const char*, const char*> kContainerFamilies[] = {
      {"container_cpu_allocation", "cpu", "Cores allocated to the container: max(request, usage)."},
      {"container_memory_allocation_bytes", "memory",
       "Memory allocated to the container in bytes: max(request, usage)."},
      {"container_gpu_allocation", "gpu", "GPUs allocated to the container."}};
  const Decimal kGiB = Decimal::FromUnits(int64_t{1} << 30);
  for (const auto& [family, resource, help] : kContainerFamilies) {
    out.Family(family, help);
    for (const ShowbackRow& r : rows.rows) {
      if (r.keys[kNodeResource] != resource || r.keys[kNodeKind] != "direct") continue;
      if (!caller.Sees(r.keys[kNodeOwner])) continue;
      auto q = r.quantity.find(resource);
      if (q == r.quantity.end()) continue;
      Decimal amount = q->second;
      if (std::string_view(resource) == "memory") {
        auto bytes = amount.Multiply(kGiB);
        if (!bytes.ok()) continue;
        amount = *bytes;
      }
      const auto [ns, pod, container] = ConsumerParts(r.keys[kNodeConsumer]);
      out.Sample(family,
                 {{"namespace", ns},
                  {"pod", pod},
                  {"container", container},
                  {"node", r.keys[kNodeAsset]},
                  {"instance", r.keys[kNodeAsset]}},
                 amount.ToString());
    }
  }
  out.Family("tally_hourly_cost", "Allocated cost in the hour by owner, resource and kind.");
  for (const auto& [key, cost] : nodes.by_owner) {
    const auto& [owner, resource, kind] = key;
    if (!caller.Sees(owner)) continue;
    out.Sample("tally_hourly_cost", {{"owner", owner}, {"resource", resource}, {"kind", kind}},
               cost.ToString());
  }
  out.Family("tally_idle_hourly_cost", "Idle cost of the node in the hour.");
  for (const auto& [node, cost] : nodes.idle) {
    if (!platform) break;
    out.Sample("tally_idle_hourly_cost", {{"node", node}}, cost.ToString());
  }
  // GPU idle cost per owner in the hour: GPUs its workloads held and did not use, and the GPU
  // capacity of its assets nobody requested (report/gpu_report.h).
  TALLY_ASSIGN_OR_RETURN(GpuReport gpu, BuildGpuReport(*store, last.from, last.to));
  out.Family("tally_gpu_idle_cost",
             "GPU idle cost in the hour per owner: held and unused, plus capacity nobody "
             "requested.");
  for (const GpuOwnerIdle& o : gpu.owners) {
    if (!caller.Sees(o.owner)) continue;
    out.Sample("tally_gpu_idle_cost", {{"owner", o.owner}}, o.idle_cost().ToString());
  }
  return out.Take();
}

}  // namespace tally
