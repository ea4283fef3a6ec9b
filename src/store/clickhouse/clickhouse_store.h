// ClickHouseStore: the Store on a ClickHouse server or cluster (docs/store.md, "ClickHouse").
// The cost lines and the allocation rows, what grows with the bills and the platform, live in
// ClickHouse (clickhouse_schema.h), written per shard and read through Distributed tables. The
// small mutable state lives in a SQLite companion, with the SQLite store's schema and code: the
// ingest log and diagnostics, billing partitions and allocated hours with their live runs, each
// hour's bill and digest, and (for now) the usage facts, alerts, recommendations, tokens, the
// audit log and policy state. What reads cost lines or allocation rows reads them from
// ClickHouse: cost scans, allocation's bill lines, the data window, unallocated hours,
// showback's sums.
//
// Owns its connections. Use from one thread at a time.
#pragma once

#include <memory>

#include "store/clickhouse/clickhouse_client.h"
#include "store/sqlite/sqlite_store.h"
#include "tally/store.h"

namespace tally::clickhouse {

class ClickHouseStore final : public Store {
 public:
  // Opens the companion; when `create`, creates it and the tables where missing and checks the
  // cluster. Errors: kNotFound (no companion and !create), the client's, the companion's.
  static Result<std::unique_ptr<ClickHouseStore>> Open(const ClickHouseUrl& url, bool create);

  // On ClickHouse.
  Result<std::unique_ptr<CostIngest>> BeginCostIngest(const IngestRun& run) override;
  Result<CostCells> ScanCosts(const CostQuery& query) override;
  Result<std::optional<TimeWindow>> DataWindow() override;
  Result<AllocationInputs> LoadAllocationInputs(TimeWindow window) override;
  Result<std::vector<Timestamp>> UnallocatedBillHours(std::optional<Timestamp> from,
                                                      std::optional<Timestamp> to) override;
  Status StoreAllocations(std::span<const AllocatedHour> hours, std::string_view digest) override;
  Result<ShowbackTable> SumAllocations(const AllocationScan& scan) override;
  Status CheckWritable(uint64_t min_free_bytes) override;
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) override;

  // In the companion.
  Result<std::vector<IngestRecord>> ListIngests(int64_t limit) override {
    return companion_->ListIngests(limit);
  }
  Result<std::vector<Diagnostic>> ListDiagnostics(const DiagnosticQuery& query) override {
    return companion_->ListDiagnostics(query);
  }
  Result<UsageCommit> StoreUsage(std::span<const UsageBatch> batches) override {
    return companion_->StoreUsage(batches);
  }
  Result<UsageCommit> StoreUsageStream(
      const std::function<Result<bool>(UsageBatch*)>& next) override {
    return companion_->StoreUsageStream(next);
  }
  Result<std::vector<Timestamp>> CompleteUsageHours(std::string_view source,
                                                    TimeWindow window) override {
    return companion_->CompleteUsageHours(source, window);
  }
  Status RecordUsageRun(std::string_view source, Timestamp at, std::string_view error) override {
    return companion_->RecordUsageRun(source, at, error);
  }
  Result<std::vector<UsageSourceRecord>> ListUsageSources() override {
    return companion_->ListUsageSources();
  }
  Status ScanUsageFacts(FactKind kind, std::optional<Timestamp> from, std::optional<Timestamp> to,
                        const std::optional<std::string>& resource,
                        const std::function<Status(const UsageFactView&)>& each) override {
    return companion_->ScanUsageFacts(kind, from, to, resource, each);
  }
  Result<std::vector<AssetRecord>> ListAssets(std::optional<Timestamp> from,
                                              std::optional<Timestamp> to) override {
    return companion_->ListAssets(from, to);
  }
  Result<int64_t> StoreGpuReadings(std::span<const GpuDevice> devices,
                                   Timestamp default_time) override {
    return companion_->StoreGpuReadings(devices, default_time);
  }
  Result<std::vector<GpuDevice>> ListGpuDevices() override { return companion_->ListGpuDevices(); }
  Result<std::vector<Timestamp>> StoreFlowFiles(std::span<const FlowFile> files) override {
    return companion_->StoreFlowFiles(files);
  }
  Status ScanFlows(std::optional<Timestamp> from, std::optional<Timestamp> to,
                   const std::function<Status(const FlowAggregate&)>& each) override {
    return companion_->ScanFlows(from, to, each);
  }
  Result<std::vector<NetworkAddress>> ListAddresses(TimeWindow window) override {
    return companion_->ListAddresses(window);
  }
  Result<std::vector<Timestamp>> HoursToAllocate(TimeWindow window,
                                                 std::string_view digest) override {
    return companion_->HoursToAllocate(window, digest);
  }
  Status ForEachUsageHour(
      std::span<const Timestamp> hours, const AllocationInputs& inputs,
      const std::function<Status(Timestamp, std::span<const UsageFact>,
                                 std::span<const CapacityFact>)>& each) override {
    return companion_->ForEachUsageHour(hours, inputs, each);
  }
  Result<AllocationParties> ListParties() override { return companion_->ListParties(); }
  Result<std::vector<SourceBill>> ListBills(std::optional<Timestamp> from,
                                            std::optional<Timestamp> to) override {
    return companion_->ListBills(from, to);
  }
  Result<int64_t> DataVersion() override { return companion_->DataVersion(); }
  Result<AllocationStatus> GetAllocationStatus() override {
    return companion_->GetAllocationStatus();
  }
  Result<int64_t> SaveAnomalies(std::span<const AnomalyRecord> anomalies) override {
    return companion_->SaveAnomalies(anomalies);
  }
  Result<int64_t> SaveRecommendations(std::span<const RecommendationRecord> seen) override {
    return companion_->SaveRecommendations(seen);
  }
  Result<std::vector<RecommendationRecord>> ListRecommendations(std::string_view state) override {
    return companion_->ListRecommendations(state);
  }
  Status ArchiveRecommendation(std::string_view id, std::string_view state, std::string_view reason,
                               std::optional<Decimal> realized, Timestamp at) override {
    return companion_->ArchiveRecommendation(id, state, reason, realized, at);
  }
  Result<std::vector<AnomalyRecord>> ListAnomalies(std::optional<Timestamp> from,
                                                   std::optional<Timestamp> to) override {
    return companion_->ListAnomalies(from, to);
  }
  Status SetAnomalyState(std::string_view id, std::string_view state, Timestamp at) override {
    return companion_->SetAnomalyState(id, state, at);
  }
  Result<bool> WasSent(std::string_view alert, std::string_view receiver) override {
    return companion_->WasSent(alert, receiver);
  }
  Result<bool> ClaimNotification(std::string_view alert, std::string_view receiver, Timestamp now,
                                 int64_t stale_seconds) override {
    return companion_->ClaimNotification(alert, receiver, now, stale_seconds);
  }
  Status RecordNotification(const NotificationRecord& record) override {
    return companion_->RecordNotification(record);
  }
  Result<std::vector<NotificationRecord>> ListNotifications(int64_t limit) override {
    return companion_->ListNotifications(limit);
  }

 private:
  ClickHouseStore(std::unique_ptr<ClickHouseClient> client,
                  std::unique_ptr<sqlite::SqliteStore> companion)
      : client_(std::move(client)), companion_(std::move(companion)) {}

  std::unique_ptr<ClickHouseClient> client_;
  std::unique_ptr<sqlite::SqliteStore> companion_;
};

}  // namespace tally::clickhouse
