#include "store/sqlite/allocation_blocks.h"

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/packed.h"

namespace tally::sqlite {
namespace {

const char* TableOf(AllocationGrain grain) {
  return grain == AllocationGrain::kHour ? "allocation_blocks" : "allocation_day_blocks";
}
const char* KeyOf(AllocationGrain grain) { return grain == AllocationGrain::kHour ? "hour" : "day"; }

}  // namespace

void AppendAllocation(const StoredAllocation& row, std::string* block) {
  for (int64_t id : row.ids) AppendVarint(static_cast<uint64_t>(id), block);
  AppendVarint(static_cast<uint64_t>(row.kind), block);
  AppendDecimal(row.cost, block);
  AppendDecimal(row.quantity, block);
}

Result<bool> AllocationBlockReader::Next(StoredAllocation* row) {
  if (pos_ >= block_.size()) return false;
  unsigned __int128 v = 0;
  for (int64_t& id : row->ids) {
    if (!ReadVarint(block_, &pos_, &v)) return Internal("sqlite: an allocation block is corrupt");
    id = static_cast<int64_t>(v);
  }
  if (!ReadVarint(block_, &pos_, &v)) return Internal("sqlite: an allocation block is corrupt");
  row->kind = static_cast<int64_t>(v);
  std::optional<Decimal> cost;
  if (!ReadDecimal(block_, &pos_, &cost) || !cost ||
      !ReadDecimal(block_, &pos_, &row->quantity)) {
    return Internal("sqlite: an allocation block is corrupt");
  }
  row->cost = *cost;
  return true;
}

Status ScanAllocationBlocks(
    SqliteDb* db, AllocationGrain grain, int64_t from, int64_t to,
    const std::function<Status(int64_t, const StoredAllocation&)>& each,
    const std::function<bool(int64_t)>& wanted) {
  TALLY_ASSIGN_OR_RETURN(Statement blocks,
                         db->Prepare(std::string("SELECT ") + KeyOf(grain) + ", data FROM " +
                                     TableOf(grain) + " WHERE " + KeyOf(grain) + " >= ? AND " +
                                     KeyOf(grain) + " < ? ORDER BY " + KeyOf(grain)));
  blocks.BindInt(1, from);
  blocks.BindInt(2, to);
  StoredAllocation row;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool more, blocks.Step());
    if (!more) return Status::Ok();
    TALLY_RETURN_IF_ERROR(db->CheckDeadline());
    const int64_t time = blocks.Int(0);
    if (wanted && !wanted(time)) continue;
    AllocationBlockReader reader(blocks.Blob(1));
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool next, reader.Next(&row));
      if (!next) break;
      TALLY_RETURN_IF_ERROR(each(time, row));
    }
  }
}

Status PutAllocationBlock(SqliteDb* db, AllocationGrain grain, int64_t time, int64_t count,
                          const std::string& rows) {
  TALLY_ASSIGN_OR_RETURN(Statement put,
                         db->Prepare(std::string("INSERT OR REPLACE INTO ") + TableOf(grain) +
                                     "(" + KeyOf(grain) + ", rows, data) VALUES(?, ?, ?)"));
  put.BindInt(1, time);
  put.BindInt(2, count);
  put.BindBlob(3, rows.data(), static_cast<int>(rows.size()));
  return put.Run();
}

Status MoveAllocationRowsIntoBlocks(SqliteDb* db) {
  for (AllocationGrain grain : {AllocationGrain::kHour, AllocationGrain::kDay}) {
    const std::string table = grain == AllocationGrain::kHour ? "allocations" : "allocations_daily";
    TALLY_ASSIGN_OR_RETURN(
        Statement rows,
        db->Prepare(std::string("SELECT ") + KeyOf(grain) +
                    ", source, consumer, asset, resource, owner, service, kind, cost, quantity "
                    "FROM " + table + " ORDER BY " + KeyOf(grain)));
    std::string block;
    int64_t time = 0, count = 0;
    auto flush = [&]() -> Status {
      if (count == 0) return Status::Ok();
      TALLY_RETURN_IF_ERROR(PutAllocationBlock(db, grain, time, count, block));
      block.clear();
      count = 0;
      return Status::Ok();
    };
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (!more) break;
      if (count > 0 && rows.Int(0) != time) TALLY_RETURN_IF_ERROR(flush());
      time = rows.Int(0);
      StoredAllocation row;
      for (size_t i = 0; i < row.ids.size(); ++i) row.ids[i] = rows.Int(static_cast<int>(1 + i));
      row.kind = rows.Int(7);
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> cost, ColumnDecimal(rows, 8));
      row.cost = cost.value_or(Decimal());
      TALLY_ASSIGN_OR_RETURN(row.quantity, ColumnDecimal(rows, 9));
      AppendAllocation(row, &block);
      ++count;
    }
    TALLY_RETURN_IF_ERROR(flush());
  }
  return db->Exec("DROP TABLE allocations; DROP TABLE allocations_daily;");
}

}  // namespace tally::sqlite
