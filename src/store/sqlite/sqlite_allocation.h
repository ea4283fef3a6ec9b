// Allocation in the SQLite store: what allocation reads (consumers, assets, bill lines, usage
// per hour), what it writes (rows, bills, digests per hour), which hours need it, and the sums
// and bills that showback and reconciliation read.
#pragma once

#include <set>
#include <utility>

#include <functional>
#include <span>

#include "store/sqlite/sqlite_db.h"
#include "tally/allocation.h"

namespace tally::sqlite {

Result<std::optional<TimeWindow>> DataWindow(SqliteDb* db);
Result<std::vector<Timestamp>> HoursToAllocate(SqliteDb* db, TimeWindow window,
                                               std::string_view digest);
Result<AllocationInputs> LoadAllocationInputs(SqliteDb* db, TimeWindow window);
Status ForEachUsageHour(SqliteDb* db, std::span<const Timestamp> hours,
                        const AllocationInputs& inputs,
                        const std::function<Status(Timestamp, std::span<const UsageFact>,
                                                   std::span<const CapacityFact>)>& each);
Status StoreAllocations(SqliteDb* db, std::span<const AllocatedHour> hours,
                        std::string_view digest);
// The same inside the caller's transaction; without `rows`, only each hour's bill, digest and
// cleared dirty mark (another backend keeps the rows: the ClickHouse store).
Status StoreAllocationsIn(SqliteDb* db, std::span<const AllocatedHour> hours,
                          std::string_view digest, bool rows);
Result<ShowbackTable> SumAllocations(SqliteDb* db, const AllocationScan& scan);
Result<AllocationStatus> GetAllocationStatus(SqliteDb* db);
// The bill's hours of [from, to) not allocated, or dirty; the bill's charge periods are read
// from the stored lines unless given (another backend keeps the lines).
Result<std::vector<Timestamp>> UnallocatedBillHours(
    SqliteDb* db, std::optional<Timestamp> from, std::optional<Timestamp> to,
    const std::set<std::pair<int64_t, int64_t>>* bill_periods = nullptr);
Result<std::vector<SourceBill>> ListBills(SqliteDb* db, std::optional<Timestamp> from,
                                          std::optional<Timestamp> to);

}  // namespace tally::sqlite
