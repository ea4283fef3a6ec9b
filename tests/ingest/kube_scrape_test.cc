// Raw kube-state-metrics and cAdvisor scrapes from real clusters, read by ReadKubeScrapes, must
// yield exactly the pods, containers, requests, memory usage and node capacities in the files.
// The expectations come from a plain line scan of each file, independent of tally's parser.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "ingest/telemetry/kube/kube_scrape_reader.h"
#include "testing/test_util.h"

namespace tally {
namespace {

struct Line {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

// A deliberately simple reader of `name{k="v",...} value [ts]` lines.
std::vector<Line> ScanLines(const std::string& path, const std::set<std::string>& names) {
  std::vector<Line> out;
  std::istringstream in(testing::ReadFile(path));
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty() || text[0] == '#') continue;
    Line line;
    size_t i = text.find_first_of("{ ");
    line.name = text.substr(0, i);
    if (!names.contains(line.name)) continue;
    if (text[i] == '{') {
      ++i;
      while (text[i] != '}') {
        const size_t eq = text.find('=', i);
        std::string key = text.substr(i, eq - i), value;
        size_t j = eq + 2;
        for (; text[j] != '"'; ++j) {
          if (text[j] == '\\') ++j;
          value += text[j];
        }
        line.labels[key] = value;
        i = j + 1;
        if (text[i] == ',') ++i;
      }
      ++i;
    }
    std::istringstream rest(text.substr(i));
    rest >> line.value;
    out.push_back(std::move(line));
  }
  return out;
}

Decimal Dec(const std::string& text) { return *Decimal::Parse(text); }

Result<UsageBatch> Read(const std::vector<std::string>& paths, KubeUsageBuilder* builder) {
  KubeScrapeOptions options;
  options.at = Timestamp::FromCivil(2024, 1, 1);
  KubeScrapeTotals totals;
  TALLY_RETURN_IF_ERROR(ReadKubeScrapes(paths, options, builder, &totals));
  // One sample holds one hour; summed over every hour it touches, amount-hours = the value.
  return builder->Build(
      "test", TimeWindow{Timestamp::FromCivil(2000, 1, 1), Timestamp::FromCivil(2100, 1, 1)});
}

// Per consumer and resource: request and usage summed over the hours.
std::map<std::pair<std::string, std::string>, std::pair<Decimal, Decimal>> Sums(
    const UsageBatch& batch) {
  std::map<std::pair<std::string, std::string>, std::pair<Decimal, Decimal>> out;
  for (const UsageFact& f : batch.usage()) {
    auto& s = out[{batch.consumers()[f.consumer].name, f.resource}];
    s.first += f.request;
    s.second += f.usage;
  }
  return out;
}

TEST(KubeScrapeTest, GkeKubeStateMetricsRequestsAndCapacities) {
  const std::string path = testing::SharedDataDir() +
                           "/telemetry/kubernetes/datadog-integrations-core/"
                           "ksm-standard-tags-gke.txt";
  KubeUsageBuilder builder;
  auto batch = Read({path}, &builder);
  ASSERT_TRUE(batch.ok()) << batch.status().message();

  // Requests: v2 where the file has them, v1 for containers only v1 names.
  std::map<std::pair<std::string, std::string>, Decimal> v2, v1;
  std::set<std::string> pods;
  for (const Line& l : ScanLines(path, {"kube_pod_container_resource_requests",
                                        "kube_pod_container_resource_requests_cpu_cores",
                                        "kube_pod_container_resource_requests_memory_bytes"})) {
    const std::string consumer =
        l.labels.at("namespace") + "/" + l.labels.at("pod") + "/" + l.labels.at("container");
    std::string resource = l.labels.count("resource") ? l.labels.at("resource") : "";
    if (l.name.ends_with("cpu_cores")) resource = "cpu";
    if (l.name.ends_with("memory_bytes")) resource = "memory";
    if (resource != "cpu" && resource != "memory") continue;
    Decimal value = Dec(l.value);
    if (resource == "memory") value = *value.Divide(Decimal::FromUnits(int64_t{1} << 30));
    (l.name == "kube_pod_container_resource_requests" ? v2 : v1)[{consumer, resource}] += value;
    pods.insert(l.labels.at("namespace") + "/" + l.labels.at("pod"));
  }
  std::map<std::pair<std::string, std::string>, Decimal> want = v2;
  for (const auto& [key, value] : v1) want.try_emplace(key, value);
  ASSERT_FALSE(want.empty());

  auto got = Sums(*batch);
  std::erase_if(got, [](const auto& kv) { return kv.first.second == "storage"; });  // below
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [key, value] : want) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << key.first << " " << key.second;
    EXPECT_EQ(it->second.first, value) << key.first << " " << key.second;
  }
  std::set<std::string> got_pods;
  for (const Consumer& c : batch->consumers()) got_pods.insert(c.namespace_name + "/" + c.pod);
  EXPECT_EQ(got_pods, pods);

  // Persistent volumes: each pod that mounts a claim requests its bound volume's GiB for the
  // hour the sample holds, as the pod's own consumer.
  std::map<std::string, std::string> volume_of;  // namespace/claim -> volume
  for (const Line& l : ScanLines(path, {"kube_persistentvolumeclaim_info"})) {
    volume_of[l.labels.at("namespace") + "/" + l.labels.at("persistentvolumeclaim")] =
        l.labels.at("volumename");
  }
  std::map<std::string, Decimal> gib;  // volume -> GiB
  for (const Line& l : ScanLines(path, {"kube_persistentvolume_capacity_bytes"})) {
    gib[l.labels.at("persistentvolume")] =
        *Dec(l.value).Divide(Decimal::FromUnits(int64_t{1} << 30));
  }
  std::map<std::pair<std::string, std::string>, std::pair<Decimal, Decimal>> want_storage;
  for (const Line& l : ScanLines(path, {"kube_pod_spec_volumes_persistentvolumeclaims_info"})) {
    const std::string ns = l.labels.at("namespace");
    want_storage[{ns + "/" + l.labels.at("pod"), "storage"}].first +=
        gib.at(volume_of.at(ns + "/" + l.labels.at("persistentvolumeclaim")));
  }
  ASSERT_EQ(want_storage.size(), 2u);  // web-0 and web-1, 1 GiB each
  auto got_storage = Sums(*batch);
  std::erase_if(got_storage, [](const auto& kv) { return kv.first.second != "storage"; });
  EXPECT_EQ(got_storage, want_storage);
  std::printf("GKE ksm: %zu pods, %zu container requests (%zu v2, %zu v1-only)\n", pods.size(),
              want.size(), v2.size(), want.size() - v2.size());

  // Node capacities and provider ids.
  std::map<std::pair<std::string, std::string>, Decimal> capacity;
  for (const Line& l : ScanLines(path, {"kube_node_status_capacity"})) {
    const std::string resource = l.labels.at("resource");
    if (resource == "cpu") capacity[{l.labels.at("node"), "cpu"}] = Dec(l.value);
    if (resource == "memory") {
      capacity[{l.labels.at("node"), "memory"}] =
          *Dec(l.value).Divide(Decimal::FromUnits(int64_t{1} << 30));
    }
  }
  for (const auto& [volume, size] : gib) capacity[{volume, "storage"}] = size;
  std::map<std::pair<std::string, std::string>, Decimal> got_capacity;
  for (const CapacityFact& f : batch->capacity()) {
    got_capacity[{batch->assets()[f.asset].name, f.resource}] += f.capacity;
  }
  EXPECT_EQ(got_capacity, capacity);
  for (const Line& l : ScanLines(path, {"kube_node_info"})) {
    bool found = false;
    for (const Asset& a : batch->assets()) {
      if (a.name != l.labels.at("node")) continue;
      found = true;
      EXPECT_EQ(a.provider_id, l.labels.at("provider_id"));
      EXPECT_EQ(a.instance_type, "n1-standard-1");
      EXPECT_EQ(a.zone, "us-central1-a");
    }
    EXPECT_TRUE(found) << l.labels.at("node");
  }
}

