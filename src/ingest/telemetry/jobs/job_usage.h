// JobUsage: what batch jobs (Spark applications, Slurm jobs) reserved and used, spread exactly
// over the hours they cover. Amounts are summed as amount-milliseconds per hour, consumer, asset,
// resource and unit, and divided into amount-hours once at the end, so each fact is exact to
// 1e-18 and a job's facts sum to its total within that rounding.
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"
#include "tally/usage.h"

namespace tally {

class JobUsage {
 public:
  // The most facts one run holds (about 100 bytes each): a job whose times span centuries
  // (junk input) fails the run clearly instead of exhausting memory.
  static constexpr size_t kMaxFacts = 10'000'000;

  explicit JobUsage(std::string source, size_t max_facts = kMaxFacts)
      : staging_(std::move(source), {}), max_facts_(max_facts) {}

  uint32_t AddConsumer(const Consumer& consumer) { return staging_.AddConsumer(consumer); }
  uint32_t AddAsset(const Asset& asset) { return staging_.AddAsset(asset); }

  enum class Side { kRequest, kUsage };
  // `rate` of a resource (cores, GiB, GPUs) held over [from_ms, to_ms), Unix milliseconds.
  // Errors: kInvalidArgument when an amount is out of range, or past max_facts.
  Status Hold(Side side, uint32_t consumer, uint32_t asset, std::string_view resource,
              std::string_view unit, Decimal rate, int64_t from_ms, int64_t to_ms);
  // `total` amount-milliseconds (a CPU time) spread over [from_ms, to_ms) in proportion to the
  // time in each hour; the parts sum to `total` exactly. An empty interval puts it all in the
  // hour of from_ms.
  Status Spread(Side side, uint32_t consumer, uint32_t asset, std::string_view resource,
                std::string_view unit, Decimal total, int64_t from_ms, int64_t to_ms);

  // The facts as kConsumers batches: one per run of consecutive hours that hold facts, each
  // naming only the consumers it holds, so a re-read job replaces exactly its own facts.
  Result<std::vector<UsageBatch>> Finish() const;

  size_t consumers() const { return staging_.consumers().size(); }
  size_t assets() const { return staging_.assets().size(); }
  size_t facts() const { return amounts_.size(); }

 private:
  struct Key {
    int64_t hour;  // Unix seconds of the hour's start
    uint32_t consumer, asset, kind;
    auto operator<=>(const Key&) const = default;
  };
  struct Amounts {
    Decimal request_ms, usage_ms;
  };
  uint32_t Kind(std::string_view resource, std::string_view unit);
  Status Add(Side side, Key key, Decimal amount_ms);

  UsageBatch staging_;  // consumers and assets by index
  std::vector<std::pair<std::string, std::string>> kinds_;  // (resource, unit)
  std::map<Key, Amounts> amounts_;
  size_t max_facts_;
};

}  // namespace tally
