#include "ingest/telemetry/spark/spark_usage.h"

#include <algorithm>
#include <charconv>

#include "common/strings.h"

namespace tally {
namespace {

// Spark's default overhead: 10% of the memory, at least 384 MiB.
int64_t WithOverhead(int64_t memory_mib, const std::string& overhead_property) {
  if (auto overhead = SparkSizeMib(overhead_property)) return memory_mib + *overhead;
  return memory_mib + std::max<int64_t>(384, memory_mib / 10);
}

Decimal MibAsGib(int64_t mib) {  // exact: 1/1024 has 10 fraction digits
  return Decimal::FromRaw(Decimal::FromUnits(mib).raw() / 1024);
}

// What a task asks: its profile's amount, else the spark.task.* property, else `fallback`.
Decimal TaskAmount(const std::optional<Decimal>& profile, const std::string& property,
                   const char* fallback) {
  if (profile) return *profile;
  Result<Decimal> parsed = Decimal::Parse(property.empty() ? fallback : property);
  return parsed.ok() && !parsed->is_negative() ? *parsed : Decimal();
}

// The cores a local-mode driver runs tasks on: N of local[N]; for local[*], the most tasks it
// ran at once (the machine's core count is not logged).
int64_t LocalDriverCores(const SparkApplication& app, const std::string& master) {
  if (master == "local") return 1;
  const std::string inner = master.substr(6, master.size() - 7);  // local[...]
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), n);
  if (ec == std::errc() && end == inner.data() + inner.size() && n > 0) return n;
  std::vector<std::pair<int64_t, int>> edges;
  for (const SparkTaskRun& t : app.tasks) {
    edges.emplace_back(t.finish_ms - t.run_ms, 1);
    edges.emplace_back(t.finish_ms, -1);
  }
  std::sort(edges.begin(), edges.end());
  int64_t running = 0, most = 1;
  for (const auto& [at, step] : edges) most = std::max(most, running += step);
  return most;
}

}  // namespace

std::optional<int64_t> SparkSizeMib(std::string_view text) {
  text = Trim(text);
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  const std::string unit = ToLower(std::string_view(end, text.data() + text.size() - end));
  if (unit.empty() || unit == "m" || unit == "mb") return n;
  if (unit == "k" || unit == "kb") return n / 1024;
  if (unit == "b") return n / (1024 * 1024);
  if (unit == "g" || unit == "gb") return n * 1024;
  if (unit == "t" || unit == "tb") return n * 1024 * 1024;
  return std::nullopt;
}

Consumer SparkConsumer(const SparkApplication& app) {
  Consumer c;
  c.name = app.id;
  c.namespace_name = app.Property("spark.kubernetes.namespace");
  if (!app.user.empty()) c.labels["user"] = app.user;
  if (!app.name.empty()) c.labels["app_name"] = app.name;
  if (std::string queue = app.Property("spark.yarn.queue"); !queue.empty()) c.labels["queue"] = queue;
  for (const auto& [key, value] : app.properties) {
    if (key.starts_with("spark.tally.") && key.size() > 12) c.labels[key.substr(12)] = value;
  }
  return c;
}

