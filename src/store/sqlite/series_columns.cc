#include "store/sqlite/series_columns.h"

#include <string>

#include "store/sqlite/packed.h"
#include "store/sqlite/series_key.h"
#include "store/sqlite/zstd_frame.h"
#include "tally/focus_schema.h"

namespace tally::sqlite {
namespace {

constexpr int kSeriesZstdLevel = 3;

std::vector<std::string> ColumnNames() {
  std::vector<std::string> names = {"BillingPeriodStart", "BillingPeriodEnd"};
  for (const FocusColumnInfo& info : AllFocusColumns()) {
    if (info.type == FocusType::kString || info.type == FocusType::kJson) {
      names.emplace_back(info.name);
    }
  }
  return names;
}

}  // namespace

Status WriteSeriesColumns(SqliteDb* db, int64_t first_id) {
  const std::vector<std::string> names = ColumnNames();
  TALLY_ASSIGN_OR_RETURN(Statement rows,
                         db->Prepare("SELECT id, key FROM cost_series WHERE id >= ? ORDER BY id"));
  TALLY_ASSIGN_OR_RETURN(Statement put,
                         db->Prepare("INSERT OR REPLACE INTO cost_series_columns(name, block, "
                                     "data) VALUES(?, ?, ?)"));
  const int64_t first_block = first_id < 0 ? 0 : first_id / kSeriesBlock;
  rows.BindInt(1, first_block * kSeriesBlock);
  std::vector<std::string> blocks(names.size());
  int64_t block = -1, next_id = 0;
  auto flush = [&]() -> Status {
    if (block < 0) return Status::Ok();
    for (size_t c = 0; c < names.size(); ++c) {
      TALLY_ASSIGN_OR_RETURN(std::string data, ZstdCompress(blocks[c], kSeriesZstdLevel));
      put.BindText(1, names[c]);
      put.BindInt(2, block);
      put.BindBlob(3, data.data(), static_cast<int>(data.size()));
      TALLY_RETURN_IF_ERROR(put.Run());
      blocks[c].clear();
    }
    return Status::Ok();
  };
  SeriesKey key;
  auto append = [](std::optional<int64_t> v, std::string* out) {
    AppendVarint(v ? ZigZag(*v) + 1 : 0, out);
  };
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    const int64_t id = rows.Int(0);
    if (id / kSeriesBlock != block) {
      TALLY_RETURN_IF_ERROR(flush());
      block = id / kSeriesBlock;
      next_id = block * kSeriesBlock;
    }
    for (; next_id < id; ++next_id) {  // ids with no row read as null
      for (std::string& b : blocks) b.push_back('\0');
    }
    if (!DecodeSeriesKey(rows.Blob(1), &key)) return Internal("sqlite: a series key is corrupt");
    append(key.period_start, &blocks[0]);
    append(key.period_end, &blocks[1]);
    for (size_t d = 0; d < kFocusDimCount; ++d) {
      append(key.dims[d] == 0 ? std::nullopt : std::optional<int64_t>(key.dims[d]), &blocks[d + 2]);
    }
    next_id = id + 1;
  }
  return flush();
}

Result<std::vector<int64_t>> ReadSeriesColumn(SqliteDb* db, std::string_view name) {
  TALLY_ASSIGN_OR_RETURN(Statement blocks,
                         db->Prepare("SELECT block, data FROM cost_series_columns WHERE name = ? "
                                     "ORDER BY block"));
  blocks.BindText(1, name);
  std::vector<int64_t> values;
  ZstdReader zstd;
  std::string data;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, blocks.Step());
    if (!row) break;
    const int64_t first = blocks.Int(0) * kSeriesBlock;
    if (first < 0 || first > (int64_t{1} << 40)) return Internal("sqlite: a series block is corrupt");
    values.resize(static_cast<size_t>(first), kNullValue);
    TALLY_RETURN_IF_ERROR(zstd.Decompress(blocks.Blob(1), &data, "a series block"));
    for (size_t pos = 0; pos < data.size();) {
      unsigned __int128 v = 0;
      if (!ReadVarint(data, &pos, &v)) return Internal("sqlite: a series block is corrupt");
      values.push_back(v == 0 ? kNullValue : static_cast<int64_t>(UnZigZag(v - 1)));
    }
  }
  return values;
}

}  // namespace tally::sqlite
