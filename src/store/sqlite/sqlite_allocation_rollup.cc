#include "store/sqlite/sqlite_allocation_rollup.h"

#include <array>
#include <map>

#include "store/sqlite/decimal_codec.h"

namespace tally::sqlite {
namespace {

// source, consumer, asset, resource, owner, service (dict ids) and kind.
using RowKey = std::array<int64_t, 7>;

struct Sum {
  Decimal cost;
  std::optional<Decimal> quantity;
};

}  // namespace

Status RollUpDays(SqliteDb* db, const std::set<int64_t>& days) {
  TALLY_ASSIGN_OR_RETURN(
      Statement read,
      db->Prepare("SELECT source, consumer, asset, resource, owner, service, kind, cost, quantity "
                  "FROM allocations WHERE hour >= ? AND hour < ?"));
  TALLY_ASSIGN_OR_RETURN(Statement clear,
                         db->Prepare("DELETE FROM allocations_daily WHERE day = ?"));
  TALLY_ASSIGN_OR_RETURN(
      Statement insert,
      db->Prepare("INSERT INTO allocations_daily(day, source, consumer, asset, resource, owner, "
                  "service, kind, cost, quantity) VALUES(?,?,?,?,?,?,?,?,?,?)"));
  TALLY_ASSIGN_OR_RETURN(Statement mark,
                         db->Prepare("INSERT OR IGNORE INTO allocation_days(day) VALUES(?)"));
  DecimalBlob cost_blob, quantity_blob;
  for (const int64_t day : days) {
    std::map<RowKey, Sum> sums;
    read.Reset();
    read.BindInt(1, day);
    read.BindInt(2, day + kDay);
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool row, read.Step());
      if (!row) break;
      RowKey key;
      for (size_t c = 0; c < key.size(); ++c) key[c] = read.Int(static_cast<int>(c));
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> cost, ColumnDecimal(read, 7));
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> quantity, ColumnDecimal(read, 8));
      Sum& sum = sums[key];
      sum.cost += cost.value_or(Decimal());
      if (quantity) sum.quantity = sum.quantity.value_or(Decimal()) + *quantity;
    }
    clear.BindInt(1, day);
    TALLY_RETURN_IF_ERROR(clear.Run());
    for (const auto& [key, sum] : sums) {
      insert.BindInt(1, day);
      for (size_t c = 0; c < key.size(); ++c) insert.BindInt(static_cast<int>(c) + 2, key[c]);
      BindDecimal(&insert, 9, sum.cost, &cost_blob);
      BindDecimal(&insert, 10, sum.quantity, &quantity_blob);
      TALLY_RETURN_IF_ERROR(insert.Run());
    }
    mark.BindInt(1, day);
    TALLY_RETURN_IF_ERROR(mark.Run());
  }
  return Status::Ok();
}

}  // namespace tally::sqlite
