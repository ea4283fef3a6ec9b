#include "store/sqlite/sqlite_store.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_allocation.h"
#include "store/sqlite/sqlite_cost_ingest.h"
#include "store/sqlite/sqlite_cost_scan.h"
#include "store/sqlite/sqlite_gpu.h"
#include "store/sqlite/sqlite_network.h"
#include "store/sqlite/sqlite_usage.h"

namespace tally::sqlite {

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path));
  TALLY_RETURN_IF_ERROR(Migrate(db.get()));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

Result<std::unique_ptr<CostIngest>> SqliteStore::BeginCostIngest(const IngestRun& run) {
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<SqliteCostIngest> ingest,
                         SqliteCostIngest::Begin(db_.get(), run));
  return std::unique_ptr<CostIngest>(std::move(ingest));
}

Result<CostCells> SqliteStore::ScanCosts(const CostQuery& query) {
  return sqlite::ScanCosts(db_.get(), query);
}

Result<UsageCommit> SqliteStore::StoreUsage(std::span<const UsageBatch> batches) {
  return StoreUsageBatches(db_.get(), batches);
}

Result<UsageCommit> SqliteStore::StoreUsageStream(
    const std::function<Result<bool>(UsageBatch*)>& next) {
  return sqlite::StoreUsageStream(db_.get(), next);
}

Result<std::vector<Timestamp>> SqliteStore::CompleteUsageHours(std::string_view source,
                                                               TimeWindow window) {
  return sqlite::CompleteUsageHours(db_.get(), source, window);
}

Status SqliteStore::RecordUsageRun(std::string_view source, Timestamp at, std::string_view error) {
  return sqlite::RecordUsageRun(db_.get(), source, at, error);
}

Result<std::vector<UsageSourceRecord>> SqliteStore::ListUsageSources() {
  return sqlite::ListUsageSources(db_.get());
}

Status SqliteStore::ScanUsageFacts(FactKind kind, std::optional<Timestamp> from,
                                   std::optional<Timestamp> to,
                                   const std::optional<std::string>& resource,
                                   const std::function<Status(const UsageFactView&)>& each) {
  return sqlite::ScanUsageFacts(db_.get(), kind, from, to, resource, each);
}


Result<std::vector<AssetRecord>> SqliteStore::ListAssets(std::optional<Timestamp> from,
                                                         std::optional<Timestamp> to) {
  return sqlite::ListAssets(db_.get(), from, to);
}

Result<std::vector<Timestamp>> SqliteStore::StoreFlowFiles(std::span<const FlowFile> files) {
  return sqlite::StoreFlowFiles(db_.get(), files);
}

Status SqliteStore::ScanFlows(std::optional<Timestamp> from, std::optional<Timestamp> to,
                              const std::function<Status(const FlowAggregate&)>& each) {
  return sqlite::ScanFlows(db_.get(), from, to, each);
}

Result<std::vector<NetworkAddress>> SqliteStore::ListAddresses(TimeWindow window) {
  return sqlite::ListAddresses(db_.get(), window);
}

Result<std::optional<TimeWindow>> SqliteStore::DataWindow() {
  return sqlite::DataWindow(db_.get());
}

Result<std::vector<Timestamp>> SqliteStore::HoursToAllocate(TimeWindow window,
                                                            std::string_view digest) {
  return sqlite::HoursToAllocate(db_.get(), window, digest);
}

Result<AllocationInputs> SqliteStore::LoadAllocationInputs(TimeWindow window) {
  return sqlite::LoadAllocationInputs(db_.get(), window);
}

Status SqliteStore::ForEachUsageHour(
    std::span<const Timestamp> hours, const AllocationInputs& inputs,
    const std::function<Status(Timestamp, std::span<const UsageFact>,
                               std::span<const CapacityFact>)>& each) {
  return sqlite::ForEachUsageHour(db_.get(), hours, inputs, each);
}

Status SqliteStore::StoreAllocations(std::span<const AllocatedHour> hours,
                                     std::string_view digest) {
  return sqlite::StoreAllocations(db_.get(), hours, digest);
}

Result<int64_t> SqliteStore::StoreGpuReadings(std::span<const GpuDevice> devices,
                                              Timestamp default_time) {
  return sqlite::StoreGpuReadings(db_.get(), devices, default_time);
}

Result<std::vector<GpuDevice>> SqliteStore::ListGpuDevices() {
  return sqlite::ListGpuDevices(db_.get());
}

Result<ShowbackTable> SqliteStore::SumAllocations(const AllocationScan& scan) {
  return sqlite::SumAllocations(db_.get(), scan);
}

Result<AllocationParties> SqliteStore::ListParties() {
  AllocationParties parties;
  TALLY_ASSIGN_OR_RETURN(auto consumers, LoadConsumers(db_.get()));
  for (auto& [id, c] : consumers) parties.consumers.push_back(std::move(c));
  TALLY_ASSIGN_OR_RETURN(auto assets, LoadAssets(db_.get()));
  for (auto& [id, a] : assets) parties.assets.push_back(std::move(a));
  return parties;
}

Result<AllocationStatus> SqliteStore::GetAllocationStatus() {
  return sqlite::GetAllocationStatus(db_.get());
}

Status SqliteStore::CheckWritable(uint64_t min_free_bytes) {
  const std::string& path = db_->path();
  if (path.empty() || path == ":memory:") return Status::Ok();
  if (::access(path.c_str(), W_OK) != 0) {
    return Unavailable("sqlite:" + path + ": not writable: " + std::strerror(errno));
  }
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0) {
    return Unavailable("sqlite:" + path + ": " + std::strerror(errno));
  }
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes < min_free_bytes) {
    return Unavailable("sqlite:" + path + ": the disk is almost full (" +
                       std::to_string(free_bytes >> 20) + " MiB free, " +
                       std::to_string(min_free_bytes >> 20) + " MiB needed)");
  }
  return Status::Ok();
}

Result<int64_t> SqliteStore::DataVersion() {
  // data_version moves when another connection commits; total_changes() counts this one's.
  TALLY_ASSIGN_OR_RETURN(Statement q, db_->Prepare("PRAGMA data_version"));
  TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
  const int64_t others = row ? q.Int(0) : 0;
  return (others << 32) ^ db_->TotalChanges();
}

Result<std::vector<SourceBill>> SqliteStore::ListBills(std::optional<Timestamp> from,
                                                       std::optional<Timestamp> to) {
  return sqlite::ListBills(db_.get(), from, to);
}

Result<std::vector<Timestamp>> SqliteStore::UnallocatedBillHours(std::optional<Timestamp> from,
                                                                 std::optional<Timestamp> to) {
  return sqlite::UnallocatedBillHours(db_.get(), from, to);
}

}  // namespace tally::sqlite
