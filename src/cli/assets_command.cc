// tally assets: every asset with identity and capacity, and volumes nobody mounted flagged.
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "report/record_table.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct AssetsFlags {
  std::string from, to;
  std::string format = "table";
};

int RunAssets(const GlobalOptions& globals, const AssetsFlags& flags) {
  std::optional<Timestamp> from, to;
  Status window = ParseWindowFlags(flags.from, flags.to, &from, &to);
  auto format = ParseOutputFormat(flags.format);
  if (!window.ok() || !format.ok()) {
    PrintError("assets: " + (window.ok() ? format.status() : window).message());
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto assets = (*store)->ListAssets(from, to);
  if (!assets.ok()) {
    PrintError("assets: " + assets.status().message());
    return 1;
  }
  RecordTable t{{"asset", "provider_id", "instance_type", "zone", "cpu_core_hours",
                 "memory_gib_hours", "gpu_hours", "storage_gib_hours", "status"},
                {false, false, false, false, true, true, true, true, false},
                {false, false, false, false, true, true, true, true, false},
                {},
                {}};
  auto capacity = [](const AssetRecord& r, const char* resource) -> std::optional<std::string> {
    auto it = r.capacity.find(resource);
    if (it == r.capacity.end()) return std::nullopt;
    return it->second.ToString();
  };
  for (const AssetRecord& r : *assets) {
    t.rows.push_back({r.asset.name, r.asset.provider_id, r.asset.instance_type, r.asset.zone,
                      capacity(r, "cpu"), capacity(r, "memory"), capacity(r, "gpu"),
                      capacity(r, "storage"),
                      r.Orphaned() ? std::optional<std::string>("orphaned") : std::nullopt});
  }
  const std::string text = RenderRecordTable(t, *format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

void AddAssetsCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<AssetsFlags>();
  CLI::App* sub = app->add_subcommand(
      "assets", "list assets (nodes, volumes, buckets, caches, network classes) with provider "
                "id, instance type, zone and capacity-hours; a volume nobody mounted is "
                "\"orphaned\"");
  sub->add_option("--from", flags->from, "capacity from this hour (inclusive)");
  sub->add_option("--to", flags->to, "capacity up to this time (exclusive)");
  sub->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  sub->callback([=]() { *exit_code = RunAssets(*globals, *flags); });
}

}  // namespace tally::cli
