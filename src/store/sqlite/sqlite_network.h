// Network data in the SQLite store (docs/network.md):
//   flow_files, flows   the flows of each flow log file, aggregated per hour, interface, source,
//                       destination, class and consumer; storing a file again replaces it
//   usage_addresses     the addresses consumers held, per usage source and hour (replaced with
//                       the source's hours, like its facts)
//
// Stateless. Runs on the caller's connection; the caller holds the transaction where noted.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "tally/network.h"
#include "tally/usage.h"

namespace tally::sqlite {

// In the caller's transaction: replaces the source's addresses in the batch's hours.
Status ReplaceAddresses(SqliteDb* db, int64_t source_id, const UsageBatch& batch,
                        std::span<const int64_t> consumer_ids);
// Every address held in an hour of `window`, with its consumer's name: by hour and address,
// pods' before nodes', then by name.
Result<std::vector<NetworkAddress>> ListAddresses(SqliteDb* db, TimeWindow window);

// Replaces the files' flows, in one transaction. Returns the hours whose flows changed (the
// files' earlier hours and their new ones), ascending.
Result<std::vector<Timestamp>> StoreFlowFiles(SqliteDb* db, std::span<const FlowFile> files);
// Every stored flow row with an hour in [from, to) (either end may be open), per file: two
// files of one hour may give rows with the same keys, which callers sum.
Status ScanFlows(SqliteDb* db, std::optional<Timestamp> from, std::optional<Timestamp> to,
                 const std::function<Status(const FlowAggregate&)>& each);

}  // namespace tally::sqlite
