// Series columns: every dimension of cost_series (as dict ids) and its billing period bounds
// (unix seconds), kept column by column in blocks of kSeriesBlock series ids (table
// cost_series_columns). A cost report reads the two or three columns it needs for every series
// in a few rows, instead of stepping through tens of thousands of 50-column rows.
//
// Derived from cost_series' keys (series_key.h): an ingest run that added series rewrites the
// blocks holding them, in its own transaction. Block encoding: one varint per series id from the
// block's first id on, 0 for null, else the zigzag value plus one; zstd-compressed.
//
// Stateless. Runs on the caller's connection.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_db.h"

namespace tally::sqlite {

inline constexpr int64_t kSeriesBlock = 4096;
// A null value in a column read back.
inline constexpr int64_t kNullValue = INT64_MIN;

// Rewrites the blocks that hold series ids >= first_id.
Status WriteSeriesColumns(SqliteDb* db, int64_t first_id);

// Column `name` of cost_series (a dimension, BillingPeriodStart or BillingPeriodEnd) for series
// ids 0 up to the largest stored: index = series id. Errors: kInternal for a corrupt block.
Result<std::vector<int64_t>> ReadSeriesColumn(SqliteDb* db, std::string_view name);

}  // namespace tally::sqlite
