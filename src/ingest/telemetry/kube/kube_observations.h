// KubeObservations: turns point samples of the kube metrics (kube-state-metrics, cAdvisor) into
// hourly amount-hours in a KubeUsageBuilder. Used for raw scrapes and for remote_write, where
// there is no Prometheus to evaluate PromQL.
//
// A gauge sample holds its value until the series' next sample, but at most `max_hold`; the
// last sample of a series holds for the series' last interval (or `max_hold` when it has only
// one), or until a staleness marker (a NaN) ends the series. A counter's increase between two
// samples (a reset counts from zero) is spread evenly over the time between them. Time is in
// milliseconds.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ingest/telemetry/kube/kube_usage_builder.h"
#include "ingest/telemetry/prometheus/exposition.h"

namespace tally {

class KubeObservations {
 public:
  KubeObservations(KubeUsageBuilder* builder, int64_t max_hold_ms)
      : builder_(builder), max_hold_ms_(max_hold_ms) {}

  // Whether a metric of this name feeds anything (readers drop the others before sorting).
  static bool Uses(std::string_view name);

  // Takes one sample. Samples of a series must come in time order; an older or equal one is
  // dropped and counted. Metrics tally does not use are ignored.
  void Observe(std::string_view name, std::span<const Label> labels, double value, int64_t t_ms);
  // Accounts the last sample of every series whose last sample is older than `before_ms`, and
  // forgets those series (a live stream closes series that went quiet).
  void CloseIdle(int64_t before_ms);
  // Accounts every series' last sample (the end of a finite set of scrapes).
  void Finish() { CloseIdle(INT64_MAX); }

  int64_t samples_used() const { return samples_used_; }
  int64_t samples_out_of_order() const { return out_of_order_; }
  int64_t samples_not_finite() const { return not_finite_; }

 private:
  enum class Target {
    kRequest,
    kLegacyRequest,
    kUsageGauge,
    kUsageCounter,
    kCapacity,
    kLegacyCapacity,
    kGpuUtilization,
    kVolumeCapacity,  // kube_persistentvolume_capacity_bytes of `volume`
    kVolumeMount,     // a pod mounting the claim `volume`
    kClaimUsage       // kubelet_volume_stats_used_bytes of the claim `volume`
  };
  struct Series {
    Target target = Target::kRequest;
    KubeResource resource = KubeResource::kCpu;
    int64_t scale = 1;  // what one of the resource counts (a 3g MIG instance: 3 slices)
    std::string ns, pod, container, node;
    std::string volume;  // a persistent volume, or a claim for kVolumeMount
    int64_t last_t = 0;
    Decimal last_value;
    int64_t last_interval = 0;  // 0: one sample so far
  };

  // Returns false for a metric that feeds no series (info metrics are applied at once).
  bool Classify(std::string_view name, std::span<const Label> labels, Series* series);
  void Hold(const Series& s, int64_t from_ms, int64_t to_ms);
  void Spread(const Series& s, Decimal increase, int64_t from_ms, int64_t to_ms);
  void AddAmount(const Series& s, Timestamp hour, Decimal amount_hours);

  KubeUsageBuilder* builder_;
  int64_t max_hold_ms_;
  std::unordered_map<std::string, Series> series_;
  std::string key_;
  int64_t samples_used_ = 0;
  int64_t out_of_order_ = 0;
  int64_t not_finite_ = 0;
};

// A double as an exact Decimal of its shortest round-trip text; nullopt for NaN, infinities and
// values out of Decimal's range.
std::optional<Decimal> DecimalFromDouble(double v);

}  // namespace tally
