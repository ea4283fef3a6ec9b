// tally ingest gpu PATH... and tally gpus: GPU telemetry files (nvidia-smi XML, text and CSV;
// nvidia_gpu_exporter, DCGM exporter and Triton scrapes) into the store's GPU inventory, and the
// inventory listed. A run reads every file first and stores nothing when one cannot be read.
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "common/input_file.h"
#include "ingest/telemetry/gpu/gpu_readers.h"
#include "report/gpu_inventory.h"
#include "report/output_format.h"
#include "tally/clock.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

// GPU telemetry is small; anything larger is not one.
constexpr size_t kMaxGpuFileBytes = 64u << 20;

struct IngestGpuFlags {
  std::vector<std::string> paths;
  std::string format = "auto";
  std::string host;
};

// The file's name without directories and its telemetry extensions (.xml, .csv, .txt, .metrics,
// .prom, .om, each maybe .gz): the host nvidia-smi files do not name.
std::string Stem(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  for (const char* ext : {".gz", ".xml", ".csv", ".txt", ".metrics", ".prom", ".om"}) {
    const std::string e = ext;
    if (name.size() > e.size() && name.ends_with(e)) name.resize(name.size() - e.size());
  }
  return name;
}

Result<std::string> ReadBounded(const std::string& path) {
  TALLY_ASSIGN_OR_RETURN(auto file, InputFile::Open(path));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(size_t n, file->Read(buf, sizeof buf));
    if (n == 0) break;
    text.append(buf, n);
    if (text.size() > kMaxGpuFileBytes) {
      return InvalidArgument("larger than " + std::to_string(kMaxGpuFileBytes >> 20) +
                             " MiB: not GPU telemetry");
    }
  }
  return text;
}

int RunIngestGpu(const GlobalOptions& globals, const IngestGpuFlags& flags) {
  auto format = ParseGpuFormat(flags.format);
  if (!format.ok()) {
    PrintError("ingest gpu: --format: " + format.status().message());
    return 2;
  }
  std::vector<GpuDevice> devices;
  for (const std::string& path : flags.paths) {
    auto text = ReadBounded(path);
    if (!text.ok()) {
      PrintError("ingest gpu: " + path + ": " + text.status().message() + " (nothing was stored)");
      return 1;
    }
    std::optional<GpuFormat> f = *format;
    if (!f) f = DetectGpuFormat(std::string_view(*text).substr(0, 64 << 10));
    if (!f) {
      PrintError("ingest gpu: " + path +
                 ": not a GPU telemetry file tally knows (nvidia-smi -q -x XML, nvidia-smi -q, "
                 "nvidia-smi --query-gpu CSV, or an nvidia_gpu_exporter, DCGM or Triton scrape); "
                 "name it with --format (nothing was stored)");
      return 1;
    }
    auto read = ReadGpuTelemetry(*text, *f, flags.host.empty() ? Stem(path) : flags.host);
    if (!read.ok()) {
      PrintError("ingest gpu: " + path + ": " + read.status().message() + " (nothing was stored)");
      return 1;
    }
    // A file without a time of its own was read as of its last change.
    struct stat st {};
    const Timestamp written = ::stat(path.c_str(), &st) == 0
                                  ? Timestamp::FromUnixSeconds(st.st_mtime)
                                  : SystemClock().Now();
    for (GpuDevice& d : *read) {
      if (!d.observed_at) d.observed_at = written;
      devices.push_back(std::move(d));
    }
  }
  auto store = OpenStore(globals.store);
  auto stored = store.ok() ? (*store)->StoreGpuReadings(devices, SystemClock().Now())
                           : Result<int64_t>(store.status());
  if (!stored.ok()) {
    PrintError("ingest gpu: " + stored.status().message() + " (nothing was stored)");
    return 1;
  }
  std::printf("ingest gpu: %zu files, %zu GPUs read, %lld readings stored (older ones kept "
              "where newer were stored before)\n",
              flags.paths.size(), devices.size(), static_cast<long long>(*stored));
  return 0;
}

int RunGpus(const GlobalOptions& globals, const std::string& format_name) {
  auto format = ParseOutputFormat(format_name);
  if (!format.ok()) {
    PrintError("gpus: " + format.status().message());
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto devices = (*store)->ListGpuDevices();
  if (!devices.ok()) {
    PrintError("gpus: " + devices.status().message());
    return 1;
  }
  if (devices->empty()) {
    PrintError("gpus: no GPU readings stored; `tally ingest gpu FILE...` or `tally collect nvml`");
  }
  if (*format == OutputFormat::kJson) {
    std::printf("%s\n", GpuInventoryJson(*devices).dump().c_str());
    return 0;
  }
  const std::string text = RenderRecordTable(GpuInventoryTable(*devices), *format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

void AddIngestGpuCommand(CLI::App* ingest, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<IngestGpuFlags>();
  CLI::App* sub = ingest->add_subcommand(
      "gpu", "ingest GPU telemetry: nvidia-smi -q -x XML, nvidia-smi -q text, nvidia-smi "
             "--query-gpu CSV, nvidia_gpu_exporter, DCGM exporter or Triton scrapes");
  sub->add_option("paths", flags->paths, "files (plain or .gz)")->required();
  sub->add_option("--format", flags->format,
                  "auto, nvidia-smi-xml, nvidia-smi-text, nvidia-smi-csv or exporter")
      ->capture_default_str();
  sub->add_option("--host", flags->host,
                  "the machine the files describe, when they do not say (default: each file's "
                  "name without extensions)");
  sub->callback([=]() { *exit_code = RunIngestGpu(*globals, *flags); });
}

void AddGpusCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto format = std::make_shared<std::string>("table");
  CLI::App* sub = app->add_subcommand(
      "gpus", "list the physical GPUs: model, memory, utilization, power, MIG mode and instances");
  sub->add_option("--format", *format, "table, csv or json")->capture_default_str();
  sub->callback([=]() { *exit_code = RunGpus(*globals, *format); });
}

}  // namespace tally::cli
