#include "collect/nvml/nvml_reader.h"

#include <dlfcn.h>

#include <cstdio>

namespace tally {
namespace {

// The NVML ABI tally uses (nvml.h): return codes are ints, 0 is success.
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
struct nvmlMemory_t {
  unsigned long long total, free, used;
};
struct nvmlUtilization_t {
  unsigned int gpu, memory;
};
struct nvmlProcessInfo_v1_t {
  unsigned int pid;
  unsigned long long usedGpuMemory;
};
constexpr nvmlReturn_t kSuccess = 0;
constexpr nvmlReturn_t kInsufficientSize = 7;
constexpr unsigned long long kValueNotAvailable = ~0ull;

struct Nvml {
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  nvmlReturn_t (*count)(unsigned int*) = nullptr;
  nvmlReturn_t (*handle)(unsigned int, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t*) = nullptr;
  nvmlReturn_t (*utilization)(nvmlDevice_t, nvmlUtilization_t*) = nullptr;
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*mig_mode)(nvmlDevice_t, unsigned int*, unsigned int*) = nullptr;
  nvmlReturn_t (*processes)(nvmlDevice_t, unsigned int*, nvmlProcessInfo_v1_t*) = nullptr;
  std::string error;  // why it could not be loaded
};

const Nvml& Lib() {
  static const Nvml lib = [] {
    Nvml n;
    void* so = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (so == nullptr) {
      const char* why = dlerror();
      n.error = std::string("no NVIDIA driver on this machine (") +
                (why != nullptr ? why : "libnvidia-ml.so.1 not found") + ")";
      return n;
    }
    auto bind = [&](auto* fn, const char* symbol, bool required) {
      *fn = reinterpret_cast<std::remove_reference_t<decltype(*fn)>>(dlsym(so, symbol));
      if (*fn == nullptr && required && n.error.empty()) {
        n.error = std::string("libnvidia-ml.so.1 lacks ") + symbol + " (a driver too old)";
      }
    };
    bind(&n.init, "nvmlInit_v2", true);
    bind(&n.shutdown, "nvmlShutdown", true);
    bind(&n.error_string, "nvmlErrorString", true);
    bind(&n.count, "nvmlDeviceGetCount_v2", true);
    bind(&n.handle, "nvmlDeviceGetHandleByIndex_v2", true);
    bind(&n.name, "nvmlDeviceGetName", true);
    bind(&n.uuid, "nvmlDeviceGetUUID", true);
    bind(&n.memory, "nvmlDeviceGetMemoryInfo", true);
    bind(&n.utilization, "nvmlDeviceGetUtilizationRates", false);
    bind(&n.power, "nvmlDeviceGetPowerUsage", false);
    bind(&n.mig_mode, "nvmlDeviceGetMigMode", false);
    bind(&n.processes, "nvmlDeviceGetComputeRunningProcesses", false);
    return n;
  }();
  return lib;
}

}  // namespace

std::vector<GpuDevice> NvmlToDevices(const std::vector<NvmlReading>& readings,
                                     const std::string& host) {
  std::vector<GpuDevice> out;
  for (const NvmlReading& r : readings) {
    GpuDevice d;
    d.source = "nvml";
    d.host = host;
    d.uuid = r.uuid;
    d.model = r.name;
    if (r.memory_total) d.memory_total_bytes = static_cast<int64_t>(*r.memory_total);
    if (r.memory_used) d.memory_used_bytes = static_cast<int64_t>(*r.memory_used);
    if (r.gpu_util_percent && *r.gpu_util_percent <= 100) {
      d.utilization = *Decimal::FromUnits(*r.gpu_util_percent).Divide(Decimal::FromUnits(100));
    }
    if (r.power_milliwatts) {
      d.power_watts = *Decimal::FromUnits(*r.power_milliwatts).Divide(Decimal::FromUnits(1000));
    }
    if (r.mig_mode) d.mig_enabled = *r.mig_mode == 1;
    for (const NvmlReading::Process& p : r.processes) {
      GpuProcess process;
      process.pid = p.pid;
      if (p.used_memory) process.memory_bytes = static_cast<int64_t>(*p.used_memory);
      d.processes.push_back(std::move(process));
    }
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<NvmlReading>> ReadNvml() {
  const Nvml& n = Lib();
  if (!n.error.empty()) return Unavailable(n.error);
  if (nvmlReturn_t rc = n.init(); rc != kSuccess) {
    return Unavailable(std::string("NVML will not initialise: ") + n.error_string(rc));
  }
  std::vector<NvmlReading> out;
  unsigned int count = 0;
  nvmlReturn_t rc = n.count(&count);
  for (unsigned int i = 0; rc == kSuccess && i < count; ++i) {
    nvmlDevice_t device = nullptr;
    if (n.handle(i, &device) != kSuccess) continue;
    NvmlReading r;
    char text[96] = {};
    if (n.name(device, text, sizeof text) == kSuccess) r.name = text;
    if (n.uuid(device, text, sizeof text) == kSuccess) r.uuid = text;
    nvmlMemory_t memory{};
    if (n.memory(device, &memory) == kSuccess) {
      r.memory_total = memory.total;
      r.memory_used = memory.used;
    }
    nvmlUtilization_t util{};
    if (n.utilization && n.utilization(device, &util) == kSuccess) r.gpu_util_percent = util.gpu;
    unsigned int milliwatts = 0;
    if (n.power && n.power(device, &milliwatts) == kSuccess) r.power_milliwatts = milliwatts;
    unsigned int current = 0, pending = 0;
    if (n.mig_mode && n.mig_mode(device, &current, &pending) == kSuccess) r.mig_mode = current;
    if (n.processes) {
      std::vector<nvmlProcessInfo_v1_t> infos(64);
      unsigned int size = static_cast<unsigned int>(infos.size());
      nvmlReturn_t p = n.processes(device, &size, infos.data());
      if (p == kInsufficientSize && size <= 4096) {
        infos.resize(size);
        p = n.processes(device, &size, infos.data());
      }
      for (unsigned int k = 0; p == kSuccess && k < size && k < infos.size(); ++k) {
        NvmlReading::Process process;
        process.pid = infos[k].pid;
        if (infos[k].usedGpuMemory != kValueNotAvailable) process.used_memory = infos[k].usedGpuMemory;
        r.processes.push_back(process);
      }
    }
    out.push_back(std::move(r));
  }
  n.shutdown();
  if (rc != kSuccess) return Unavailable(std::string("NVML: ") + n.error_string(rc));
  return out;
}

}  // namespace tally
