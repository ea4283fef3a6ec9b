#include "ingest/telemetry/prometheus/exposition.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace tally {
namespace {

namespace fs = std::filesystem;

struct Collect : ExpositionVisitor {
  void OnType(std::string_view family, MetricType type) override {
    types.emplace_back(std::string(family), type);
  }
  void OnSample(const ExpositionSample& s) override {
    std::string text(s.name);
    for (const Label& l : s.labels) text += " " + std::string(l.name) + "=" + std::string(l.value);
    samples.push_back(text);
    values.push_back(s.value);
    timestamps.push_back(s.timestamp_seconds);
  }
  std::vector<std::pair<std::string, MetricType>> types;
  std::vector<std::string> samples;
  std::vector<double> values;
  std::vector<std::optional<double>> timestamps;
};

// Acceptance: every case of the OpenMetrics conformance suite is classified as its test.json
// says.
TEST(ExpositionTest, OpenMetricsConformanceSuite) {
  const fs::path root =
      testing::SharedDataDir() + "/telemetry/prometheus/openmetrics-conformance/parsers";
  int cases = 0, agreed = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    nlohmann::json spec =
        nlohmann::json::parse(testing::ReadFile((dir.path() / "test.json").string()));
    if (spec.value("type", "") != "text") continue;
    const bool should_parse = spec.at("shouldParse").get<bool>();
    const std::string metrics =
        testing::ReadFile((dir.path() / spec.at("file").get<std::string>()).string());
    Collect sink;
    Status status = ParseExposition(metrics, ExpositionFormat::kOpenMetrics, &sink);
    ++cases;
    if (status.ok() == should_parse) {
      ++agreed;
    } else {
      ADD_FAILURE() << dir.path().filename() << ": expected "
                    << (should_parse ? "to parse" : "an error")
                    << (status.ok() ? "" : ", got: " + status.message());
    }
  }
  std::printf("OpenMetrics conformance: %d of %d cases classified as the suite says\n", agreed,
              cases);
  EXPECT_EQ(cases, 211);
}

TEST(ExpositionTest, ReadsSamplesLabelsEscapesAndTimestamps) {
  Collect c;
  ASSERT_TRUE(ParseExposition("# TYPE a counter\n# HELP a help\n"
                              "a_total{foo=\"b\\\"a\\nr\",x=\"\"} 1.5e3 2.5\n"
                              "a_total{foo=\"z\"} +Inf\n# EOF\n",
                              ExpositionFormat::kOpenMetrics, &c)
                  .ok());
  ASSERT_EQ(c.samples.size(), 2u);
  EXPECT_EQ(c.samples[0], "a_total foo=b\"a\nr x=");
  EXPECT_EQ(c.values[0], 1500);
  EXPECT_EQ(c.timestamps[0], 2.5);
  EXPECT_TRUE(std::isinf(c.values[1]));
  ASSERT_EQ(c.types.size(), 1u);
  EXPECT_EQ(c.types[0].second, MetricType::kCounter);
}

TEST(ExpositionTest, PrometheusTextIsLenientWhereTheFormatIs) {
  Collect c;
  Status s = ParseExposition(
      "# some comment\n# TYPE up untyped\nup{job=\"x\",} 1 1700000000123\n\n"
      "nan_metric\t nan \t\r\n",  // runs of spaces and tabs, trailing whitespace
      ExpositionFormat::kPrometheusText, &c);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(c.samples.size(), 2u);
  EXPECT_EQ(*c.timestamps[0], 1700000000.123);
  EXPECT_TRUE(std::isnan(c.values[1]));
  Status bad = ParseExposition("up{job=\"x} 1\n", ExpositionFormat::kPrometheusText, &c);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.message(), "line 1: unterminated label value");
}

// Every Prometheus-format scrape among the telemetry samples parses, with samples in it.
TEST(ExpositionTest, RealScrapesParse) {
  const std::string t = testing::SharedDataDir() + "/telemetry/";
  const std::pair<const char*, ExpositionFormat> files[] = {
      {"kubernetes/datadog-integrations-core/ksm-standard-tags-gke.txt",
       ExpositionFormat::kPrometheusText},
      {"kubernetes/datadog-integrations-core/cadvisor_metrics_1_21.txt",
       ExpositionFormat::kPrometheusText},
      {"kubernetes/datadog-integrations-core/prometheus.txt", ExpositionFormat::kPrometheusText},
      {"kubernetes/nri-kubernetes/k8s_v1_16_kubelet_metrics_cadvisor_payload_plain.txt",
       ExpositionFormat::kPrometheusText},
      {"kubernetes/nri-kubernetes/metrics_plain.txt", ExpositionFormat::kPrometheusText},
      {"kubernetes/netdata-go.d.plugin/metrics.txt", ExpositionFormat::kPrometheusText},
      {"kubernetes/node_exporter/e2e-output.txt", ExpositionFormat::kPrometheusText},
      {"gpu/datadog-integrations-core/metrics.txt", ExpositionFormat::kPrometheusText},
      {"gpu/datadog-integrations-core/nvidia_triton_openmetrics.txt",
       ExpositionFormat::kPrometheusText},
      {"gpu/nvidia_gpu_exporter/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load.metrics",
       ExpositionFormat::kPrometheusText},
      {"gpu/nvidia_gpu_exporter/linux-x86_64__nvidia-h100-mig__590.48.01__load.metrics",
       ExpositionFormat::kPrometheusText},
      {"prometheus/prometheus/alltypes.237mfs.prom.txt", ExpositionFormat::kPrometheusText},
      {"prometheus/prometheus/metrics-test.prom", ExpositionFormat::kPrometheusText},
      {"prometheus/prometheus/alltypes.5mfs.om.txt", ExpositionFormat::kOpenMetrics},
      {"prometheus/prometheus/1histogram.om.txt", ExpositionFormat::kOpenMetrics},
  };
  for (const auto& [file, format] : files) {
    SCOPED_TRACE(file);
    Collect c;
    Status s = ParseExposition(testing::ReadFile(t + file), format, &c, OpenMetricsChecks::kSyntax);
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_GT(c.samples.size(), 0u);
  }
  // Prometheus's own OpenMetrics sample bends one rule; full validation says which.
  Collect c;
  Status strict =
      ParseExposition(testing::ReadFile(t + "prometheus/prometheus/alltypes.5mfs.om.txt"),
                      ExpositionFormat::kOpenMetrics, &c);
  EXPECT_NE(strict.message().find("negative buckets, so no _sum"), std::string::npos)
      << strict.message();
}

TEST(ExpositionTest, KubeStateMetricsScrapeHasItsPodsAndRequests) {
  // kube-state-metrics v2 from a GKE cluster: count what the file holds, by name.
  Collect c;
  ASSERT_TRUE(ParseExposition(testing::ReadFile(testing::SharedDataDir() +
                                                "/telemetry/kubernetes/datadog-integrations-core/"
                                                "ksm-standard-tags-gke.txt"),
                              ExpositionFormat::kPrometheusText, &c)
                  .ok());
  std::map<std::string, int> by_name;
  for (const std::string& s : c.samples) ++by_name[s.substr(0, s.find(' '))];
  // Counted in the file with grep -c '^NAME{': it holds the v2 name and the v1 names.
  EXPECT_EQ(by_name["kube_pod_container_resource_requests"], 62);
  EXPECT_EQ(by_name["kube_pod_container_resource_requests_cpu_cores"], 40);
  EXPECT_EQ(by_name["kube_pod_container_resource_requests_memory_bytes"], 22);
}

}  // namespace
}  // namespace tally
