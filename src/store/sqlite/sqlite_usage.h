// Usage and capacity facts in the SQLite store: storing a source's batch (replacing its hours),
// the source's complete hours and run log, and grouped usage queries.
#pragma once

#include <functional>

#include <span>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "tally/usage.h"
#include "tally/usage_query.h"

namespace tally::sqlite {

// Every consumer and asset in the store, with its id.
Result<std::vector<std::pair<int64_t, Consumer>>> LoadConsumers(SqliteDb* db);
Result<std::vector<std::pair<int64_t, Asset>>> LoadAssets(SqliteDb* db);

Result<UsageCommit> StoreUsageBatches(SqliteDb* db, std::span<const UsageBatch> batches);
// Stores each batch `next` fills until it returns false, in one transaction.
Result<UsageCommit> StoreUsageStream(SqliteDb* db,
                                     const std::function<Result<bool>(UsageBatch*)>& next);
Result<std::vector<Timestamp>> CompleteUsageHours(SqliteDb* db, std::string_view source,
                                                  TimeWindow window);
Status RecordUsageRun(SqliteDb* db, std::string_view source, Timestamp at, std::string_view error);
Result<std::vector<UsageSourceRecord>> ListUsageSources(SqliteDb* db);
Status ScanUsageFacts(SqliteDb* db, FactKind kind, std::optional<Timestamp> from,
                      std::optional<Timestamp> to, const std::optional<std::string>& resource,
                      const std::function<Status(const UsageFactView&)>& each);
Result<std::vector<AssetRecord>> ListAssets(SqliteDb* db, std::optional<Timestamp> from,
                                            std::optional<Timestamp> to);

}  // namespace tally::sqlite
