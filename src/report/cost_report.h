// The cost report (`tally costs`, GET /api/v1/costs): the store's cells grouped by their key
// values and period, each group's rows ordered by its cost over the whole window (descending),
// the `top` costliest groups kept and the rest summed per period into one (other) row. Totals
// are the exact sum of the cells.
//
// Pure functions. Thread-safe.
#pragma once

#include "tally/cost_query.h"
#include "tally/result.h"
#include "tally/store.h"

namespace tally {

// Errors: kInvalidArgument when a sum overflows.
Result<CostTable> BuildCostTable(const CostQuery& query, const CostCells& cells);

// Scans the store and builds the report. Errors: the store's, BuildCostTable's.
Result<CostTable> QueryCostTable(CostStore* store, const CostQuery& query);

}  // namespace tally
