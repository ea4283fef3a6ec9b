// NVML readings as the driver returns them (recorded from the A100 of
// telemetry/gpu/netdata-go.d.plugin/a100-sxm4-mig.xml: 40960 MiB, 38 MiB used, 66.92 W, MIG on)
// become the same GpuDevice the XML gives; and with no driver, ReadNvml says so.
#include "collect/nvml/nvml_reader.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

namespace tally {
namespace {

TEST(NvmlReaderTest, RecordedReadingsBecomeDevices) {
  NvmlReading a100;
  a100.name = "NVIDIA A100-SXM4-40GB";
  a100.uuid = "GPU-27b94a00-ed54-5c24-b1fd-1054085de32a";
  a100.memory_total = uint64_t{40960} << 20;
  a100.memory_used = uint64_t{38} << 20;
  a100.gpu_util_percent = 37;
  a100.power_milliwatts = 66920;
  a100.mig_mode = 1;
  a100.processes = {{4242, uint64_t{2} << 30}, {77, std::nullopt}};
  NvmlReading bare;  // a device NVML told little about
  bare.uuid = "GPU-2";
  bare.gpu_util_percent = 4294967295u;  // garbage is not a utilization
  const std::vector<GpuDevice> d = NvmlToDevices({a100, bare}, "node-7");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].host, "node-7");
  EXPECT_EQ(d[0].source, "nvml");
  EXPECT_EQ(d[0].model, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(d[0].memory_total_bytes, int64_t{42949672960});
  EXPECT_EQ(d[0].memory_used_bytes, int64_t{39845888});
  EXPECT_EQ(d[0].utilization->ToString(), "0.37");
  EXPECT_EQ(d[0].power_watts->ToString(), "66.92");
  EXPECT_EQ(d[0].mig_enabled, true);
  ASSERT_EQ(d[0].processes.size(), 2u);
  EXPECT_EQ(d[0].processes[0].pid, 4242);
  EXPECT_EQ(d[0].processes[0].memory_bytes, int64_t{2} << 30);
  EXPECT_FALSE(d[0].processes[1].memory_bytes);
  EXPECT_FALSE(d[1].utilization);
  EXPECT_FALSE(d[1].memory_total_bytes);
  EXPECT_FALSE(d[1].mig_enabled);
}

TEST(NvmlReaderTest, WithoutADriverItSaysSo) {
  void* driver = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  auto readings = ReadNvml();
  if (driver != nullptr) {  // a machine with the NVIDIA driver reads its GPUs
    EXPECT_TRUE(readings.ok()) << readings.status().message();
    return;
  }
  ASSERT_FALSE(readings.ok());
  EXPECT_EQ(readings.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(readings.status().message().find("no NVIDIA driver"), std::string::npos);
}

}  // namespace
}  // namespace tally
