#include "store/sqlite/decimal_codec.h"

#include <limits>

namespace tally::sqlite {

void BindDecimal(Statement* stmt, int i, const std::optional<Decimal>& value,
                 DecimalBlob* scratch) {
  if (!value) {
    stmt->BindNull(i);
    return;
  }
  const Decimal::Raw raw = value->raw();
  if (raw >= std::numeric_limits<int64_t>::min() && raw <= std::numeric_limits<int64_t>::max()) {
    stmt->BindInt(i, static_cast<int64_t>(raw));
    return;
  }
  auto bits = static_cast<unsigned __int128>(raw);
  for (int k = 15; k >= 0; --k) {
    (*scratch)[static_cast<size_t>(k)] = static_cast<unsigned char>(bits & 0xFF);
    bits >>= 8;
  }
  stmt->BindBlob(i, scratch->data(), static_cast<int>(scratch->size()));
}

Result<std::optional<Decimal>> ColumnDecimal(const Statement& stmt, int i) {
  switch (stmt.Type(i)) {
    case SQLITE_NULL:
      return std::optional<Decimal>();
    case SQLITE_INTEGER:
      return std::optional<Decimal>(Decimal::FromRaw(stmt.Int(i)));
    case SQLITE_BLOB: {
      std::string_view blob = stmt.Blob(i);
      if (blob.size() != 16) break;
      unsigned __int128 bits = 0;
      for (unsigned char byte : blob) bits = (bits << 8) | byte;
      return std::optional<Decimal>(Decimal::FromRaw(static_cast<Decimal::Raw>(bits)));
    }
    default:
      break;
  }
  return Internal("sqlite: a decimal column holds a value tally did not write");
}

Decimal DecimalFromText(std::string_view text) {
  auto d = Decimal::Parse(text);
  return d.ok() ? *d : Decimal();
}

}  // namespace tally::sqlite
