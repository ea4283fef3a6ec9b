// tally ingest gpu + tally gpus on every GPU telemetry sample in ../shared/data/telemetry/gpu:
// each reports the file's model, memory total and used, power, MIG mode and utilization. The
// expected values are copied from the files by eye (MiB values multiplied out here), not from
// tally. The two documentation files there are refused with a clear error.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

constexpr int64_t kMiB = int64_t{1} << 20;

struct Sample {
  const char* file;   // under telemetry/gpu
  const char* uuid;   // the device checked ("" when the file has one)
  const char* model;
  int64_t total, used;  // bytes
  const char* power;    // W
  const char* mig;      // "enabled", "disabled", or null
  const char* utilization;  // 0–1, or null when the file says N/A
};

const Sample kSamples[] = {
    {"netdata-go.d.plugin/a100-sxm4-mig.xml", "", "NVIDIA A100-SXM4-40GB", 40960 * kMiB,
     38 * kMiB, "66.92", "enabled", nullptr},
    {"netdata-go.d.plugin/rtx-3060.xml", "", "NVIDIA GeForce RTX 3060 Laptop GPU", 6144 * kMiB,
     5 * kMiB, "8.7", nullptr, "0"},
    {"netdata-go.d.plugin/rtx-4090-driver-535.xml", "", "NVIDIA GeForce RTX 4090", 24564 * kMiB,
     2 * kMiB, "26.84", nullptr, "0"},
    {"netdata-go.d.plugin/tesla-p100.xml", "", "Tesla P100-PCIE-16GB", 16384 * kMiB, 0, "26.16",
     nullptr, "0"},
    // No memory.total field: reserved 103 + used 0 + free 16280 MiB.
    {"netdata-go.d.plugin/tesla-p100.csv", "", "Tesla P100-PCIE-16GB", 16383 * kMiB, 0, "28.16",
     nullptr, "0"},
    {"telegraf/a100-sxm4-v12.xml", "", "NVIDIA A100-SXM4-80GB", 81920 * kMiB, 50 * kMiB, "67.03",
     "enabled", nullptr},
    {"telegraf/a10g.xml", "", "NVIDIA A10G", 23028 * kMiB, 22 * kMiB, "25.58", nullptr, "0"},
    {"telegraf/rtx-4000-sff-ada-v13.xml", "", "NVIDIA RTX 4000 SFF Ada Generation", 20475 * kMiB,
     3534 * kMiB, "8.81", nullptr, "0"},
    {"telegraf/tesla-t4.xml", "", "Tesla T4", 15360 * kMiB, 1032 * kMiB, "26.78", nullptr, "0"},
    {"nvidia_gpu_exporter/linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05__load.metrics",
     "", "NVIDIA GeForce RTX 4080 SUPER", 17171480576, 1545601024, "84.24", nullptr, "0.07"},
    {"nvidia_gpu_exporter/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__idle.metrics", "",
     "NVIDIA H100 80GB HBM3", 85520809984, 0, "69.85", "disabled", "0"},
    {"nvidia_gpu_exporter/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load.metrics", "",
     "NVIDIA H100 80GB HBM3", 85520809984, 20780679168, "631.95", "disabled", "1"},
    {"nvidia_gpu_exporter/linux-x86_64__nvidia-h100-mig__590.48.01__load.metrics", "",
     "NVIDIA H100 80GB HBM3", 85520809984, 11665408000, "433.78", "enabled", nullptr},
    {"nvidia_gpu_exporter/linux-x86_64__nvidia-l40s__595.80__load.metrics", "", "NVIDIA L40S",
     48305799168, 1294991360, "110.23", nullptr, "0.09"},
    // DCGM: used 0 + free 15109 MiB; GPU_UTIL 0 %.
    {"datadog-integrations-core/metrics.txt", "GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e",
     "Tesla T4", 15109 * kMiB, 0, "8.969", nullptr, "0"},
    // Triton names no model.
    {"datadog-integrations-core/nvidia_triton_openmetrics.txt",
     "GPU-951eeeeb-d284-d263-688e-d98a5306389b", "", 16106127360, 266338304, "32.09", nullptr,
     "0"},
    {"nordichpc-sonar/nvidia-smi-output.txt", "GPU-2a8f06c3-0000-0000-0000-000000000000",
     "NVIDIA GeForce RTX 2080 Ti", 11264 * kMiB, 10081 * kMiB, "191.43", nullptr, "0.7"},
};

