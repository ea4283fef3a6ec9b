// GPU telemetry readers on small hand-written inputs: values as the tools print them, format
// detection, and hostile input (cut XML, ragged CSV, an exposition without GPUs, a text report
// with no device) as errors, never a crash.
#include "ingest/telemetry/gpu/gpu_readers.h"

#include <gtest/gtest.h>

#include "ingest/telemetry/gpu/gpu_values.h"

namespace tally {
namespace {

TEST(GpuValuesTest, ReadsWhatTheToolsPrint) {
  EXPECT_EQ(gpu::Bytes("40960 MiB"), int64_t{40960} << 20);
  EXPECT_EQ(gpu::Bytes("1.5 GiB"), int64_t{3} << 29);
  EXPECT_EQ(gpu::Bytes("8.5520809984e+10"), int64_t{85520809984});
  EXPECT_EQ(gpu::Bytes("N/A"), std::nullopt);
  EXPECT_EQ(gpu::Bytes("12 parsecs"), std::nullopt);
  EXPECT_EQ(gpu::Percent("70 %")->ToString(), "0.7");
  EXPECT_EQ(gpu::Number("66.92 W")->ToString(), "66.92");
  EXPECT_TRUE(gpu::IsMissing("[Not Supported]"));
  EXPECT_TRUE(gpu::IsMissing("[N/A]"));
  EXPECT_EQ(gpu::Enabled("Enabled"), true);
  EXPECT_EQ(gpu::Enabled("N/A"), std::nullopt);
  // A100: 14 SMs a slice; H100: 16 (its 3g has 60, its 7g 132).
  EXPECT_EQ(gpu::MigSlices("NVIDIA A100-SXM4-40GB", 42), 3);
  EXPECT_EQ(gpu::MigSlices("NVIDIA H100 80GB HBM3", 60), 3);
  EXPECT_EQ(gpu::MigSlices("NVIDIA H100 80GB HBM3", 132), 7);
  EXPECT_EQ(gpu::MigSlices("Tesla T4", 40), std::nullopt);
  EXPECT_EQ(gpu::MigProfile(3, int64_t{19968} << 20), "3g.20gb");
  EXPECT_EQ(gpu::Whole("2620449"), 2620449);
  EXPECT_EQ(gpu::Whole("99999999999999999999"), std::nullopt);  // past int64: no value
  EXPECT_EQ(gpu::Bytes("99999999999 GiB"), std::nullopt);
}

TEST(GpuReadersTest, DetectsEachFormat) {
  EXPECT_EQ(DetectGpuFormat("<?xml version=\"1.0\" ?>\n<nvidia_smi_log>"), GpuFormat::kNvidiaSmiXml);
  EXPECT_EQ(DetectGpuFormat("\n==============NVSMI LOG==============\n"), GpuFormat::kNvidiaSmiText);
  EXPECT_EQ(DetectGpuFormat("name, uuid, memory.used [MiB]\n"), GpuFormat::kNvidiaSmiCsv);
  EXPECT_EQ(DetectGpuFormat("# HELP DCGM_FI_DEV_GPU_UTIL x\nDCGM_FI_DEV_GPU_UTIL{UUID=\"a\"} 1\n"),
            GpuFormat::kExporter);
  EXPECT_EQ(DetectGpuFormat("start,end,consumer\n"), std::nullopt);
}

TEST(GpuReadersTest, ACsvReadsItsUnitsFromTheHeader) {
  auto d = ReadNvidiaSmiCsv(
      "name, uuid, memory.total [MiB], memory.used [MiB], utilization.gpu [%], power.draw [W], "
      "mig.mode.current\nNVIDIA A100, GPU-1, 40960, 38, 25, 66.92, Enabled\n",
      "box");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].memory_total_bytes, int64_t{40960} << 20);
  EXPECT_EQ((*d)[0].utilization->ToString(), "0.25");
  EXPECT_EQ((*d)[0].power_watts->ToString(), "66.92");
  EXPECT_EQ((*d)[0].mig_enabled, true);
  EXPECT_EQ((*d)[0].host, "box");
}