// Memory usage of every container in a cAdvisor scrape, summed over the hours it touches.
void ExpectCadvisorMemory(const std::string& file) {
  const std::string path = testing::SharedDataDir() + "/telemetry/kubernetes/" + file;
  KubeUsageBuilder builder;
  auto batch = Read({path}, &builder);
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  std::map<std::string, Decimal> want;
  for (const Line& l : ScanLines(path, {"container_memory_working_set_bytes"})) {
    const std::string container =
        l.labels.count("container") ? l.labels.at("container") : l.labels.at("container_name");
    const std::string pod = l.labels.count("pod") ? l.labels.at("pod") : l.labels.at("pod_name");
    if (container.empty() || container == "POD" || pod.empty()) continue;
    want[l.labels.at("namespace") + "/" + pod + "/" + container] += Dec(l.value);
  }
  ASSERT_FALSE(want.empty());
  std::map<std::string, Decimal> got;
  for (const auto& [key, sums] : Sums(*batch)) {
    if (key.second == "memory") got[key.first] = sums.second;
  }
  ASSERT_EQ(got.size(), want.size());
  const Decimal tolerance = Decimal::FromRaw(1000);  // rounding of bytes → GiB per hour
  for (const auto& [consumer, bytes] : want) {
    const Decimal gib = *bytes.Divide(Decimal::FromUnits(int64_t{1} << 30));
    const Decimal diff = got[consumer] - gib;
    EXPECT_LE(diff < Decimal() ? -diff : diff, tolerance) << consumer;
  }
  std::printf("%s: %zu containers\n", file.c_str(), want.size());
}

