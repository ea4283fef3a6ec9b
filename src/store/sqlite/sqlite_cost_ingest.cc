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
// billing_partitions.period_start for rows that carry no date at all.
constexpr int64_t kUndated = std::numeric_limits<int64_t>::min();

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
  TALLY_RETURN_IF_ERROR(ingest->Prepare());
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db->Prepare("INSERT INTO ingests(format, command, started_at) "
                                     "VALUES(?, ?, ?)"));
  insert.BindText(1, run.format);
  insert.BindText(2, run.command);
  insert.BindInt(3, run.clock->Now().unix_seconds());
  TALLY_RETURN_IF_ERROR(insert.Run());
  ingest->ingest_id_ = db->LastInsertRowId();
  ingest->clock_ = run.clock;
  return ingest;
}

Status SqliteCostIngest::Prepare() {
  TALLY_ASSIGN_OR_RETURN(find_series_,
                         db_->Prepare("SELECT id, key FROM cost_series WHERE hash = ?"));
  TALLY_ASSIGN_OR_RETURN(insert_series_,
                         db_->Prepare("INSERT INTO cost_series(hash, key) VALUES(?, ?)"));
  TALLY_ASSIGN_OR_RETURN(find_partition_,
                         db_->Prepare("SELECT id FROM billing_partitions WHERE provider = ? AND "
                                      "account = ? AND period_start = ?"));
  TALLY_ASSIGN_OR_RETURN(insert_partition_,
                         db_->Prepare("INSERT INTO billing_partitions(provider, account, "
                                      "period_start, ingest_id) VALUES(?, ?, ?, ?)"));
  TALLY_ASSIGN_OR_RETURN(insert_diagnostic_,
                         db_->Prepare("INSERT INTO diagnostics(ingest_id, file_id, line, severity, "
                                      "column_name, reason) VALUES(?, ?, ?, ?, ?, ?)"));
  return Status::Ok();
}

Status SqliteCostIngest::FinishFile() {
  TALLY_RETURN_IF_ERROR(lines_.Flush(db_));
  for (auto& [id, partition] : file_partitions_) {
    RunPartition& run = run_partitions_[id];
    run.partition = std::move(partition);
    ++run.files;
  }
  file_partitions_.clear();
  return Status::Ok();
}

Status SqliteCostIngest::BeginFile(const SourceFile& file) {
  TALLY_RETURN_IF_ERROR(FinishFile());
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db_->Prepare("INSERT INTO source_files(ingest_id, path, format, size) "
                                      "VALUES(?, ?, ?, ?)"));
  insert.BindInt(1, ingest_id_);
  insert.BindText(2, file.path);
  insert.BindText(3, file.format);
  insert.BindInt(4, static_cast<int64_t>(file.size_on_disk));
  TALLY_RETURN_IF_ERROR(insert.Run());
  file_id_ = db_->LastInsertRowId();
  lines_.BeginFile(ingest_id_, file_id_);
  size_t slash = file.path.find_last_of('/');
  file_name_ = slash == std::string::npos ? file.path : file.path.substr(slash + 1);
  file_rows_ = 0;
  return Status::Ok();
}

Status SqliteCostIngest::DeclareExtraColumns(const std::vector<std::string>& names) {
  TALLY_ASSIGN_OR_RETURN(Statement update,
                         db_->Prepare("UPDATE source_files SET extra_columns = ? WHERE id = ?"));
  const std::string json =
      nlohmann::json(names).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  update.BindText(1, json);
  update.BindInt(2, file_id_);
  return update.Run();
}

Status SqliteCostIngest::AbandonFile() {
  lines_.Discard();
  TALLY_RETURN_IF_ERROR(DeleteFileLines(db_, file_id_).status());
  TALLY_ASSIGN_OR_RETURN(Statement mark,
                         db_->Prepare("UPDATE source_files SET abandoned = 1 WHERE id = ?"));
  mark.BindInt(1, file_id_);
  TALLY_RETURN_IF_ERROR(mark.Run());
  rows_stored_ -= file_rows_;
  file_rows_ = 0;
  file_partitions_.clear();  // its partitions are not replaced unless another file touched them
  rollup_from_lines_ = true;  // the sums so far hold its lines
  rollup_.Clear();
  last_partition_id_ = -1;
  return Status::Ok();
}