nlohmann::json Gpus(const std::string& store) {
  auto r = RunTally({"--store", store, "gpus", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

TEST(GpuIngestTest, EverySampleReportsItsModelMemoryPowerMigAndUtilization) {
  const std::string root = testing::SharedDataDir() + "/telemetry/gpu/";
  for (const Sample& s : kSamples) {
    SCOPED_TRACE(s.file);
    testing::TempDir dir;
    const std::string store = dir.File("t.db");
    auto ingest = RunTally({"--store", store, "ingest", "gpu", root + s.file});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    const nlohmann::json rows = Gpus(store)["rows"];
    ASSERT_FALSE(rows.empty());
    nlohmann::json gpu;
    for (const auto& row : rows) {
      if (*s.uuid == '\0' || row["uuid"] == s.uuid) gpu = row;
    }
    ASSERT_TRUE(gpu.is_object()) << rows.dump();
    EXPECT_EQ(gpu["model"], s.model);
    EXPECT_EQ(gpu["memory_total_bytes"], s.total);
    EXPECT_EQ(gpu["memory_used_bytes"], s.used);
    EXPECT_EQ(gpu["power_watts"], s.power);
    EXPECT_EQ(gpu["mig_mode"], s.mig ? nlohmann::json(s.mig) : nlohmann::json(nullptr));
    EXPECT_EQ(gpu["utilization"],
              s.utilization ? nlohmann::json(s.utilization) : nlohmann::json(nullptr));
  }
}

TEST(GpuIngestTest, MigInstancesAndProcessesAreKept) {
  const std::string root = testing::SharedDataDir() + "/telemetry/gpu/";
  testing::TempDir dir;
  const std::string store = dir.File("t.db");
  ASSERT_EQ(RunTally({"--store", store, "ingest", "gpu",
                      root + "netdata-go.d.plugin/a100-sxm4-mig.xml",
                      root + "nordichpc-sonar/nvidia-smi-output.txt"})
                .exit_code,
            0);
  for (const auto& row : Gpus(store)["rows"]) {
    if (row["model"] == "NVIDIA A100-SXM4-40GB") {
      // Two MIG devices of 42 SMs (3 of the A100's 14-SM slices) and 19968 MiB each.
      ASSERT_EQ(row["mig_instances"].size(), 2u) << row.dump();
      for (const auto& m : row["mig_instances"]) {
        EXPECT_EQ(m["profile"], "3g.20gb");
        EXPECT_EQ(m["slices"], 3);
        EXPECT_EQ(m["memory_bytes"], 19968 * kMiB);
      }
    }
    if (row["uuid"] == "GPU-2a8f06c3-0000-0000-0000-000000000000") {
      // Its two processes: python3 with 9876 MiB and a julia with 202 MiB.
      ASSERT_EQ(row["processes"].size(), 2u) << row.dump();
      EXPECT_EQ(row["processes"][0]["pid"], 2620449);
      EXPECT_EQ(row["processes"][0]["name"], "python3");
      EXPECT_EQ(row["processes"][0]["memory_bytes"], 9876 * kMiB);
      EXPECT_EQ(row["processes"][1]["memory_bytes"], 202 * kMiB);
    }
  }
}

TEST(GpuIngestTest, DocumentationAndJunkAreRefusedAndNothingIsStored) {
  const std::string root = testing::SharedDataDir() + "/telemetry/gpu/";
  testing::TempDir dir;
  const std::string store = dir.File("t.db");
  for (const char* file : {"nvidia_gpu_exporter/fields.txt", "netdata-go.d.plugin/help-query-gpu.txt"}) {
    auto r = RunTally({"--store", store, "ingest", "gpu", root + "telegraf/tesla-t4.xml",
                       root + file});
    EXPECT_EQ(r.exit_code, 1) << file;
    EXPECT_NE(r.err.find("not a GPU telemetry file"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was stored"), std::string::npos) << r.err;
  }
  testing::WriteFile(dir.File("cut.xml"), "<?xml version=\"1.0\" ?>\n<nvidia_smi_log><gpu>");
  auto cut = RunTally({"--store", store, "ingest", "gpu", dir.File("cut.xml")});
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_NE(cut.err.find("cut.xml"), std::string::npos) << cut.err;
  auto bad_format = RunTally({"--store", store, "ingest", "gpu", "--format", "nvml", dir.File("cut.xml")});
  EXPECT_EQ(bad_format.exit_code, 2) << bad_format.err;
  // Nothing was stored: the store was not even created.
  EXPECT_FALSE(std::filesystem::exists(store));
}

TEST(GpuIngestTest, TheNewestReadingOfADeviceWins) {
  testing::TempDir dir;
  const std::string store = dir.File("t.db");
  auto write = [&](const char* name, const char* used) {
    testing::WriteFile(dir.File(name),
                       std::string("name, uuid, memory.used [MiB], memory.total [MiB]\n"
                                   "Tesla T4, GPU-1, ") +
                           used + ", 15360\n");
  };
  write("new.csv", "100");
  write("old.csv", "7");
  // Both name host "box"; old.csv is dated an hour before new.csv.
  ASSERT_EQ(std::system(("touch -d '2026-01-01 10:00' " + dir.File("new.csv") + " && touch -d "
                         "'2026-01-01 09:00' " + dir.File("old.csv"))
                            .c_str()),
            0);
  for (const char* f : {"new.csv", "old.csv"}) {
    ASSERT_EQ(RunTally({"--store", store, "ingest", "gpu", "--host", "box", dir.File(f)}).exit_code,
              0);
  }
  const auto rows = Gpus(store)["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["memory_used_bytes"], 100 * kMiB);
  EXPECT_EQ(rows[0]["host"], "box");
}

TEST(GpuIngestTest, CollectNvmlWithoutADriverExitsWithOneClearLine) {
  testing::TempDir dir;
  const std::string store = dir.File("t.db");
  auto r = RunTally({"--store", store, "collect", "nvml"});
  if (void* driver = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL)) {
    dlclose(driver);
    EXPECT_EQ(r.exit_code, 0) << r.err;  // a machine with the driver reads its GPUs
    return;
  }
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("tally: collect nvml: no NVIDIA driver on this machine"), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one line
  EXPECT_FALSE(std::filesystem::exists(store));
}

}  // namespace
}  // namespace tally
