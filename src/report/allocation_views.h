// The shapes allocation results take in every output, shared by the command line and the API so
// both always show the same figures.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "report/record_table.h"
#include "tally/allocation.h"

namespace tally {

// {"rows":[{<key>: ..., "cost": "..."}], "total": "..."}; money as exact decimal strings.
nlohmann::ordered_json ShowbackJson(const ShowbackTable& table);

// Per source, then TOTAL of the billed sources: bill, allocated, idle, unallocated, difference.
// The source "estimate" (cost estimated at reference prices) has its row but is not in TOTAL.
RecordTable ReconcileRecordTable(const std::vector<ReconcileRow>& rows);

}  // namespace tally