Status SqliteCostIngest::Add(const CostLine& line) {
  TALLY_ASSIGN_OR_RETURN(int64_t series_id, SeriesId(line));
  TALLY_ASSIGN_OR_RETURN(int64_t partition_id, PartitionId(line));
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

Result<int64_t> SqliteCostIngest::PartitionId(const CostLine& line) {
  PartitionOf(line, file_name_, &partition_scratch_);
  if (last_partition_id_ >= 0 && partition_scratch_ == last_partition_) return last_partition_id_;
  const BillingPartition& p = partition_scratch_;
  const int64_t period = p.period_start ? p.period_start->unix_seconds() : kUndated;
  find_partition_.BindText(1, p.provider);
  find_partition_.BindText(2, p.account);
  find_partition_.BindInt(3, period);
  TALLY_ASSIGN_OR_RETURN(bool found, find_partition_.Step());
  int64_t id = found ? find_partition_.Int(0) : 0;
  find_partition_.Reset();
  if (!found) {
    insert_partition_.BindText(1, p.provider);
    insert_partition_.BindText(2, p.account);
    insert_partition_.BindInt(3, period);
    insert_partition_.BindInt(4, ingest_id_);
    TALLY_RETURN_IF_ERROR(insert_partition_.Run());
    id = db_->LastInsertRowId();
  }
  file_partitions_.emplace(id, p);
  last_partition_ = p;
  last_partition_id_ = id;
  return id;
}

Status SqliteCostIngest::AddDiagnostic(const Diagnostic& d) {
  Statement& s = insert_diagnostic_;
  s.BindInt(1, ingest_id_);
  s.BindInt(2, file_id_);
  s.BindInt(3, d.line);
  s.BindText(4, d.severity == Severity::kError     ? "error"
                : d.severity == Severity::kWarning ? "warning"
                                                   : "info");
  s.BindText(5, d.column);
  s.BindText(6, d.reason);
  return s.Run();
}

Result<IngestCommit> SqliteCostIngest::Commit() {
  TALLY_RETURN_IF_ERROR(FinishFile());
  IngestCommit commit;
  commit.rows_stored = rows_stored_;
  TALLY_ASSIGN_OR_RETURN(Statement earlier_files,
                         db_->Prepare("SELECT file_count FROM billing_partitions WHERE id = ? AND "
                                      "ingest_id <> ?"));
  TALLY_ASSIGN_OR_RETURN(Statement own,
                         db_->Prepare("UPDATE billing_partitions SET ingest_id = ?, file_count = ? "
                                      "WHERE id = ?"));
  if (rollup_from_lines_) {  // blocks written before a file was abandoned may hold its lines
    TALLY_ASSIGN_OR_RETURN(Statement drop,
                           db_->Prepare("DELETE FROM cost_rollup WHERE ingest_id = ?"));
    drop.BindInt(1, ingest_id_);
    TALLY_RETURN_IF_ERROR(drop.Run());
  }
  for (const auto& [id, run] : run_partitions_) {
    earlier_files.BindInt(1, id);
    earlier_files.BindInt(2, ingest_id_);
    TALLY_ASSIGN_OR_RETURN(bool replaced, earlier_files.Step());
    const int64_t before = replaced ? earlier_files.Int(0) : 0;
    earlier_files.Reset();
    if (before > run.files) {
      // Most likely one file of a multi-file export was ingested alone.
      commit.warnings.push_back(run.partition.ToString() + " was stored from " +
                                std::to_string(before) + " files and this run read " +
                                std::to_string(run.files) +
                                ": the rows of the files left out are replaced too (ingest "
                                "every file of an export in one run)");
    }
    TALLY_ASSIGN_OR_RETURN(int64_t replaced_lines, DeleteReplacedLines(db_, id, ingest_id_));
    commit.rows_replaced += replaced_lines;
    own.BindInt(1, ingest_id_);
    own.BindInt(2, run.files);
    own.BindInt(3, id);
    TALLY_RETURN_IF_ERROR(own.Run());
    TALLY_RETURN_IF_ERROR(DropReplacedRollup(db_, id, ingest_id_));
    if (rollup_from_lines_) TALLY_RETURN_IF_ERROR(RollUpPartition(db_, id, ingest_id_));
    commit.partitions.push_back(run.partition);
  }
  if (!rollup_from_lines_) TALLY_RETURN_IF_ERROR(rollup_.Flush(db_, ingest_id_, &rollup_chunk_));
  TALLY_RETURN_IF_ERROR(CompactRollup(db_, ingest_id_));
  if (first_new_series_ > 0) TALLY_RETURN_IF_ERROR(WriteSeriesColumns(db_, first_new_series_));
  TALLY_ASSIGN_OR_RETURN(Statement done,
                         db_->Prepare("UPDATE ingests SET committed_at = ?, rows_stored = ?, "
                                      "rows_replaced = ? WHERE id = ?"));
  done.BindInt(1, clock_->Now().unix_seconds());
  done.BindInt(2, commit.rows_stored);
  done.BindInt(3, commit.rows_replaced);
  done.BindInt(4, ingest_id_);
  TALLY_RETURN_IF_ERROR(done.Run());
  TALLY_RETURN_IF_ERROR(txn_->Commit());
  return commit;
}

}  // namespace tally::sqlite
