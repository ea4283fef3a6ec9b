// Allocation rows on ClickHouse (AllocationStore::StoreAllocations and SumAllocations). A store
// call claims a run id in the companion, writes each hour's rows under it to the hour's shard,
// then, in one companion transaction, records each hour's bill, digest and cleared dirty mark
// (the SQLite store's bookkeeping, sqlite_allocation.h) and switches the hours to the run
// (clickhouse_allocation_runs). Readers keep each hour's live run only; the replaced run's rows
// are deleted after the switch. A call that dies before the switch leaves rows no reader sees.
#pragma once

#include <span>
#include <string_view>

#include "store/clickhouse/clickhouse_client.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/allocation.h"
#include "tally/showback.h"

namespace tally::clickhouse {

Status StoreAllocations(ClickHouseClient* client, sqlite::SqliteDb* companion,
                        std::span<const AllocatedHour> hours, std::string_view digest);

// The rows of the live runs summed per distinct value of the scan's columns (the SQLite
// store's semantics: quantities per resource where any row had one, hours from the companion).
Result<ShowbackTable> SumAllocations(ClickHouseClient* client, sqlite::SqliteDb* companion,
                                     const AllocationScan& scan);

}  // namespace tally::clickhouse
