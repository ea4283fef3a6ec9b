// Reading the cost lines on ClickHouse: what the live runs are (from the companion), the
// CostStore scan, and the bill lines, spans and charge periods allocation reads. Every query goes
// to the first endpoint, through cost_lines, and keeps only each partition's live run without
// its abandoned files.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/clickhouse/clickhouse_client.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/allocation.h"
#include "tally/cost_query.h"

namespace tally::clickhouse {

// The rows readers see: (partition, run) live, less (run, file) abandoned.
struct LiveRuns {
  std::vector<std::pair<int64_t, int64_t>> partitions;
  std::vector<std::pair<int64_t, int64_t>> abandoned;
  // The WHERE condition that keeps them (never empty: "0" when nothing is live).
  std::string Condition() const;
};
Result<LiveRuns> LoadLiveRuns(sqlite::SqliteDb* companion);

// CostStore::ScanCosts, with the SQLite store's semantics (sqlite_cost_scan.h): the metric
// summed per key values, period of ChargePeriodStart and currency; lines counted with or
// without the metric; a window keeps dated lines only; tags and extra columns null when absent.
Result<CostCells> ScanCosts(ClickHouseClient* client, sqlite::SqliteDb* companion,
                            const CostQuery& query);

// The lines overlapping `window` that have an EffectiveCost, as allocation reads them.
Result<std::vector<AllocationCostLine>> LoadBillLines(ClickHouseClient* client,
                                                      const LiveRuns& live, TimeWindow window);

// The smallest ChargePeriodStart and largest ChargePeriodEnd of the live lines (nullopt: none).
Result<std::optional<std::pair<int64_t, int64_t>>> ChargeSpan(ClickHouseClient* client,
                                                              const LiveRuns& live);

// The distinct charge periods of the live lines overlapping [lo, hi).
Result<std::set<std::pair<int64_t, int64_t>>> ChargePeriods(ClickHouseClient* client,
                                                            const LiveRuns& live, int64_t lo,
                                                            int64_t hi);

}  // namespace tally::clickhouse