TEST(KubeScrapeTest, CadvisorScrapesMemoryPerContainer) {
  ExpectCadvisorMemory("datadog-integrations-core/cadvisor_metrics_1_21.txt");
  ExpectCadvisorMemory("nri-kubernetes/k8s_v1_16_kubelet_metrics_cadvisor_payload_plain.txt");
}

TEST(KubeScrapeTest, TwoScrapesGiveCpuUsageFromTheCounter) {
  testing::TempDir dir;
  const std::string a = dir.File("a.prom"), b = dir.File("b.prom");
  testing::WriteFile(a,
                     "container_cpu_usage_seconds_total{namespace=\"n\",pod=\"p\","
                     "container=\"c\"} 100 1704067200000\n");
  // 30 minutes later, 900 CPU-seconds more: half a core for half an hour = 0.25 core-hours.
  testing::WriteFile(b,
                     "container_cpu_usage_seconds_total{namespace=\"n\",pod=\"p\","
                     "container=\"c\"} 1000 1704069000000\n");
  KubeUsageBuilder builder;
  auto batch = Read({b, a}, &builder);  // files in any order: samples are put in time order
  ASSERT_TRUE(batch.ok());
  const auto sums = Sums(*batch);
  EXPECT_EQ(sums.at({"n/p/c", "cpu"}).second.ToString(), "0.25");
}

TEST(KubeScrapeTest, ACounterResetCountsFromZero) {
  testing::TempDir dir;
  const std::string a = dir.File("a.prom");
  testing::WriteFile(a,
                     "container_cpu_usage_seconds_total{namespace=\"n\",pod=\"p\",container=\"c\"}"
                     " 5000 1704067200000\n");
  const std::string b = dir.File("b.prom");
  testing::WriteFile(b,
                     "container_cpu_usage_seconds_total{namespace=\"n\",pod=\"p\",container=\"c\"}"
                     " 360 1704070800000\n");
  KubeUsageBuilder builder;
  auto batch = Read({a, b}, &builder);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(Sums(*batch).at({"n/p/c", "cpu"}).second.ToString(), "0.1");
}

TEST(KubeScrapeTest, GpuUtilizationFromDcgmIsGpusInUse) {
  testing::TempDir dir;
  const std::string a = dir.File("dcgm.prom");
  // Two GPUs of one container, 50% and 100% busy: 1.5 GPUs in use for the hour.
  testing::WriteFile(
      a,
      "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",namespace=\"ml\",pod=\"t\",container=\"c\"} 50\n"
      "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",namespace=\"ml\",pod=\"t\",container=\"c\"} 100\n"
      "DCGM_FI_DEV_GPU_UTIL{gpu=\"2\",namespace=\"\",pod=\"\",container=\"\"} 90\n");
  KubeUsageBuilder builder;
  auto batch = Read({a}, &builder);
  ASSERT_TRUE(batch.ok());
  const auto sums = Sums(*batch);
  EXPECT_EQ(sums.size(), 1u);  // the GPU no pod uses is nobody's usage
  EXPECT_EQ(sums.at({"ml/t/c", "gpu"}).second.ToString(), "1.5");
}

