// Usage facts: who used which asset's resources, hour by hour. Every telemetry source (a
// Prometheus pull, raw kube scrapes, remote_write, usage CSV) produces UsageBatches; the store
// keeps them and the allocation engine splits asset costs by them.
//
// Quantities are amount-hours within one hour: a container that requested 2 cores for the
// whole hour has request 2 (core-hours), for half of it 1. Units: cpu "core", memory "GiB",
// gpu "gpu".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tally/decimal.h"
#include "tally/time.h"

namespace tally {

using Labels = std::map<std::string, std::string, std::less<>>;

// A consumer: a container (name "namespace/pod/container"), a job, a tenant.
struct Consumer {
  std::string name;
  std::string namespace_name;
  std::string pod;
  std::string container;
  std::string controller;  // "kind/name", e.g. "ReplicaSet/api-7c9f"; "" when none
  Labels labels;
};

// An asset: a node, a GPU server, a volume. `provider_id` matches a bill's ResourceId.
struct Asset {
  std::string name;
  std::string provider_id;
  std::string instance_type;
  std::string zone;
  Labels labels;
};

inline constexpr uint32_t kNoAsset = UINT32_MAX;

struct UsageFact {
  Timestamp hour;             // the start of the hour
  uint32_t consumer = 0;      // index into UsageBatch::consumers
  uint32_t asset = kNoAsset;  // index into UsageBatch::assets
  std::string resource;       // "cpu", "memory", "gpu", ...
  std::string unit;           // "core", "GiB", "gpu", ...
  Decimal request;            // amount-hours reserved
  Decimal usage;              // amount-hours used
};

// How many of `unit` make one whole resource: a unit written "<name>/<N>" is 1/N of one, so a
// shared GPU is counted in exact whole parts ("mig-slice/7": a seventh of the device, as MIG
// slices are; "replica/4": one of four time-sliced or MPS replicas); any other unit is whole (1).
int64_t UnitsPerWhole(std::string_view unit);

// An address a consumer held in an hour (a pod's IP, a node's), for network attribution.
struct AddressFact {
  Timestamp hour;
  std::string ip;
  uint32_t consumer = 0;  // index into UsageBatch::consumers
  std::string zone;
  std::string region;
  bool node = false;  // a node's own address: a pod holding the same one (host network) wins
};

struct CapacityFact {
  Timestamp hour;
  uint32_t asset = 0;
  std::string resource;
  std::string unit;
  Decimal capacity;  // amount-hours available
};

// What storing a batch replaces of what its source stored before.
enum class UsageReplace {
  kHours,      // every fact of the batch's hours: streams (a pull, scrapes, a usage CSV run)
  kConsumers,  // the facts of the batch's consumers in its hours, and no other: batch jobs (a
               // Spark application, a Slurm job) are re-read whole, one or a few at a time
};

// What one source knows about a window of hours. Storing a batch replaces what the same source
// stored earlier for those hours (all of it, or its consumers' part), so re-collecting never
// double-counts.
class UsageBatch {
 public:
  UsageBatch(std::string source, TimeWindow hours) : source_(std::move(source)), hours_(hours) {}

  const std::string& source() const { return source_; }
  const TimeWindow& hours() const { return hours_; }
  void set_hours(TimeWindow hours) { hours_ = hours; }
  // Complete hours are final: a collector skips them next time. Open hours (the current hour
  // of a live stream) are replaced again as data arrives.
  bool complete() const { return complete_; }
  void set_complete(bool complete) { complete_ = complete; }
  UsageReplace replace() const { return replace_; }
  // kConsumers batches carry usage only (no capacity facts).
  void set_replace(UsageReplace replace) { replace_ = replace; }

  // The index of the consumer or asset of this name, added on first use. Attributes given
  // later for the same name replace empty ones.
  uint32_t AddConsumer(const Consumer& consumer);
  uint32_t AddAsset(const Asset& asset);
  Consumer& consumer(uint32_t i) { return consumers_[i]; }
  Asset& asset(uint32_t i) { return assets_[i]; }

  void AddUsage(UsageFact fact) { usage_.push_back(std::move(fact)); }
  void AddCapacity(CapacityFact fact) { capacity_.push_back(std::move(fact)); }
  // Addresses are replaced with the batch's hours, like kHours facts.
  void AddAddress(AddressFact fact) { addresses_.push_back(std::move(fact)); }

  const std::vector<Consumer>& consumers() const { return consumers_; }
  const std::vector<Asset>& assets() const { return assets_; }
  const std::vector<UsageFact>& usage() const { return usage_; }
  const std::vector<CapacityFact>& capacity() const { return capacity_; }
  const std::vector<AddressFact>& addresses() const { return addresses_; }

 private:
  std::string source_;
  TimeWindow hours_;
  bool complete_ = true;
  UsageReplace replace_ = UsageReplace::kHours;
  std::vector<Consumer> consumers_;
  std::vector<Asset> assets_;
  std::unordered_map<std::string, uint32_t> consumer_index_;
  std::unordered_map<std::string, uint32_t> asset_index_;
  std::vector<UsageFact> usage_;
  std::vector<CapacityFact> capacity_;
  std::vector<AddressFact> addresses_;
};

struct UsageCommit {
  int64_t facts_stored = 0;
  int64_t facts_replaced = 0;
  int64_t hours = 0;
};

// An asset with its capacity, and what consumers held of it (their max(request, usage)),
// summed over a window, per resource.
struct AssetRecord {
  Asset asset;
  std::map<std::string, Decimal> capacity;   // resource -> amount-hours
  std::map<std::string, std::string> units;  // resource -> unit
  std::map<std::string, Decimal> held;       // resource -> amount-hours consumers held
  // A volume (storage capacity) no consumer mounted in the window: its cost is all idle.
  bool Orphaned() const;
};

// A source's state in the store: the hours it completed and its last error.
struct UsageSourceRecord {
  std::string name;
  int64_t complete_hours = 0;
  std::optional<Timestamp> first_hour;
  std::optional<Timestamp> last_hour;  // the start of the newest complete hour
  std::optional<Timestamp> last_run;
  std::string last_error;
  int64_t facts = 0;  // usage and capacity facts stored
};

}  // namespace tally
