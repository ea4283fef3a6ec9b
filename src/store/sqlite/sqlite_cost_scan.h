// Answers a CostQuery from the SQLite store with CostCells: the metric summed per series and
// period, the series then turned into key values through the dict (and filtered by the query's
// `where`), and cells with equal key values, period and currency added up. Whole months and days
// of the window are read from the rollup (cost_rollup.h), only the hours at its edges from the
// line blocks (line_blocks.h); groupings the rollup cannot answer (ChargePeriodStart or
// ChargePeriodEnd, provider columns kept per line, a step of an hour) scan the lines. Work is
// proportional to the rollup rows or lines read plus the distinct series, never to the text of
// the dimensions. Grouping into rows, ordering, --top and totals are the report's
// (report/cost_report.h).
//
// Stateless. Runs on the caller's connection; not thread-safe.
#pragma once

#include "store/sqlite/sqlite_db.h"
#include "tally/cost_query.h"

namespace tally::sqlite {

// Errors: kInvalidArgument for a `where` on a column kept per line, or a sum that overflows.
Result<CostCells> ScanCosts(SqliteDb* db, const CostQuery& query);

}  // namespace tally::sqlite