TEST(KubeScrapeTest, ASparkApplicationsPodsAreOneConsumerNamedByItsId) {
  testing::TempDir dir;
  const std::string a = dir.File("ksm.prom");
  // A driver and an executor pod of one application (kube-state-metrics spells the label
  // spark-app-selector as label_spark_app_selector), and an unrelated pod.
  testing::WriteFile(
      a,
      "kube_pod_labels{namespace=\"etl\",pod=\"job-driver\",label_spark_app_selector=\"spark-7f3a\","
      "label_spark_role=\"driver\"} 1\n"
      "kube_pod_labels{namespace=\"etl\",pod=\"job-exec-1\",label_spark_app_selector=\"spark-7f3a\","
      "label_spark_role=\"executor\"} 1\n"
      "kube_pod_container_resource_requests{namespace=\"etl\",pod=\"job-driver\",container=\"spark-kubernetes-driver\","
      "resource=\"cpu\",unit=\"core\"} 1\n"
      "kube_pod_container_resource_requests{namespace=\"etl\",pod=\"job-exec-1\",container=\"spark-kubernetes-executor\","
      "resource=\"cpu\",unit=\"core\"} 4\n"
      "kube_pod_container_resource_requests{namespace=\"etl\",pod=\"web\",container=\"nginx\","
      "resource=\"cpu\",unit=\"core\"} 2\n");
  KubeUsageBuilder builder;
  auto batch = Read({a}, &builder);
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  const auto sums = Sums(*batch);
  ASSERT_EQ(sums.size(), 2u);
  EXPECT_EQ(sums.at({"spark-7f3a", "cpu"}).first.ToString(), "5");
  EXPECT_EQ(sums.at({"etl/web/nginx", "cpu"}).first.ToString(), "2");
  for (const Consumer& c : batch->consumers()) {
    if (c.name == "spark-7f3a") {
      EXPECT_EQ(c.namespace_name, "etl");
    }
  }
}

TEST(KubeScrapeTest, MigInstancesCountInTheDevicesSevenSlices) {
  testing::TempDir dir;
  const std::string a = dir.File("ksm.prom");
  // A node with two 3g and one 1g instance: 2 × 3 + 1 = 7 slices. Pod a holds a 3g (3 slices),
  // pod b a 1g (1 slice); pod c a whole GPU on another node, in GPUs as before.
  testing::WriteFile(
      a,
      "kube_node_status_capacity{node=\"n1\",resource=\"nvidia_com_mig_3g_20gb\",unit=\"integer\"} 2\n"
      "kube_node_status_capacity{node=\"n1\",resource=\"nvidia_com_mig_1g_5gb\",unit=\"integer\"} 1\n"
      "kube_node_status_capacity{node=\"n2\",resource=\"nvidia_com_gpu\",unit=\"integer\"} 4\n"
      "kube_pod_container_resource_requests{namespace=\"ml\",pod=\"a\",container=\"c\","
      "node=\"n1\",resource=\"nvidia_com_mig_3g_20gb\",unit=\"integer\"} 1\n"
      "kube_pod_container_resource_requests{namespace=\"ml\",pod=\"b\",container=\"c\","
      "node=\"n1\",resource=\"nvidia_com_mig_1g_5gb\",unit=\"integer\"} 1\n"
      "kube_pod_container_resource_requests{namespace=\"ml\",pod=\"c\",container=\"c\","
      "node=\"n2\",resource=\"nvidia_com_gpu\",unit=\"integer\"} 1\n");
  KubeUsageBuilder builder;
  auto batch = Read({a}, &builder);
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  std::map<std::string, std::pair<std::string, Decimal>> requests;  // pod -> unit, request
  for (const UsageFact& f : batch->usage()) {
    requests[batch->consumers()[f.consumer].pod] = {f.unit, f.request};
  }
  EXPECT_EQ(requests.at("a"), (std::pair<std::string, Decimal>{"mig-slice/7", Dec("3")}));
  EXPECT_EQ(requests.at("b"), (std::pair<std::string, Decimal>{"mig-slice/7", Dec("1")}));
  EXPECT_EQ(requests.at("c"), (std::pair<std::string, Decimal>{"gpu", Dec("1")}));
  std::map<std::string, std::pair<std::string, Decimal>> capacity;  // node -> unit, capacity
  for (const CapacityFact& f : batch->capacity()) {
    auto& [unit, amount] = capacity[batch->assets()[f.asset].name];
    unit = f.unit;
    amount += f.capacity;
  }
  EXPECT_EQ(capacity.at("n1"), (std::pair<std::string, Decimal>{"mig-slice/7", Dec("7")}));
  EXPECT_EQ(capacity.at("n2"), (std::pair<std::string, Decimal>{"gpu", Dec("4")}));
  EXPECT_FALSE(KubeResourceFromLabel("nvidia_com_mig_9g_1gb"));
  EXPECT_EQ(KubeResourceFromLabel("nvidia.com/mig-2g.10gb")->scale, 2);
}

TEST(KubeScrapeTest, BadScrapeNamesTheFileAndLine) {
  testing::TempDir dir;
  const std::string bad = dir.File("bad.prom");
  testing::WriteFile(bad, "kube_pod_info{namespace=\"a\" 1\n");
  KubeUsageBuilder builder;
  auto batch = Read({bad}, &builder);
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.status().message().find("bad.prom"), std::string::npos)
      << batch.status().message();
  EXPECT_NE(batch.status().message().find("line 1"), std::string::npos) << batch.status().message();
}

}  // namespace
}  // namespace tally
