#include "demo/kube_metrics_gen.h"

#include <cstdarg>
#include <random>
#include <vector>

namespace tally {
namespace {

struct Node {
  std::string name;
  int cores;
  int64_t memory_mib;
};

struct Container {
  std::string ns, pod, container, node, team;
  int64_t start, end;  // unix seconds, present in [start, end)
  int cpu_request_m;   // millicores
  int64_t memory_request_mib;
  std::vector<int> cpu_usage_m;           // per hour
  std::vector<int64_t> memory_usage_mib;  // per hour
};

Decimal Milli(int64_t m) { return Decimal::FromRaw(Decimal::Raw(m) * (Decimal::kOne / 1000)); }

// MiB × seconds as GiB-hours: mib × seconds / (1024 × 3600), exact to 18 digits when it can be.
Decimal GiBHours(int64_t mib, int64_t seconds) {
  return *Decimal::FromUnits(mib * seconds).Divide(Decimal::FromUnits(int64_t{1024} * 3600));
}

std::vector<Container> MakeContainers(const KubeSimOptions& o, const std::vector<Node>& nodes) {
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int64_t begin = o.start.unix_seconds();
  const int64_t end = begin + int64_t{o.hours} * 3600;
  std::vector<Container> out;
  for (int i = 0; i < o.containers; ++i) {
    // Two containers per pod; a pod's containers share its namespace, node and lifetime.
    const int p = i / 2;
    Container c;
    c.team = "team-" + std::to_string(p % 7);
    c.ns = c.team;
    c.pod = "app-" + std::to_string(p) + "-" + std::to_string(1000 + p * 37 % 997);
    c.container = i % 2 == 0 ? "main" : "sidecar";
    c.node = nodes[static_cast<size_t>(p) % nodes.size()].name;
    // Some start or stop mid-hour, on a scrape boundary: partial hours must count partly.
    c.start = begin + (p % 5 == 1 ? int64_t{o.interval_seconds} * 7 + int64_t{3600} * (p % 24) : 0);
    c.end = end - (p % 7 == 3 ? int64_t{o.interval_seconds} * 5 + int64_t{3600} * 3 : 0);
    c.cpu_request_m = 50 * uniform(2, 40);
    c.memory_request_mib = int64_t{64} * uniform(2, 64);
    for (int h = 0; h < o.hours; ++h) {
      const int hour_of_day = (static_cast<int>(begin / 3600) + h) % 24;
      const int busy = hour_of_day >= 8 && hour_of_day < 20 ? 2 : 1;  // daily seasonality
      c.cpu_usage_m.push_back(c.cpu_request_m * busy * uniform(10, 60) / 100);
      c.memory_usage_mib.push_back(c.memory_request_mib * uniform(30, 110) / 100);
    }
    out.push_back(std::move(c));
  }
  return out;
}

class Writer {
 public:
  explicit Writer(std::FILE* out) : out_(out) {}
  __attribute__((format(printf, 2, 3))) void Line(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    if (std::vfprintf(out_, fmt, args) < 0) failed_ = true;
    va_end(args);
  }
  bool failed() const { return failed_ || std::ferror(out_) != 0; }

