#include "store/sqlite/sqlite_cost_ingest.h"

#include <chrono>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "store/sqlite/cost_rollup.h"
#include "store/sqlite/line_blocks.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/series_columns.h"
#include "store/sqlite/series_key.h"
#include "store/sqlite/packed.h"

namespace tally::sqlite {
namespace {

// Bytes of key text the series cache may hold before it starts over (about twice that in memory).
constexpr size_t kSeriesCacheBytes = 64u << 20;

void AppendText(std::string_view text, std::string* out) {
  AppendVarint(text.size(), out);
  out->append(text);
}

void AppendTime(const std::optional<Timestamp>& t, std::string* out) {
  AppendKeyTime(t ? std::optional<int64_t>(t->unix_seconds()) : std::nullopt, out);
}

}  // namespace

Result<std::unique_ptr<SqliteCostIngest>> SqliteCostIngest::Begin(SqliteDb* db,
                                                                  const IngestRun& run) {
  std::unique_ptr<SqliteCostIngest> ingest(new SqliteCostIngest(db));
  TALLY_ASSIGN_OR_RETURN(ingest->txn_, Transaction::Begin(db));
  TALLY_ASSIGN_OR_RETURN(ingest->find_series_,
                         db->Prepare("SELECT id, key FROM cost_series WHERE hash = ?"));
  TALLY_ASSIGN_OR_RETURN(ingest->insert_series_,
                         db->Prepare("INSERT INTO cost_series(hash, key) VALUES(?, ?)"));
  TALLY_ASSIGN_OR_RETURN(ingest->ledger_, IngestLedger::Open(db, run));
  ingest->ingest_id_ = ingest->ledger_->ingest_id();
  return ingest;
}

Status SqliteCostIngest::BeginFile(const SourceFile& file) {
  TALLY_RETURN_IF_ERROR(lines_.Flush(db_));
  TALLY_RETURN_IF_ERROR(ledger_->BeginFile(file));
  lines_.BeginFile(ingest_id_, ledger_->file_id());
  file_rows_ = 0;
  return Status::Ok();
}

Status SqliteCostIngest::DeclareExtraColumns(const std::vector<std::string>& names) {
  return ledger_->DeclareExtraColumns(names);
}

Status SqliteCostIngest::AbandonFile() {
  lines_.Discard();
  TALLY_RETURN_IF_ERROR(DeleteFileLines(db_, ledger_->file_id()).status());
  TALLY_RETURN_IF_ERROR(ledger_->AbandonFile());
  rows_stored_ -= file_rows_;
  file_rows_ = 0;
  rollup_from_lines_ = true;  // the sums so far hold its lines
  rollup_.Clear();
  return Status::Ok();
}

Status SqliteCostIngest::Add(const CostLine& line) {
  TALLY_ASSIGN_OR_RETURN(int64_t series_id, SeriesId(line));
  TALLY_ASSIGN_OR_RETURN(int64_t partition_id, ledger_->PartitionId(line));
  StoredLine stored;
  stored.series_id = series_id;
  stored.line = line.line;
  if (const auto& t = line.time(FocusColumn::kChargePeriodStart)) stored.start = t->unix_seconds();
  if (const auto& t = line.time(FocusColumn::kChargePeriodEnd)) stored.end = t->unix_seconds();
  amounts_.clear();
  for (const auto& amount : line.decimals) AppendDecimal(amount, &amounts_);
  stored.amounts = amounts_;
  stored.extras = line.extras;
  TALLY_RETURN_IF_ERROR(lines_.Add(db_, partition_id, stored));
  ++rows_stored_;
  ++file_rows_;
  if (!rollup_from_lines_) {
    std::array<std::optional<Decimal>, 4> metrics;
    for (size_t m = 0; m < metrics.size(); ++m) metrics[m] = line.decimal(kCostMetrics[m]);
    const auto& start = line.time(FocusColumn::kChargePeriodStart);
    TALLY_RETURN_IF_ERROR(rollup_.Add(
        partition_id, series_id, start ? std::optional<int64_t>(start->unix_seconds()) : std::nullopt,
        metrics));
    if (rollup_.cells() >= kRollupFlushCells) {
      TALLY_RETURN_IF_ERROR(rollup_.Flush(db_, ingest_id_, &rollup_chunk_));
    }
  }
  return Status::Ok();
}

Result<int64_t> SqliteCostIngest::SeriesId(const CostLine& line) {
  raw_key_.clear();
  for (std::string_view dim : line.dims) AppendText(dim, &raw_key_);
  AppendTime(line.time(FocusColumn::kBillingPeriodStart), &raw_key_);
  AppendTime(line.time(FocusColumn::kBillingPeriodEnd), &raw_key_);
  if (auto it = series_cache_.find(raw_key_); it != series_cache_.end()) return it->second;
  TALLY_ASSIGN_OR_RETURN(int64_t id, InsertSeries(line));
  if (series_cache_bytes_ > kSeriesCacheBytes) {
    series_cache_.clear();
    series_cache_bytes_ = 0;
  }
  series_cache_.emplace(raw_key_, id);
  series_cache_bytes_ += raw_key_.size();
  return id;
}

Result<int64_t> SqliteCostIngest::InsertSeries(const CostLine& line) {
  SeriesKey key;
  for (size_t i = 0; i < kFocusDimCount; ++i) {
    TALLY_ASSIGN_OR_RETURN(key.dims[i], DictId(line.dims[i]));
  }
  for (auto [c, t] : {std::pair{FocusColumn::kBillingPeriodStart, &key.period_start},
                      std::pair{FocusColumn::kBillingPeriodEnd, &key.period_end}}) {
    if (const auto& time = line.time(c)) *t = time->unix_seconds();
  }
  EncodeSeriesKey(key, &id_key_);
  const int64_t hash = SeriesKeyHash(id_key_);

  find_series_.BindInt(1, hash);
  for (;;) {  // series whose keys share the hash; almost always none or the one
    TALLY_ASSIGN_OR_RETURN(bool found, find_series_.Step());
    if (!found) break;
    if (find_series_.Blob(1) == id_key_) {
      const int64_t id = find_series_.Int(0);
      find_series_.Reset();
      return id;
    }
  }
  find_series_.Reset();
  insert_series_.BindInt(1, hash);
  insert_series_.BindBlob(2, id_key_.data(), static_cast<int>(id_key_.size()));
  TALLY_RETURN_IF_ERROR(insert_series_.Run());
  const int64_t added = db_->LastInsertRowId();
  if (first_new_series_ == 0 || added < first_new_series_) first_new_series_ = added;
  return added;
}

Result<int64_t> SqliteCostIngest::DictId(std::string_view value) {
  if (value.empty()) return 0;  // null
  return dict_.Id(value);
}

Status SqliteCostIngest::AddDiagnostic(const Diagnostic& d) { return ledger_->AddDiagnostic(d); }

Result<IngestCommit> SqliteCostIngest::Commit() {
  TALLY_RETURN_IF_ERROR(lines_.Flush(db_));
  if (rollup_from_lines_) {  // blocks written before a file was abandoned may hold its lines
    TALLY_ASSIGN_OR_RETURN(Statement drop,
                           db_->Prepare("DELETE FROM cost_rollup WHERE ingest_id = ?"));
    drop.BindInt(1, ingest_id_);
    TALLY_RETURN_IF_ERROR(drop.Run());
  }
  TALLY_ASSIGN_OR_RETURN(
      IngestCommit commit,
      ledger_->ReplacePartitions(rows_stored_, [&](int64_t id, int64_t) -> Result<int64_t> {
        TALLY_ASSIGN_OR_RETURN(int64_t replaced, DeleteReplacedLines(db_, id, ingest_id_));
        TALLY_RETURN_IF_ERROR(DropReplacedRollup(db_, id, ingest_id_));
        if (rollup_from_lines_) TALLY_RETURN_IF_ERROR(RollUpPartition(db_, id, ingest_id_));
        return replaced;
      }));
  if (!rollup_from_lines_) TALLY_RETURN_IF_ERROR(rollup_.Flush(db_, ingest_id_, &rollup_chunk_));
  TALLY_RETURN_IF_ERROR(CompactRollup(db_, ingest_id_));
  if (first_new_series_ > 0) TALLY_RETURN_IF_ERROR(WriteSeriesColumns(db_, first_new_series_));
  TALLY_RETURN_IF_ERROR(ledger_->MarkCommitted(commit));
  TALLY_RETURN_IF_ERROR(txn_->Commit());
  return commit;
}

}  // namespace tally::sqlite
