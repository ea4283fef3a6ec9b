// Answers a CostQuery from the SQLite store: one scan of cost_lines summing the metric per
// series (and per charge period when grouped by it), then the few distinct series are turned
// into group values through the dict. Work is proportional to the lines scanned plus the
// distinct series, never to the text of the dimensions.
//
// Stateless. Runs on the caller's connection; not thread-safe.
#pragma once

#include "store/sqlite/sqlite_db.h"
#include "tally/cost_query.h"

namespace tally::sqlite {

Result<CostTable> QueryCosts(SqliteDb* db, const CostQuery& query);

}  // namespace tally::sqlite
