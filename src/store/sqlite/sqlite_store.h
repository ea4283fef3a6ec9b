// SqliteStore: the embedded store, one SQLite database file in WAL mode. See schema.h for the
// tables and docs/store.md for why they look the way they do.
//
// Owns its connection. Use from one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "store/sqlite/sqlite_db.h"
#include "tally/store.h"

namespace tally::sqlite {

class SqliteStore final : public Store {
 public:
  // Opens or creates the database at `path` and migrates it to the current schema.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  // The connection, for the ClickHouse store, which keeps its small state in a SQLite
  // companion (store/clickhouse/clickhouse_store.h).
  SqliteDb* db() { return db_.get(); }

  Result<std::unique_ptr<CostIngest>> BeginCostIngest(const IngestRun& run) override;
  Result<CostCells> ScanCosts(const CostQuery& query) override;
  Result<std::vector<IngestRecord>> ListIngests(int64_t limit) override;
  Result<std::vector<Diagnostic>> ListDiagnostics(const DiagnosticQuery& query) override;
  Result<UsageCommit> StoreUsage(std::span<const UsageBatch> batches) override;
  Result<UsageCommit> StoreUsageStream(
      const std::function<Result<bool>(UsageBatch*)>& next) override;
  Result<std::vector<Timestamp>> CompleteUsageHours(std::string_view source,
                                                    TimeWindow window) override;
  Status RecordUsageRun(std::string_view source, Timestamp at, std::string_view error) override;
  Result<std::vector<UsageSourceRecord>> ListUsageSources() override;
  Status ScanUsageFacts(FactKind kind, std::optional<Timestamp> from,
                        std::optional<Timestamp> to, const std::optional<std::string>& resource,
                        const std::function<Status(const UsageFactView&)>& each) override;
  Result<std::vector<AssetRecord>> ListAssets(std::optional<Timestamp> from,
                                              std::optional<Timestamp> to) override;
  Result<int64_t> StoreGpuReadings(std::span<const GpuDevice> devices,
                                   Timestamp default_time) override;
  Result<std::vector<GpuDevice>> ListGpuDevices() override;
  Result<std::vector<Timestamp>> StoreFlowFiles(std::span<const FlowFile> files) override;
  Status ScanFlows(std::optional<Timestamp> from, std::optional<Timestamp> to,
                   const std::function<Status(const FlowAggregate&)>& each) override;
  Result<std::vector<NetworkAddress>> ListAddresses(TimeWindow window) override;
  Result<std::optional<TimeWindow>> DataWindow() override;
  Result<std::vector<Timestamp>> HoursToAllocate(TimeWindow window,
                                                 std::string_view digest) override;
  Result<AllocationInputs> LoadAllocationInputs(TimeWindow window) override;
  Status ForEachUsageHour(
      std::span<const Timestamp> hours, const AllocationInputs& inputs,
      const std::function<Status(Timestamp, std::span<const UsageFact>,
                                 std::span<const CapacityFact>)>& each) override;
  Status StoreAllocations(std::span<const AllocatedHour> hours, std::string_view digest) override;
  Result<ShowbackTable> SumAllocations(const AllocationScan& scan) override;
  Result<AllocationParties> ListParties() override;
  Result<std::vector<SourceBill>> ListBills(std::optional<Timestamp> from,
                                            std::optional<Timestamp> to) override;
  Result<std::vector<Timestamp>> UnallocatedBillHours(std::optional<Timestamp> from,
                                                      std::optional<Timestamp> to) override;
  Result<int64_t> DataVersion() override;
  Status CheckWritable(uint64_t min_free_bytes) override;
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) override {
    db_->SetDeadline(deadline);
  }
  Result<AllocationStatus> GetAllocationStatus() override;
  Result<int64_t> SaveAnomalies(std::span<const AnomalyRecord> anomalies) override;
  // sqlite_recommendations.cc
  Result<int64_t> SaveRecommendations(std::span<const RecommendationRecord> seen) override;
  Result<std::vector<RecommendationRecord>> ListRecommendations(std::string_view state) override;
  Status ArchiveRecommendation(std::string_view id, std::string_view state,
                               std::string_view reason, std::optional<Decimal> realized,
                               Timestamp at) override;
  Result<std::vector<AnomalyRecord>> ListAnomalies(std::optional<Timestamp> from,
                                                   std::optional<Timestamp> to) override;
  Status SetAnomalyState(std::string_view id, std::string_view state, Timestamp at) override;
  Result<bool> WasSent(std::string_view alert, std::string_view receiver) override;
  Result<bool> ClaimNotification(std::string_view alert, std::string_view receiver, Timestamp now,
                                 int64_t stale_seconds) override;
  Status RecordNotification(const NotificationRecord& record) override;
  Result<std::vector<NotificationRecord>> ListNotifications(int64_t limit) override;

 private:
  explicit SqliteStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace tally::sqlite
