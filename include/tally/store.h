// Store: where tally keeps what it ingests, and the queries it answers. The interface is all
// that code outside src/store sees; the embedded SQLite backend and ClickHouse (its cost lines
// and allocation rows on a cluster, the rest in a SQLite companion) sit behind it and answer every query with
// identical numbers.
//
// A Store is used from one thread at a time. Several processes may open the same SQLite store;
// writers serialize on its lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tally/alert_state.h"
#include "tally/recommendation_state.h"
#include "tally/allocation.h"
#include "tally/clock.h"
#include "tally/cost_line.h"
#include "tally/cost_query.h"
#include "tally/cost_sink.h"
#include "tally/diagnostic.h"
#include "tally/gpu.h"
#include "tally/result.h"
#include "tally/time.h"
#include "tally/network.h"
#include "tally/usage.h"
#include "tally/usage_query.h"

namespace tally {

struct IngestRun {
  std::string format;   // "focus", ...
  std::string command;  // the command line, for the store's ingest log
  const Clock* clock = &SystemClock();  // for the log's start and commit times
};

struct IngestCommit {
  int64_t rows_stored = 0;
  int64_t rows_replaced = 0;                 // rows of earlier runs that this run replaced
  std::vector<BillingPartition> partitions;  // every partition this run touched
  // Replacements a person should know about, e.g. a partition earlier stored from more files
  // than this run read (so the rows of the files left out are gone).
  std::vector<std::string> warnings;
};

// A committed ingest run, as the store's ingest log keeps it.
struct IngestRecord {
  int64_t id = 0;
  std::string format;
  std::string command;
  Timestamp committed_at;
  int64_t files = 0;            // files read (abandoned ones not counted)
  int64_t files_abandoned = 0;  // bad files skipped with --skip-bad-files
  int64_t rows_stored = 0;
  int64_t rows_replaced = 0;
  int64_t problems = 0;  // stored diagnostics of severity warning or error
};

struct DiagnosticQuery {
  std::optional<int64_t> ingest_id;  // nullopt: the last committed run
  std::optional<Severity> severity;  // nullopt: every severity
  int64_t limit = 1000;
};

// One ingest run: a CostSink whose rows become visible only at Commit(). Destroying it without
// Commit() leaves the store exactly as it was.
class CostIngest : public CostSink {
 public:
  // In every billing partition the run touched, replaces what earlier runs stored with this
  // run's rows, atomically and durably.
  virtual Result<IngestCommit> Commit() = 0;
};

// The interfaces below are each shaped by their callers: ingest and cost reports, the ingest
// log, usage collection and reports, allocation and its reports. Code takes the narrowest one it
// needs; Store is all of them, with what the server needs of a store as a whole.

// Cost lines in, cost cells out.
class CostStore {
 public:
  virtual ~CostStore() = default;
  virtual Result<std::unique_ptr<CostIngest>> BeginCostIngest(const IngestRun& run) = 0;
  // The query's metric summed per cell (report/cost_report.h groups the cells into rows).
  // Errors: kInvalidArgument for a filter the store cannot apply or a sum that overflows.
  virtual Result<CostCells> ScanCosts(const CostQuery& query) = 0;
};

// What each ingest run read and reported.
class IngestLogStore {
 public:
  virtual ~IngestLogStore() = default;
  // The last `limit` committed ingest runs, newest first.
  virtual Result<std::vector<IngestRecord>> ListIngests(int64_t limit) = 0;
  // Diagnostics of one run in file and line order. Errors: kNotFound for an unknown run.
  virtual Result<std::vector<Diagnostic>> ListDiagnostics(const DiagnosticQuery& query) = 0;
};

// Hourly usage and capacity facts, per source.
class UsageStore {
 public:
  virtual ~UsageStore() = default;
  // For each batch, replaces what its source stored for its hours with the batch and marks
  // those hours complete or open as the batch says; all batches in one transaction.
  // Errors: kInvalidArgument for a window that is not whole hours or a fact outside it.
  virtual Result<UsageCommit> StoreUsage(std::span<const UsageBatch> batches) = 0;
  // The same for more batches than fit in memory at once: stores each batch `next` fills, until
  // it returns false, all in one transaction (an error from `next` stores nothing).
  virtual Result<UsageCommit> StoreUsageStream(
      const std::function<Result<bool>(UsageBatch*)>& next) = 0;
  // The complete hours of `source` within `window`, ascending.
  virtual Result<std::vector<Timestamp>> CompleteUsageHours(std::string_view source,
                                                            TimeWindow window) = 0;
  // Logs a collection run of `source` at `at`; `error` is "" for a successful one.
  virtual Status RecordUsageRun(std::string_view source, Timestamp at, std::string_view error) = 0;
  virtual Result<std::vector<UsageSourceRecord>> ListUsageSources() = 0;
  // Calls `each` for every usage (or capacity) fact with an hour in [from, to) (either end may be
  // open), of `resource` only when given. report/usage_report.h groups them.
  virtual Status ScanUsageFacts(FactKind kind, std::optional<Timestamp> from,
                                std::optional<Timestamp> to,
                                const std::optional<std::string>& resource,
                                const std::function<Status(const UsageFactView&)>& each) = 0;
  // Keeps the newest reading of each physical GPU (by host and UUID); a reading without a time
  // is taken at `default_time`, and one older than the stored reading is ignored. Returns the
  // readings stored. Errors: kInvalidArgument for a GPU without a UUID (nothing is stored).
  virtual Result<int64_t> StoreGpuReadings(std::span<const GpuDevice> devices,
                                           Timestamp default_time) = 0;
  // The newest reading of every GPU, by host and UUID.
  virtual Result<std::vector<GpuDevice>> ListGpuDevices() = 0;
  // Every known asset, with its capacity over [from, to) (either end may be open).
  virtual Result<std::vector<AssetRecord>> ListAssets(std::optional<Timestamp> from,
                                                      std::optional<Timestamp> to) = 0;

};

// Network flows per flow log file, and the addresses consumers held (docs/network.md).
class NetworkStore {
 public:
  virtual ~NetworkStore() = default;
  // Replaces what earlier reads of the same files stored, all files in one transaction.
  // Returns the hours whose flows changed, ascending (the caller derives the network usage of
  // those hours again).
  virtual Result<std::vector<Timestamp>> StoreFlowFiles(std::span<const FlowFile> files) = 0;
  // Every stored flow row with an hour in [from, to) (either end may be open), file by file:
  // rows of two files may share their keys, and callers sum them.
  virtual Status ScanFlows(std::optional<Timestamp> from, std::optional<Timestamp> to,
                           const std::function<Status(const FlowAggregate&)>& each) = 0;
  // Every address a consumer held in an hour of `window` (usage batches' AddressFacts).
  virtual Result<std::vector<NetworkAddress>> ListAddresses(TimeWindow window) = 0;
};

// Allocation's inputs and results, and the sums its reports read.
class AllocationStore {
 public:
  virtual ~AllocationStore() = default;
  // The hours that have usage facts or bill lines, if any.
  virtual Result<std::optional<TimeWindow>> DataWindow() = 0;
  // Hours of `window` to (re)allocate: never allocated, allocated under another policy digest,
  // or whose inputs changed since (usage stored, bills ingested).
  virtual Result<std::vector<Timestamp>> HoursToAllocate(TimeWindow window,
                                                         std::string_view digest) = 0;
  virtual Result<AllocationInputs> LoadAllocationInputs(TimeWindow window) = 0;
  // Calls `each` for every hour of `hours` (ascending) with its usage and capacity facts, their
  // consumer and asset indexing `inputs`.
  virtual Status ForEachUsageHour(
      std::span<const Timestamp> hours, const AllocationInputs& inputs,
      const std::function<Status(Timestamp, std::span<const UsageFact>,
                                 std::span<const CapacityFact>)>& each) = 0;
  // Replaces the allocation of each hour given, atomically, and records the digest.
  virtual Status StoreAllocations(std::span<const AllocatedHour> hours,
                                  std::string_view digest) = 0;
  // Allocation rows summed along stored columns (report/showback.h adds the rest).
  virtual Result<ShowbackTable> SumAllocations(const AllocationScan& scan) = 0;
  // Every known consumer and asset, with their labels.
  virtual Result<AllocationParties> ListParties() = 0;
  virtual Result<AllocationStatus> GetAllocationStatus() = 0;
  // Per billing source, its bill over the allocated hours of [from, to).
  virtual Result<std::vector<SourceBill>> ListBills(std::optional<Timestamp> from,
                                                    std::optional<Timestamp> to) = 0;
  // The hours of [from, to) inside some bill line's charge period that are not allocated, or
  // whose inputs changed since they were (ascending): a reconcile over them would miss cost.
  virtual Result<std::vector<Timestamp>> UnallocatedBillHours(std::optional<Timestamp> from,
                                                              std::optional<Timestamp> to) = 0;

};

class Store : public CostStore,
              public IngestLogStore,
              public AlertStateStore,
              public RecommendationStore,
              public UsageStore,
              public NetworkStore,
              public AllocationStore {
 public:
  // OK when the store can take writes: its files are writable and their disk has at least
  // `min_free_bytes` free. Errors: kUnavailable saying which.
  virtual Status CheckWritable(uint64_t min_free_bytes) = 0;
  // Work on this connection still running past `deadline` (a query, or a wait for another
  // writer) stops with kUnavailable; nullopt lifts it. The server bounds each request with it;
  // any thread may call it, to stop work in flight.
  virtual void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) = 0;

  // A number that changes whenever anything, in this process or another, changed the store:
  // answers cached under one version are current while it holds.
  virtual Result<int64_t> DataVersion() = 0;
};

enum class OpenMode {
  kCreate,     // create the store if it does not exist (ingestion)
  kMustExist,  // fail with kNotFound if it does not (queries: a mistyped path is an error)
};

// Opens the store named by `url`: "sqlite:PATH" (a plain path also means SQLite) or
// "clickhouse://HOST:PORT[,...]/DATABASE[?cluster=...]" (docs/store.md).
// Errors: kInvalidArgument for an unknown scheme; kNotFound (kMustExist, no store there);
// kIoError when it cannot be opened; kFailedPrecondition when its schema is newer than this
// binary.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, OpenMode mode = OpenMode::kCreate);

}  // namespace tally
