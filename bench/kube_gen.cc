// kube_gen: writes synthetic cluster metrics (OpenMetrics, for promtool backfill) with a known
// truth, for the collection benchmark.
//   kube_gen CONTAINERS HOURS INTERVAL_SECONDS OUT.om [NODES]
// The data starts HOURS + 24 hours before now, on an hour, so Prometheus keeps it.
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "demo/kube_metrics_gen.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: kube_gen CONTAINERS HOURS INTERVAL_SECONDS OUT.om [NODES]\n");
    return 2;
  }
  tally::KubeSimOptions o;
  o.containers = std::atoi(argv[1]);
  o.hours = std::atoi(argv[2]);
  o.interval_seconds = std::atoi(argv[3]);
  o.nodes = argc > 5 ? std::atoi(argv[5]) : std::max(3, o.containers / 40);
  o.start =
      tally::Timestamp::FromUnixSeconds(std::time(nullptr) - (o.hours + 24) * 3600LL).StartOfHour();
  std::FILE* out = std::fopen(argv[4], "w");
  if (out == nullptr) {
    std::perror(argv[4]);
    return 1;
  }
  tally::KubeTruth truth;
  tally::Status status = tally::WriteKubeOpenMetrics(o, out, &truth);
  if (std::fclose(out) != 0 || !status.ok()) {
    std::fprintf(stderr, "kube_gen: %s\n", status.ok() ? "write failed" : status.message().c_str());
    return 1;
  }
  std::printf("start=%s hours=%d containers=%d nodes=%d request_samples=%lld\n",
              o.start.ToString().c_str(), o.hours, o.containers, o.nodes,
              static_cast<long long>(truth.samples));
  return 0;
}
