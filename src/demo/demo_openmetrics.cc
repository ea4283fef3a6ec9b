#include "demo/demo_openmetrics.h"

#include <cstdarg>
#include <cstdio>

namespace tally {
namespace {

constexpr int64_t kStep = 1800;  // two samples an hour

class Out {
 public:
  explicit Out(const std::string& path) : f_(std::fopen(path.c_str(), "w")) {}
  ~Out() {
    if (f_ != nullptr) std::fclose(f_);
  }
  __attribute__((format(printf, 2, 3))) void Line(const char* fmt, ...) {
    if (f_ == nullptr) return;
    va_list args;
    va_start(args, fmt);
    if (std::vfprintf(f_, fmt, args) < 0) failed_ = true;
    va_end(args);
  }
  bool Close() {
    const bool ok = f_ != nullptr && !failed_ && std::fclose(f_) == 0;
    f_ = nullptr;
    return ok;
  }

 private:
  std::FILE* f_;
  bool failed_ = false;
};

// Persistent volumes as kube-state-metrics and the kubelet show them: capacity, identity, the
// claim bound to each (with the team label), the pod that mounts it, and the bytes in use.
template <typename EachTime>
void WriteVolumes(Out& out, const std::vector<demo::Volume>& volumes, EachTime each_time) {
  out.Line("# TYPE kube_persistentvolume_capacity_bytes gauge\n");
  for (const demo::Volume& v : volumes) {
    each_time([&](int64_t t, size_t) {
      out.Line("kube_persistentvolume_capacity_bytes{persistentvolume=\"%s\"} %lld %lld\n",
               v.name.c_str(), static_cast<long long>(v.gib) << 30, static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kube_persistentvolume_info gauge\n");
  for (const demo::Volume& v : volumes) {
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kube_persistentvolume_info{persistentvolume=\"%s\",storageclass=\"gp3\","
          "ebs_volume_id=\"%s\"} 1 %lld\n",
          v.name.c_str(), v.name.c_str(), static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kube_persistentvolumeclaim_info gauge\n");
  for (const demo::Volume& v : volumes) {
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kube_persistentvolumeclaim_info{namespace=\"%s\",persistentvolumeclaim=\"%s\","
          "storageclass=\"gp3\",volumename=\"%s\"} 1 %lld\n",
          v.ns.c_str(), v.claim.c_str(), v.name.c_str(), static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kube_persistentvolumeclaim_labels gauge\n");
  for (const demo::Volume& v : volumes) {
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kube_persistentvolumeclaim_labels{namespace=\"%s\",persistentvolumeclaim=\"%s\","
          "label_team=\"%s\"} 1 %lld\n",
          v.ns.c_str(), v.claim.c_str(), v.team.c_str(), static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kube_pod_spec_volumes_persistentvolumeclaims_info gauge\n");
  for (const demo::Volume& v : volumes) {
    if (v.mounter == nullptr) continue;
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kube_pod_spec_volumes_persistentvolumeclaims_info{namespace=\"%s\",pod=\"%s\","
          "volume=\"%s\",persistentvolumeclaim=\"%s\"} 1 %lld\n",
          v.ns.c_str(), v.mounter->pod.c_str(), v.claim.c_str(), v.claim.c_str(),
          static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kubelet_volume_stats_used_bytes gauge\n");
  for (const demo::Volume& v : volumes) {
    if (v.mounter == nullptr) continue;
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kubelet_volume_stats_used_bytes{namespace=\"%s\",persistentvolumeclaim=\"%s\"} "
          "%lld %lld\n",
          v.ns.c_str(), v.claim.c_str(), static_cast<long long>(v.used_gib) << 30,
          static_cast<long long>(t));
    });
  }
}

}  // namespace

Status WriteDemoOpenMetrics(const std::string& path, Timestamp start, int64_t hours,
                            const std::vector<demo::Node>& nodes,
                            const std::vector<demo::Consumer>& consumers,
                            const std::vector<std::vector<demo::HourUsage>>& usage,
                            const std::vector<demo::Volume>& volumes) {
  Out out(path);
  const int64_t begin = start.unix_seconds();
  const int64_t end = begin + hours * 3600;
  auto each_time = [&](auto&& emit) {
    for (int64_t t = begin; t < end; t += kStep) emit(t, static_cast<size_t>((t - begin) / 3600));
  };
  out.Line("# TYPE kube_node_info gauge\n");
  for (const demo::Node& n : nodes) {
    each_time([&](int64_t t, size_t) {
      out.Line("kube_node_info{node=\"%s\",provider_id=\"aws:///us-east-1a/%s\"} 1 %lld\n",
               n.id.c_str(), n.id.c_str(), static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kube_node_labels gauge\n");
  for (const demo::Node& n : nodes) {
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kube_node_labels{node=\"%s\",label_node_kubernetes_io_instance_type=\"%s\","
          "label_topology_kubernetes_io_zone=\"us-east-1a\",label_team=\"%s\"} 1 %lld\n",
          n.id.c_str(), n.type->name, n.team.c_str(), static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kube_node_status_capacity gauge\n");
  for (const demo::Node& n : nodes) {
    each_time([&](int64_t t, size_t) {
      out.Line("kube_node_status_capacity{node=\"%s\",resource=\"cpu\",unit=\"core\"} %d %lld\n",
               n.id.c_str(), n.type->cores, static_cast<long long>(t));
      out.Line(
          "kube_node_status_capacity{node=\"%s\",resource=\"memory\",unit=\"byte\"} %lld "
          "%lld\n",
          n.id.c_str(), static_cast<long long>(n.type->memory_gib) << 30,
          static_cast<long long>(t));
      if (n.type->gpus > 0) {
        out.Line(
            "kube_node_status_capacity{node=\"%s\",resource=\"nvidia_com_gpu\","
            "unit=\"integer\"} %d %lld\n",
            n.id.c_str(), n.type->gpus, static_cast<long long>(t));
      }
    });
  }
  out.Line("# TYPE kube_pod_info gauge\n");
  for (const demo::Consumer& c : consumers) {
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kube_pod_info{namespace=\"%s\",pod=\"%s\",node=\"%s\",created_by_kind="
          "\"ReplicaSet\",created_by_name=\"%s\"} 1 %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.node->id.c_str(), c.w->name.c_str(),
          static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kube_pod_labels gauge\n");
  for (const demo::Consumer& c : consumers) {
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kube_pod_labels{namespace=\"%s\",pod=\"%s\",label_team=\"%s\",label_app=\"%s\"} "
          "1 %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.w->team.c_str(), c.w->name.c_str(),
          static_cast<long long>(t));
    });
  }
  out.Line("# TYPE kube_pod_container_resource_requests gauge\n");
  for (const demo::Consumer& c : consumers) {
    each_time([&](int64_t t, size_t) {
      out.Line(
          "kube_pod_container_resource_requests{namespace=\"%s\",pod=\"%s\","
          "container=\"main\",node=\"%s\",resource=\"cpu\",unit=\"core\"} %lld.%03lld %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.node->id.c_str(),
          static_cast<long long>(c.w->cpu_m / 1000), static_cast<long long>(c.w->cpu_m % 1000),
          static_cast<long long>(t));
      out.Line(
          "kube_pod_container_resource_requests{namespace=\"%s\",pod=\"%s\","
          "container=\"main\",node=\"%s\",resource=\"memory\",unit=\"byte\"} %lld %lld\n",
          c.ns.c_str(), c.pod.c_str(), c.node->id.c_str(),
          static_cast<long long>(c.w->mem_mib) << 20, static_cast<long long>(t));
      if (c.w->gpus > 0) {
        out.Line(
            "kube_pod_container_resource_requests{namespace=\"%s\",pod=\"%s\","
            "container=\"main\",node=\"%s\",resource=\"nvidia_com_gpu\",unit=\"integer\"} "
            "%d %lld\n",
            c.ns.c_str(), c.pod.c_str(), c.node->id.c_str(), c.w->gpus, static_cast<long long>(t));
      }
    });
  }
  out.Line("# TYPE container_memory_working_set_bytes gauge\n");
  for (size_t ci = 0; ci < consumers.size(); ++ci) {
    const demo::Consumer& c = consumers[ci];
    each_time([&](int64_t t, size_t h) {
      out.Line(
          "container_memory_working_set_bytes{namespace=\"%s\",pod=\"%s\",container=\"main\"}"
          " %lld %lld\n",
          c.ns.c_str(), c.pod.c_str(), static_cast<long long>(usage[ci][h].mem_mib) << 20,
          static_cast<long long>(t));
    });
  }
  out.Line("# TYPE container_cpu_usage_seconds counter\n");
  for (size_t ci = 0; ci < consumers.size(); ++ci) {
    const demo::Consumer& c = consumers[ci];
    int64_t cpu_ms = 0;  // CPU-milliseconds so far: millicores × seconds
    each_time([&](int64_t t, size_t h) {
      out.Line(
          "container_cpu_usage_seconds_total{namespace=\"%s\",pod=\"%s\",container=\"main\"}"
          " %lld.%03lld %lld\n",
          c.ns.c_str(), c.pod.c_str(), static_cast<long long>(cpu_ms / 1000),
          static_cast<long long>(cpu_ms % 1000), static_cast<long long>(t));
      cpu_ms += usage[ci][h].cpu_m * kStep;
    });
  }
  out.Line("# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n");
  for (size_t ci = 0; ci < consumers.size(); ++ci) {
    const demo::Consumer& c = consumers[ci];
    for (int g = 0; g < c.w->gpus; ++g) {
      each_time([&](int64_t t, size_t h) {
        out.Line(
            "DCGM_FI_DEV_GPU_UTIL{gpu=\"%d\",Hostname=\"%s\",namespace=\"%s\",pod=\"%s\","
            "container=\"main\"} %d %lld\n",
            g, c.node->id.c_str(), c.ns.c_str(), c.pod.c_str(), usage[ci][h].gpu_pct,
            static_cast<long long>(t));
      });
    }
  }
  WriteVolumes(out, volumes, each_time);
  out.Line("# EOF\n");
  return out.Close() ? Status::Ok() : IoError("demo: cannot write " + path);
}

}  // namespace tally