TEST(GpuReadersTest, DcgmMigInstancesAndHostnames) {
  auto d = ReadGpuExposition(
      "DCGM_FI_DEV_FB_TOTAL{gpu=\"0\",UUID=\"GPU-a\",modelName=\"NVIDIA H100\",Hostname=\"n1\"} "
      "81559\n"
      "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-a\",modelName=\"NVIDIA H100\",Hostname=\"n1\"} 1024\n"
      "DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n1\"} 0.25\n"
      "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n1\"} 90\n"
      "DCGM_FI_DEV_FB_TOTAL{gpu=\"0\",UUID=\"GPU-a\",GPU_I_ID=\"1\",GPU_I_PROFILE=\"3g.40gb\","
      "Hostname=\"n1\",pod=\"p\",namespace=\"ml\"} 40192\n",
      "ignored");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->size(), 1u);
  const GpuDevice& g = (*d)[0];
  EXPECT_EQ(g.host, "n1");
  EXPECT_EQ(g.model, "NVIDIA H100");
  EXPECT_EQ(g.memory_total_bytes, int64_t{81559} << 20);  // the instance's total is its own
  EXPECT_EQ(g.utilization->ToString(), "0.25");           // engine activity before GPU_UTIL
  EXPECT_EQ(g.mig_enabled, true);
  ASSERT_EQ(g.mig_instances.size(), 1u);
  EXPECT_EQ(g.mig_instances[0].profile, "3g.40gb");
  EXPECT_EQ(g.mig_instances[0].slices, 3);
}

TEST(GpuReadersTest, HostileInputIsAnError) {
  EXPECT_FALSE(ReadNvidiaSmiXml("<nvidia_smi_log><gpu><uuid>x", "h").ok());
  EXPECT_FALSE(ReadNvidiaSmiXml("<nvidia_smi_log></nvidia_smi_log>", "h").ok());
  EXPECT_FALSE(ReadNvidiaSmiXml("<html/>", "h").ok());
  EXPECT_FALSE(ReadNvidiaSmiCsv("name, uuid\nT4, GPU-1, extra\n", "h").ok());
  EXPECT_FALSE(ReadNvidiaSmiCsv("a, b\n1, 2\n", "h").ok());
  EXPECT_FALSE(ReadNvidiaSmiCsv("", "h").ok());
  EXPECT_FALSE(ReadGpuExposition("up 1\nnode_load1 0.5\n", "h").ok());
  EXPECT_FALSE(ReadGpuExposition("DCGM_FI_DEV_GPU_UTIL{UUID=\"a\" 1\n", "h").ok());
  EXPECT_FALSE(ReadNvidiaSmiText("==============NVSMI LOG==============\nDriver : 1\n", "h").ok());
  // Numbers past int64 in a pid or an SM count are no value, not a crash.
  auto huge = ReadNvidiaSmiXml(
      "<nvidia_smi_log><gpu><product_name>NVIDIA A100</product_name><mig_devices><mig_device>"
      "<device_attributes><shared><multiprocessor_count>99999999999999999999</multiprocessor_count>"
      "</shared></device_attributes></mig_device></mig_devices><processes><process_info>"
      "<pid>99999999999999999999</pid></process_info></processes></gpu></nvidia_smi_log>",
      "h");
  ASSERT_TRUE(huge.ok()) << huge.status().message();
  EXPECT_FALSE((*huge)[0].mig_instances[0].slices);
  EXPECT_EQ((*huge)[0].processes[0].pid, 0);
  // A text report cut mid-device still reads what it has.
  auto cut = ReadNvidiaSmiText("GPU 0:1\n    Product Name : T4\n    FB Memory Usage\n", "h");
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ((*cut)[0].model, "T4");
  EXPECT_FALSE((*cut)[0].memory_total_bytes);
}

}  // namespace
}  // namespace tally
