#include "store/sqlite/fact_blocks.h"

#include <map>

#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/packed.h"

namespace tally::sqlite {
namespace {

const char* TableName(FactTable table) {
  return table == FactTable::kUsage ? "usage_blocks" : "capacity_blocks";
}

void AppendText(std::string_view text, std::string* out) {
  AppendVarint(text.size(), out);
  out->append(text);
}

bool ReadText(std::string_view data, size_t* pos, std::string_view* text) {
  unsigned __int128 size = 0;
  if (!ReadVarint(data, pos, &size) || size > data.size() - *pos) return false;
  *text = data.substr(*pos, static_cast<size_t>(size));
  *pos += static_cast<size_t>(size);
  return true;
}

}  // namespace

void FactBlockWriter::Add(int64_t consumer_id, int64_t asset_id, std::string_view resource,
                          std::string_view unit, const Decimal& request, const Decimal& usage) {
  size_t kind = 0;
  while (kind < kinds_.size() && (kinds_[kind].first != resource || kinds_[kind].second != unit)) {
    ++kind;
  }
  if (kind == kinds_.size()) kinds_.emplace_back(resource, unit);
  if (table_ == FactTable::kUsage) AppendVarint(static_cast<uint64_t>(consumer_id), &facts_);
  AppendVarint(static_cast<uint64_t>(asset_id), &facts_);
  AppendVarint(kind, &facts_);
  AppendDecimal(request, &facts_);
  if (table_ == FactTable::kUsage) AppendDecimal(usage, &facts_);
  ++count_;
}

std::string FactBlockWriter::Finish() const {
  std::string block;
  AppendVarint(kinds_.size(), &block);
  for (const auto& [resource, unit] : kinds_) {
    AppendText(resource, &block);
    AppendText(unit, &block);
  }
  return block + facts_;
}

Status PutFactBlock(SqliteDb* db, FactTable table, int64_t source_id, int64_t hour,
                    const FactBlockWriter& facts) {
  TALLY_ASSIGN_OR_RETURN(Statement put,
                         db->Prepare(std::string("INSERT OR REPLACE INTO ") + TableName(table) +
                                     "(hour, source_id, facts, data) VALUES(?, ?, ?, ?)"));
  const std::string data = facts.Finish();
  put.BindInt(1, hour);
  put.BindInt(2, source_id);
  put.BindInt(3, facts.count());
  put.BindBlob(4, data.data(), static_cast<int>(data.size()));
  return put.Run();
}

Result<int64_t> DeleteFactBlocks(SqliteDb* db, int64_t source_id, int64_t from, int64_t to) {
  TALLY_ASSIGN_OR_RETURN(Statement count,
                         db->Prepare("SELECT COALESCE(SUM(facts), 0) FROM usage_blocks WHERE "
                                     "hour >= ? AND hour < ? AND source_id = ?"));
  count.BindInt(1, from);
  count.BindInt(2, to);
  count.BindInt(3, source_id);
  TALLY_ASSIGN_OR_RETURN(bool row, count.Step());
  const int64_t deleted = row ? count.Int(0) : 0;
  for (FactTable table : {FactTable::kUsage, FactTable::kCapacity}) {
    TALLY_ASSIGN_OR_RETURN(Statement del,
                           db->Prepare(std::string("DELETE FROM ") + TableName(table) +
                                       " WHERE hour >= ? AND hour < ? AND source_id = ?"));
    del.BindInt(1, from);
    del.BindInt(2, to);
    del.BindInt(3, source_id);
    TALLY_RETURN_IF_ERROR(del.Run());
  }
  return deleted;
}

namespace {

// Decodes the blocks `blocks` selects (hour, source_id, data).
Status DecodeFactBlocks(SqliteDb* db, FactTable table, Statement& blocks,
                        const std::function<Status(const StoredFact&)>& each) {
  auto corrupt = [&] { return Internal(std::string("sqlite: a block of ") + TableName(table) +
                                       " is corrupt"); };
  std::vector<std::pair<std::string_view, std::string_view>> kinds;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool more, blocks.Step());
    if (!more) return Status::Ok();
    TALLY_RETURN_IF_ERROR(db->CheckDeadline());
    StoredFact fact;
    fact.hour = blocks.Int(0);
    fact.source_id = blocks.Int(1);
    const std::string_view data = blocks.Blob(2);
    size_t pos = 0;
    unsigned __int128 v = 0;
    if (!ReadVarint(data, &pos, &v) || v > data.size()) return corrupt();
    kinds.resize(static_cast<size_t>(v));
    for (auto& [resource, unit] : kinds) {
      if (!ReadText(data, &pos, &resource) || !ReadText(data, &pos, &unit)) return corrupt();
    }
    std::optional<Decimal> request, usage;
    while (pos < data.size()) {
      if (table == FactTable::kUsage) {
        if (!ReadVarint(data, &pos, &v)) return corrupt();
        fact.consumer_id = static_cast<int64_t>(v);
      }
      if (!ReadVarint(data, &pos, &v)) return corrupt();
      fact.asset_id = static_cast<int64_t>(v);
      if (!ReadVarint(data, &pos, &v) || v >= kinds.size()) return corrupt();
      fact.resource = kinds[static_cast<size_t>(v)].first;
      fact.unit = kinds[static_cast<size_t>(v)].second;
      if (!ReadDecimal(data, &pos, &request) || !request) return corrupt();
      fact.request = *request;
      if (table == FactTable::kUsage) {
        if (!ReadDecimal(data, &pos, &usage) || !usage) return corrupt();
        fact.usage = *usage;
      }
      TALLY_RETURN_IF_ERROR(each(fact));
    }
  }
}

}  // namespace

