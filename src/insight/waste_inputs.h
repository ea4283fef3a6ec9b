// What the recommendations are computed from, and each kind's rule (recommendations.h): the
// window's allocated costs per consumer and asset, each consumer's usage over the window, and
// the context the kinds share. Internal to insight/: recommendations.cc runs the kinds in
// order; waste_inputs.cc loads the inputs; waste_kinds.cc holds the rules.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "insight/recommendations.h"
#include "report/cost_series.h"
#include "tally/store.h"

namespace tally::waste {

using Json = nlohmann::ordered_json;

inline constexpr int64_t kMonthHours = 730;

Decimal FromDouble(double v);
// `owner` is within `root`, or `root` is "" (every owner).
bool InSubtree(const std::string& owner, const std::string& root);
std::string Percent(double share);
std::string Number(double v, const char* format);

// What the window's costs say per consumer and asset.
struct Costs {
  std::map<std::string, std::map<std::string, Decimal>> direct;  // consumer -> resource -> cost
  std::map<std::string, std::pair<Decimal, std::string>> owner;  // consumer -> costliest owner
  std::map<std::string, Decimal> asset_total;                    // asset -> all its cost
  std::map<std::string, std::pair<Decimal, std::string>> asset_owner;
};
Result<Costs> LoadCosts(Store* store, Timestamp from, Timestamp to);

// A consumer's usage over the window, hour by hour, as the recommendations need it.
struct ConsumerUsage {
  std::string asset, controller;
  Labels labels;
  bool slurm = false, spark = false;  // a batch job: judged by its own efficiency
  HourlySamples cpu, memory;              // usage per hour: cores, GiB
  double cpu_request = 0, memory_request = 0;  // summed over the hours (amount-hours)
  int64_t cpu_hours = 0, memory_hours = 0;
  struct Day {
    double usage = 0, request = 0;
    int64_t hours = 0;
  };
  std::map<int64_t, Day> cpu_days;  // day number -> CPU amount-hours
  double gpu_request = 0, gpu_usage = 0;
  int64_t gpu_hours = 0, gpu_idle_hours = 0;
  double cpu_usage = 0, memory_usage = 0;      // amount-hours
  double wall_request = 0, wall_usage = 0;     // Slurm: the time limit and the elapsed hours
  double storage_gib_hours = 0;
  int64_t first_hour = INT64_MAX, last_hour = INT64_MIN;
  int64_t SpanHours() const { return last_hour < first_hour ? 0 : (last_hour - first_hour) / 3600 + 1; }
};

// Each consumer's usage in [from, to), of the consumers of `q.owner` (all without one).
// Errors: kInvalidArgument past the samples' bound; the store's.
Result<std::map<std::string, ConsumerUsage>> LoadUsage(Store* store, Timestamp from, Timestamp to,
                                                       const RecommendQuery& q, const Costs& costs);

// The CPU cores used and requested on average each day: the series a person checks a
// recommendation against.
Json DailyCpu(const ConsumerUsage& u);

struct Context {
  const RecommendQuery& q;
  const Costs& costs;
  int64_t hours;
  int64_t window_end;
  Decimal Monthly(Decimal window_cost) const {
    return (*window_cost.Multiply(Decimal::FromUnits(kMonthHours)))
        .Divide(Decimal::FromUnits(hours))
        ->Round(2);
  }
  Decimal Direct(const std::string& consumer, const std::string& resource) const {
    auto c = costs.direct.find(consumer);
    if (c == costs.direct.end()) return Decimal();
    auto r = c->second.find(resource);
    return r == c->second.end() ? Decimal() : r->second;
  }
};

// The kinds (waste_kinds.cc): each nullopt when its rule does not hold.
std::optional<Recommendation> IdleGpu(const Context& x, const std::string& name, const ConsumerUsage& u);
std::optional<Recommendation> Abandoned(const Context& x, const std::string& name, const ConsumerUsage& u);
std::optional<Recommendation> Rightsizing(const Context& x, const std::string& name, const ConsumerUsage& u);
std::optional<Recommendation> BatchJob(const Context& x, const std::string& name, const ConsumerUsage& u);
std::optional<Recommendation> ColdStorage(const Context& x, const std::string& name, const ConsumerUsage& u);
Result<std::vector<Recommendation>> Consolidation(Store* store, const Context& x,
                                                  const std::map<std::string, ConsumerUsage>& usage,
                                                  const std::set<std::string>& advised);

}  // namespace tally::waste
