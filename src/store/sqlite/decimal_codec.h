// How the SQLite store keeps a Decimal: an INTEGER of raw units (1e-18) when it fits in 64
// bits, otherwise a 16-byte big-endian two's-complement BLOB; NULL for null. Exact both ways.
//
// Pure functions. Thread-safe.
#pragma once

#include <array>
#include <optional>

#include "store/sqlite/sqlite_db.h"
#include "tally/decimal.h"

namespace tally::sqlite {

using DecimalBlob = std::array<unsigned char, 16>;

// Binds `value` to parameter `i`; `scratch` holds the BLOB bytes until the statement steps.
void BindDecimal(Statement* stmt, int i, const std::optional<Decimal>& value, DecimalBlob* scratch);

// Reads column `i`. Errors: kInternal for a value this codec did not write.
Result<std::optional<Decimal>> ColumnDecimal(const Statement& stmt, int i);

// A decimal the small state tables (anomalies, recommendations) keep as text, as they print it;
// 0 for text that is not one (never written by tally).
Decimal DecimalFromText(std::string_view text);

}  // namespace tally::sqlite