Status ScanFactBlocks(SqliteDb* db, FactTable table, int64_t from, int64_t to,
                      const std::function<Status(const StoredFact&)>& each) {
  TALLY_ASSIGN_OR_RETURN(Statement blocks,
                         db->Prepare(std::string("SELECT hour, source_id, data FROM ") +
                                     TableName(table) +
                                     " WHERE hour >= ? AND hour < ? ORDER BY hour, source_id"));
  blocks.BindInt(1, from);
  blocks.BindInt(2, to);
  return DecodeFactBlocks(db, table, blocks, each);
}

Status ScanSourceFactBlocks(SqliteDb* db, FactTable table, int64_t source_id, int64_t from,
                            int64_t to, const std::function<Status(const StoredFact&)>& each) {
  TALLY_ASSIGN_OR_RETURN(Statement blocks,
                         db->Prepare(std::string("SELECT hour, source_id, data FROM ") +
                                     TableName(table) +
                                     " WHERE hour >= ? AND hour < ? AND source_id = ? ORDER BY "
                                     "hour"));
  blocks.BindInt(1, from);
  blocks.BindInt(2, to);
  blocks.BindInt(3, source_id);
  return DecodeFactBlocks(db, table, blocks, each);
}

Status MoveFactRowsIntoBlocks(SqliteDb* db) {
  for (FactTable table : {FactTable::kUsage, FactTable::kCapacity}) {
    const bool usage = table == FactTable::kUsage;
    TALLY_ASSIGN_OR_RETURN(
        Statement rows,
        db->Prepare(usage ? "SELECT source_id, hour, consumer_id, asset_id, resource, unit, "
                            "request, usage FROM usage_facts ORDER BY hour, source_id"
                          : "SELECT source_id, hour, 0, asset_id, resource, unit, capacity, NULL "
                            "FROM capacity_facts ORDER BY hour, source_id"));
    std::optional<FactBlockWriter> block;
    int64_t source = 0, hour = 0;
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (block && (!more || rows.Int(0) != source || rows.Int(1) != hour)) {
        TALLY_RETURN_IF_ERROR(PutFactBlock(db, table, source, hour, *block));
        block.reset();
      }
      if (!more) break;
      source = rows.Int(0);
      hour = rows.Int(1);
      if (!block) block.emplace(table);
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> a, ColumnDecimal(rows, 6));
      TALLY_ASSIGN_OR_RETURN(std::optional<Decimal> b, ColumnDecimal(rows, 7));
      block->Add(rows.Int(2), rows.IsNull(3) ? 0 : rows.Int(3), rows.Text(4), rows.Text(5),
                 a.value_or(Decimal()), b.value_or(Decimal()));
    }
  }
  return db->Exec("DROP TABLE usage_facts; DROP TABLE capacity_facts;");
}

}  // namespace tally::sqlite
