#include "store/clickhouse/clickhouse_store.h"

#include <filesystem>

#include "store/clickhouse/clickhouse_allocations.h"
#include "store/clickhouse/clickhouse_cost_ingest.h"
#include "store/clickhouse/clickhouse_cost_scan.h"
#include "store/clickhouse/clickhouse_schema.h"
#include "store/sqlite/sqlite_allocation.h"

namespace tally::clickhouse {

Result<std::unique_ptr<ClickHouseStore>> ClickHouseStore::Open(const ClickHouseUrl& url,
                                                               bool create) {
  std::error_code ec;
  if (!create && !std::filesystem::exists(url.companion, ec)) {
    return NotFound("no store at " + url.Redacted() + ": its companion " + url.companion +
                    " does not exist (ingest something first, or pass companion=PATH)");
  }
  auto client = std::make_unique<ClickHouseClient>(url);
  // Writers make sure the tables exist; a reader of an existing store needs no round trips for
  // it (a report's process pays its own start-up).
  if (create) TALLY_RETURN_IF_ERROR(CreateSchema(client.get()));
  TALLY_ASSIGN_OR_RETURN(auto companion, sqlite::SqliteStore::Open(url.companion));
  TALLY_RETURN_IF_ERROR(CreateCompanionTables(companion->db()));
  return std::unique_ptr<ClickHouseStore>(
      new ClickHouseStore(std::move(client), std::move(companion)));
}

Result<std::unique_ptr<CostIngest>> ClickHouseStore::BeginCostIngest(const IngestRun& run) {
  TALLY_ASSIGN_OR_RETURN(auto ingest,
                         ClickHouseCostIngest::Begin(client_.get(), companion_->db(), run));
  return std::unique_ptr<CostIngest>(std::move(ingest));
}

Result<CostCells> ClickHouseStore::ScanCosts(const CostQuery& query) {
  return clickhouse::ScanCosts(client_.get(), companion_->db(), query);
}

Result<std::optional<TimeWindow>> ClickHouseStore::DataWindow() {
  TALLY_ASSIGN_OR_RETURN(std::optional<TimeWindow> usage, companion_->DataWindow());
  TALLY_ASSIGN_OR_RETURN(LiveRuns live, LoadLiveRuns(companion_->db()));
  TALLY_ASSIGN_OR_RETURN(auto span, ChargeSpan(client_.get(), live));
  if (!span) return usage;
  // As the SQLite store: the start down to its hour, the end up to the next.
  const Timestamp start = Timestamp::FromUnixSeconds(span->first).StartOfHour();
  Timestamp end = Timestamp::FromUnixSeconds(span->second);
  if (end != end.StartOfHour())
    end = Timestamp::FromUnixSeconds(end.StartOfHour().unix_seconds() + 3600);
  if (!usage) return std::optional<TimeWindow>(TimeWindow{start, end});
  return std::optional<TimeWindow>(
      TimeWindow{std::min(start, usage->start), std::max(end, usage->end)});
}

Result<AllocationInputs> ClickHouseStore::LoadAllocationInputs(TimeWindow window) {
  TALLY_ASSIGN_OR_RETURN(AllocationInputs inputs, companion_->LoadAllocationInputs(window));
  TALLY_ASSIGN_OR_RETURN(LiveRuns live, LoadLiveRuns(companion_->db()));
  TALLY_ASSIGN_OR_RETURN(inputs.lines, LoadBillLines(client_.get(), live, window));
  return inputs;
}

Result<std::vector<Timestamp>> ClickHouseStore::UnallocatedBillHours(std::optional<Timestamp> from,
                                                                     std::optional<Timestamp> to) {
  TALLY_ASSIGN_OR_RETURN(LiveRuns live, LoadLiveRuns(companion_->db()));
  TALLY_ASSIGN_OR_RETURN(auto periods,
                         ChargePeriods(client_.get(), live, from ? from->unix_seconds() : INT64_MIN,
                                       to ? to->unix_seconds() : INT64_MAX));
  return sqlite::UnallocatedBillHours(companion_->db(), from, to, &periods);
}

Status ClickHouseStore::StoreAllocations(std::span<const AllocatedHour> hours,
                                         std::string_view digest) {
  return clickhouse::StoreAllocations(client_.get(), companion_->db(), hours, digest);
}

Result<ShowbackTable> ClickHouseStore::SumAllocations(const AllocationScan& scan) {
  return clickhouse::SumAllocations(client_.get(), companion_->db(), scan);
}

Status ClickHouseStore::CheckWritable(uint64_t min_free_bytes) {
  TALLY_RETURN_IF_ERROR(companion_->CheckWritable(min_free_bytes));
  for (size_t shard = 0; shard < client_->shards(); ++shard) {
    TALLY_RETURN_IF_ERROR(client_->Query(shard, "SELECT 1").status());
  }
  return Status::Ok();
}

void ClickHouseStore::SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  companion_->SetDeadline(deadline);
  client_->SetDeadline(deadline);
}

}  // namespace tally::clickhouse