Result<SparkUsageTotals> AddSparkApplication(const SparkApplication& app, JobUsage* usage) {
  using Side = JobUsage::Side;
  SparkUsageTotals totals;
  const uint32_t consumer = usage->AddConsumer(SparkConsumer(app));
  auto asset_of = [&](const std::string& host) {
    Asset asset;
    asset.name = host;
    return host.empty() ? kNoAsset : usage->AddAsset(asset);
  };
  const int64_t start = *app.start_ms;
  const int64_t end = std::max(app.EndMs(), start);
  const SparkResourceProfile none;
  auto profile_of = [&](int64_t id) -> const SparkResourceProfile& {
    auto it = app.profiles.find(id);
    return it == app.profiles.end() ? none : it->second;
  };
  const int64_t default_memory =
      WithOverhead(SparkSizeMib(app.Property("spark.executor.memory", "1g")).value_or(1024),
                   app.Property("spark.executor.memoryOverhead"));

  for (const SparkExecutor& ex : app.executors) {
    // The driver is reserved below; an executor never added (a log that began late) has no
    // reservation known.
    if (ex.id == "driver" || !ex.added_ms) continue;
    const int64_t from = *ex.added_ms;
    const int64_t to = ex.removed_ms ? std::min(*ex.removed_ms, std::max(end, from)) : end;
    if (to <= from) continue;
    const SparkResourceProfile& p = profile_of(ex.profile);
    const uint32_t asset = asset_of(ex.host);
    const Decimal cores = Decimal::FromUnits(ex.cores);
    TALLY_RETURN_IF_ERROR(usage->Hold(Side::kRequest, consumer, asset, "cpu", "core", cores, from, to));
    TALLY_ASSIGN_OR_RETURN(Decimal core_ms, cores.Multiply(Decimal::FromUnits(to - from)));
    totals.reserved_core_ms += core_ms;
    const Decimal memory = MibAsGib(p.executor_memory_mib.value_or(default_memory));
    TALLY_RETURN_IF_ERROR(usage->Hold(Side::kRequest, consumer, asset, "memory", "GiB", memory, from, to));
    if (ex.peak_memory_bytes > 0) {
      TALLY_ASSIGN_OR_RETURN(Decimal peak, Decimal::FromUnits(ex.peak_memory_bytes)
                                               .Divide(Decimal::FromUnits(int64_t{1} << 30)));
      TALLY_RETURN_IF_ERROR(usage->Hold(Side::kUsage, consumer, asset, "memory", "GiB", peak, from, to));
    }
    const int64_t gpus = ex.gpus > 0 ? ex.gpus : p.executor_gpus.value_or(0);
    TALLY_RETURN_IF_ERROR(usage->Hold(Side::kRequest, consumer, asset, "gpu", "gpu",
                                      Decimal::FromUnits(gpus), from, to));
    ++totals.executors;
  }

  // The driver, for the application's life: Spark 3 logs it as executor "driver" in local mode.
  const SparkExecutor* driver = nullptr;
  if (auto it = app.executor_index.find("driver"); it != app.executor_index.end()) {
    driver = &app.executors[it->second];
  }
  const std::string master = app.Property("spark.master");
  const bool local = master == "local" || (master.starts_with("local[") && master.ends_with("]"));
  int64_t driver_cores = SparkSizeMib(app.Property("spark.driver.cores", "1")).value_or(1);
  if (driver != nullptr && driver->added_ms && driver->cores > 0) {
    driver_cores = driver->cores;
  } else if (local) {
    driver_cores = LocalDriverCores(app, master);
  }
  const std::string& driver_host =
      driver != nullptr && !driver->host.empty() ? driver->host : app.driver_host;
  const uint32_t driver_asset = asset_of(driver_host);
  const Decimal cores = Decimal::FromUnits(driver_cores);
  TALLY_RETURN_IF_ERROR(usage->Hold(Side::kRequest, consumer, driver_asset, "cpu", "core", cores, start, end));
  TALLY_ASSIGN_OR_RETURN(Decimal driver_core_ms, cores.Multiply(Decimal::FromUnits(end - start)));
  totals.reserved_core_ms += driver_core_ms;
  const int64_t driver_memory =
      WithOverhead(SparkSizeMib(app.Property("spark.driver.memory", "1g")).value_or(1024),
                   app.Property("spark.driver.memoryOverhead"));
  TALLY_RETURN_IF_ERROR(usage->Hold(Side::kRequest, consumer, driver_asset, "memory", "GiB",
                                    MibAsGib(driver_memory), start, end));
  if (driver != nullptr && driver->peak_memory_bytes > 0) {
    TALLY_ASSIGN_OR_RETURN(Decimal peak, Decimal::FromUnits(driver->peak_memory_bytes)
                                             .Divide(Decimal::FromUnits(int64_t{1} << 30)));
    TALLY_RETURN_IF_ERROR(
        usage->Hold(Side::kUsage, consumer, driver_asset, "memory", "GiB", peak, start, end));
  }

  // Tasks: run time x what each task asks, on its executor's host.
  const std::string task_cpus = app.Property("spark.task.cpus");
  const std::string task_gpus = app.Property("spark.task.resource.gpu.amount");
  std::vector<uint32_t> assets(app.executors.size(), kNoAsset);
  for (size_t i = 0; i < app.executors.size(); ++i) {
    const std::string& host = app.executors[i].id == "driver" ? driver_host : app.executors[i].host;
    assets[i] = asset_of(host);
  }
  for (const SparkTaskRun& t : app.tasks) {
    const SparkResourceProfile& p = profile_of(app.executors[t.executor].profile);
    const Decimal cpus = TaskAmount(p.task_cpus, task_cpus, "1");
    const Decimal gpus = TaskAmount(p.task_gpus, task_gpus, "0");
    const int64_t from = t.finish_ms - t.run_ms;
    TALLY_RETURN_IF_ERROR(usage->Hold(Side::kUsage, consumer, assets[t.executor], "cpu", "core",
                                      cpus, from, t.finish_ms));
    TALLY_RETURN_IF_ERROR(usage->Hold(Side::kUsage, consumer, assets[t.executor], "gpu", "gpu",
                                      gpus, from, t.finish_ms));
    TALLY_ASSIGN_OR_RETURN(Decimal core_ms, cpus.Multiply(Decimal::FromUnits(t.run_ms)));
    totals.task_core_ms += core_ms;
    ++totals.tasks;
  }
  return totals;
}

}  // namespace tally
