// The generic usage inputs any pipeline can produce (docs/formats/usage-csv.md):
//   usage:     start,end,consumer,asset,resource,request,usage,unit,labels
//   inventory: start,end,asset,resource,capacity,unit,labels
// Amounts are averages over [start, end); they are spread over the hours they overlap as
// amount-hours. Labels are "k=v;k=v".
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "tally/usage.h"

namespace tally {

enum class UsageCsvKind { kUsage, kInventory };

struct UsageCsvTotals {
  int64_t files = 0;
  int64_t rows = 0;
};

// The facts of one run of usage or inventory files, for `source`: read whole (a bad row fails
// the run before anything is stored), summed per hour, consumer, asset and resource into
// 32-byte records, then handed out as batches of whole hours that tile every hour from the
// first row's to the last's. Memory is about 32 bytes a fact plus one batch, whatever the
// files' size (6.7 M facts: about 300 MB instead of 2.3 GB as one batch).
class UsageCsvRun {
 public:
  // Facts per batch handed out (a batch ends on a whole hour, so it may hold more).
  static constexpr size_t kFactsPerBatch = 250'000;
  static constexpr uint32_t kNoConsumer = UINT32_MAX;  // capacity records

  // Errors (kInvalidArgument) name file, line and column: a missing column, a bad time or
  // number, end not after start, an unknown resource/unit pairing, a negative amount; or say
  // the files have no rows.
  static Result<std::unique_ptr<UsageCsvRun>> Read(const std::vector<std::string>& paths,
                                                   UsageCsvKind kind, const std::string& source,
                                                   UsageCsvTotals* totals,
                                                   size_t facts_per_batch = kFactsPerBatch);

  // Replaces *batch with the next hours' facts; false after the last batch.
  Result<bool> Next(UsageBatch* batch);

  size_t consumers() const { return staging_.consumers().size(); }
  size_t assets() const { return staging_.assets().size(); }
  size_t capacity_facts() const {
    size_t n = 0;
    for (const Record& r : facts_.records) n += r.consumer == kNoConsumer ? 1 : 0;
    return n;
  }

  // A fact in 32 bytes: amounts as Amounts codes, the resource and unit as an index.
  struct Record {
    int64_t request = 0;  // capacity, for inventory facts
    int64_t usage = 0;
    int32_t hour = 0;  // hours since the epoch
    uint32_t consumer = 0;
    uint32_t asset = kNoAsset;
    uint32_t kind = 0;  // index into Facts::kinds

    auto Key() const { return std::tie(hour, consumer, asset, kind); }
  };
  // Amounts as int64 codes: an even code is the value in nano-units (most amounts), an odd one
  // indexes the exact values kept aside.
  class Amounts {
   public:
    int64_t Encode(const Decimal& d);
    Decimal Decode(int64_t code) const;

   private:
    std::vector<Decimal> exact_;
  };
  struct Facts {
    std::deque<Record> records;  // a deque: growing never copies (or doubles) what it holds
    Amounts amounts;
    std::vector<std::pair<std::string, std::string>> kinds;  // (resource, unit)
    uint32_t Kind(const std::string& resource, const std::string& unit);
    void Add(Timestamp hour, uint32_t consumer, uint32_t asset, uint32_t kind,
             const Decimal& request, const Decimal& usage);
  };

 private:
  UsageCsvRun(std::string source, size_t facts_per_batch)
      : source_(source), staging_(std::move(source), {}), facts_per_batch_(facts_per_batch) {}

  std::string source_;
  UsageBatch staging_;  // every consumer and asset named, by index
  Facts facts_;
  size_t facts_per_batch_;
  size_t next_ = 0;         // the next record to hand out
  int64_t next_hour_ = 0;   // the next batch's window start (unix seconds)
  int64_t end_hour_ = 0;    // end of the last hour
};

// "k=v;k=v" (whitespace around keys and values trimmed). Errors: a part without '='.
Result<Labels> ParseLabelList(std::string_view text);

}  // namespace tally