 private:
  std::FILE* out_;
  bool failed_ = false;
};

}  // namespace

Status WriteKubeOpenMetrics(const KubeSimOptions& o, std::FILE* out, KubeTruth* truth) {
  if (o.interval_seconds <= 0 || 3600 % o.interval_seconds != 0 || o.hours <= 0 || o.nodes <= 0 ||
      o.containers <= 0 || o.start != o.start.StartOfHour()) {
    return InvalidArgument(
        "kube simulation: the interval must divide an hour, the start must "
        "be an hour, and the counts positive");
  }
  std::vector<Node> nodes;
  nodes.reserve(static_cast<size_t>(o.nodes));
  for (int n = 0; n < o.nodes; ++n) {
    nodes.push_back(Node{"node-" + std::to_string(n), 8 << (n % 3), int64_t{32768} << (n % 3)});
  }
  const std::vector<Container> containers = MakeContainers(o, nodes);
  const int64_t begin = o.start.unix_seconds();
  const int64_t end = begin + int64_t{o.hours} * 3600;
  const int64_t step = o.interval_seconds;
  Writer w(out);
  auto each_sample = [&](const Container& c, auto&& emit) {
    for (int64_t t = c.start; t < c.end; t += step) emit(t, static_cast<int>((t - begin) / 3600));
  };

  w.Line("# TYPE kube_node_info gauge\n");
  for (const Node& n : nodes) {
    for (int64_t t = begin; t < end; t += step) {
      w.Line("kube_node_info{node=\"%s\",provider_id=\"aws:///us-east-1a/i-%s\"} 1 %lld\n",
             n.name.c_str(), n.name.c_str(), static_cast<long long>(t));
    }
  }
  w.Line("# TYPE kube_node_labels gauge\n");
  for (const Node& n : nodes) {
    for (int64_t t = begin; t < end; t += step) {
      w.Line(
          "kube_node_labels{node=\"%s\",label_node_kubernetes_io_instance_type=\"m5.%dxlarge\","
          "label_topology_kubernetes_io_zone=\"us-east-1a\"} 1 %lld\n",
          n.name.c_str(), n.cores / 4, static_cast<long long>(t));
    }
  }
  w.Line("# TYPE kube_node_status_capacity gauge\n");
  for (const Node& n : nodes) {
    for (int64_t t = begin; t < end; t += step) {
      w.Line("kube_node_status_capacity{node=\"%s\",resource=\"cpu\",unit=\"core\"} %d %lld\n",
             n.name.c_str(), n.cores, static_cast<long long>(t));
      w.Line(
          "kube_node_status_capacity{node=\"%s\",resource=\"memory\",unit=\"byte\"} %lld "
          "%lld\n",
          n.name.c_str(), static_cast<long long>(n.memory_mib) * 1048576,
          static_cast<long long>(t));
    }
  }
  w.Line("# TYPE kube_pod_info gauge\n");
  for (size_t i = 0; i < containers.size(); i += 2) {  // one pod per pair of containers
    const Container& c = containers[i];
    each_sample(c, [&](int64_t t, int) {
      w.Line(
          "kube_pod_info{namespace=\"%s\",pod=\"%s\",node=\"%s\",created_by_kind=\"ReplicaSet\","
          "created_by_name=\"%s-rs\"} 1 %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.node.c_str(), c.pod.c_str(), static_cast<long long>(t));
    });
  }
  w.Line("# TYPE kube_pod_labels gauge\n");
  for (size_t i = 0; i < containers.size(); i += 2) {
    const Container& c = containers[i];
    each_sample(c, [&](int64_t t, int) {
      w.Line("kube_pod_labels{namespace=\"%s\",pod=\"%s\",label_team=\"%s\"} 1 %lld\n",
             c.ns.c_str(), c.pod.c_str(), c.team.c_str(), static_cast<long long>(t));
    });
  }
  w.Line("# TYPE kube_pod_container_resource_requests gauge\n");
  for (const Container& c : containers) {
    each_sample(c, [&](int64_t t, int) {
      w.Line(
          "kube_pod_container_resource_requests{namespace=\"%s\",pod=\"%s\",container=\"%s\","
          "node=\"%s\",resource=\"cpu\",unit=\"core\"} %s %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.container.c_str(), c.node.c_str(),
          Milli(c.cpu_request_m).ToString().c_str(), static_cast<long long>(t));
      w.Line(
          "kube_pod_container_resource_requests{namespace=\"%s\",pod=\"%s\",container=\"%s\","
          "node=\"%s\",resource=\"memory\",unit=\"byte\"} %lld %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.container.c_str(), c.node.c_str(),
          static_cast<long long>(c.memory_request_mib) * 1048576, static_cast<long long>(t));
      ++truth->samples;
    });
  }
  w.Line("# TYPE container_memory_working_set_bytes gauge\n");
  for (const Container& c : containers) {
    each_sample(c, [&](int64_t t, int h) {
      w.Line(
          "container_memory_working_set_bytes{namespace=\"%s\",pod=\"%s\",container=\"%s\","
          "id=\"/kubepods/%s/%s\"} %lld %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.container.c_str(), c.pod.c_str(), c.container.c_str(),
          static_cast<long long>(c.memory_usage_mib[static_cast<size_t>(h)]) * 1048576,
          static_cast<long long>(t));
    });
  }
  w.Line("# TYPE container_cpu_usage_seconds counter\n");
  for (const Container& c : containers) {
    int64_t counter_ms = 0;  // CPU-milliseconds: millicores × seconds
    each_sample(c, [&](int64_t t, int h) {
      w.Line(
          "container_cpu_usage_seconds_total{namespace=\"%s\",pod=\"%s\",container=\"%s\","
          "id=\"/kubepods/%s/%s\"} %lld.%03lld %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.container.c_str(), c.pod.c_str(), c.container.c_str(),
          static_cast<long long>(counter_ms / 1000), static_cast<long long>(counter_ms % 1000),
          static_cast<long long>(t));
      counter_ms += int64_t{c.cpu_usage_m[static_cast<size_t>(h)]} * step;
    });
  }
  w.Line("# EOF\n");
  if (w.failed()) return IoError("kube simulation: writing the metrics failed");

  // The truth: each sample stands for one interval from its time.
  for (const Container& c : containers) {
    const std::string consumer = c.ns + "/" + c.pod + "/" + c.container;
    each_sample(c, [&](int64_t, int h) {
      const int64_t hour = begin + int64_t{h} * 3600;
      const auto hh = static_cast<size_t>(h);
      const Decimal cpu_req = *Milli(c.cpu_request_m * step).Divide(Decimal::FromUnits(3600));
      const Decimal cpu_use =
          *Milli(int64_t{c.cpu_usage_m[hh]} * step).Divide(Decimal::FromUnits(3600));
      const Decimal mem_req = GiBHours(c.memory_request_mib, step);
      const Decimal mem_use = GiBHours(c.memory_usage_mib[hh], step);
      for (auto* m : {&truth->totals[{consumer, "cpu"}], &truth->per_hour[{hour, "cpu"}]}) {
        m->request += cpu_req;
        m->usage += cpu_use;
      }
      for (auto* m : {&truth->totals[{consumer, "memory"}], &truth->per_hour[{hour, "memory"}]}) {
        m->request += mem_req;
        m->usage += mem_use;
      }
    });
  }
  return Status::Ok();
}

}  // namespace tally
