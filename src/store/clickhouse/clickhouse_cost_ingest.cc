#include "store/clickhouse/clickhouse_cost_ingest.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "model/extra_columns.h"
#include "model/json_object.h"
#include "store/clickhouse/clickhouse_schema.h"
#include "store/clickhouse/tsv.h"

namespace tally::clickhouse {
namespace {

constexpr size_t kInsertBytes = 16u << 20;  // rows sent per insert, about
constexpr size_t kTagCacheEntries = 100000;
// billing_partitions.period_start for rows that carry no date at all (as on SQLite).
constexpr int64_t kUndated = std::numeric_limits<int64_t>::min();

void AppendTime(const std::optional<Timestamp>& t, std::string* out) {
  *out += std::to_string(t ? t->unix_seconds() : kNoTime);
}

}  // namespace

Result<std::unique_ptr<ClickHouseCostIngest>> ClickHouseCostIngest::Begin(
    ClickHouseClient* client, sqlite::SqliteDb* companion, const IngestRun& run) {
  std::unique_ptr<ClickHouseCostIngest> ingest(new ClickHouseCostIngest(client, companion));
  {  // The run's id, committed now: rows written under it are never another run's.
    TALLY_ASSIGN_OR_RETURN(auto claim, sqlite::Transaction::Begin(companion));
    TALLY_ASSIGN_OR_RETURN(sqlite::Statement insert,
                           companion->Prepare("INSERT INTO ingests(format, command, started_at) "
                                              "VALUES(?, ?, ?)"));
    insert.BindText(1, run.format);
    insert.BindText(2, run.command);
    insert.BindInt(3, run.clock->Now().unix_seconds());
    TALLY_RETURN_IF_ERROR(insert.Run());
    ingest->ingest_id_ = companion->LastInsertRowId();
    TALLY_RETURN_IF_ERROR(claim->Commit());
  }
  TALLY_ASSIGN_OR_RETURN(ingest->txn_, sqlite::Transaction::Begin(companion));
  ingest->clock_ = run.clock;
  TALLY_ASSIGN_OR_RETURN(ingest->find_partition_,
                         companion->Prepare("SELECT id FROM billing_partitions WHERE provider = ? "
                                            "AND account = ? AND period_start = ?"));
  TALLY_ASSIGN_OR_RETURN(ingest->insert_partition_,
                         companion->Prepare("INSERT INTO billing_partitions(provider, account, "
                                            "period_start, ingest_id) VALUES(?, ?, ?, ?)"));
  TALLY_ASSIGN_OR_RETURN(ingest->insert_diagnostic_,
                         companion->Prepare("INSERT INTO diagnostics(ingest_id, file_id, line, "
                                            "severity, column_name, reason) "
                                            "VALUES(?, ?, ?, ?, ?, ?)"));
  return ingest;
}

Status ClickHouseCostIngest::Flush(size_t shard) {
  if (rows_[shard].empty()) return Status::Ok();
  TALLY_RETURN_IF_ERROR(client_->Insert(shard, LocalCostTable(*client_), rows_[shard]));
  rows_[shard].clear();
  return Status::Ok();
}

Status ClickHouseCostIngest::FinishFile() {
  for (auto& [id, partition] : file_partitions_) {
    RunPartition& run = run_partitions_[id];
    run.partition = std::move(partition);
    ++run.files;
  }
  file_partitions_.clear();
  return Status::Ok();
}

Status ClickHouseCostIngest::BeginFile(const SourceFile& file) {
  TALLY_RETURN_IF_ERROR(FinishFile());
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement insert,
                         companion_->Prepare("INSERT INTO source_files(ingest_id, path, format, "
                                             "size) VALUES(?, ?, ?, ?)"));
  insert.BindInt(1, ingest_id_);
  insert.BindText(2, file.path);
  insert.BindText(3, file.format);
  insert.BindInt(4, static_cast<int64_t>(file.size_on_disk));
  TALLY_RETURN_IF_ERROR(insert.Run());
  file_id_ = companion_->LastInsertRowId();
  const size_t slash = file.path.find_last_of('/');
  file_name_ = slash == std::string::npos ? file.path : file.path.substr(slash + 1);
  extra_names_.clear();
  file_rows_ = 0;
  return Status::Ok();
}

Status ClickHouseCostIngest::DeclareExtraColumns(const std::vector<std::string>& names) {
  TALLY_ASSIGN_OR_RETURN(
      sqlite::Statement update,
      companion_->Prepare("UPDATE source_files SET extra_columns = ? WHERE id = ?"));
  const std::string json =
      nlohmann::json(names).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  update.BindText(1, json);
  update.BindInt(2, file_id_);
  extra_names_ = names;
  return update.Run();
}

Status ClickHouseCostIngest::AbandonFile() {
  // Rows of the file already sent stay, invisible: reads leave abandoned files out, and the
  // commit deletes them.
  abandoned_.push_back(file_id_);
  TALLY_ASSIGN_OR_RETURN(
      sqlite::Statement mark,
      companion_->Prepare("UPDATE source_files SET abandoned = 1 WHERE id = ?"));
  mark.BindInt(1, file_id_);
  TALLY_RETURN_IF_ERROR(mark.Run());
  rows_stored_ -= file_rows_;
  file_rows_ = 0;
  file_partitions_.clear();  // its partitions are not replaced unless another file touched them
  last_partition_id_ = -1;
  return Status::Ok();
}

const std::string& ClickHouseCostIngest::TagArrays(std::string_view tags) {
  if (auto it = tag_arrays_.find(std::string(tags)); it != tag_arrays_.end()) return it->second;
  if (tag_arrays_.size() >= kTagCacheEntries) tag_arrays_.clear();
  const auto values = JsonObjectValues(tags);
  std::vector<std::string_view> keys, texts;
  for (const auto& [k, v] : values) {
    keys.push_back(k);
    texts.push_back(v);
  }
  std::string out;
  AppendTsvArray(keys, &out);
  out += '\t';
  AppendTsvArray(texts, &out);
  return tag_arrays_.emplace(std::string(tags), std::move(out)).first->second;
}

Status ClickHouseCostIngest::Add(const CostLine& line) {
  TALLY_ASSIGN_OR_RETURN(int64_t partition_id, PartitionId(line));
  const size_t shard = ShardOf(partition_id, client_->shards());
  std::string& out = rows_[shard];
  out += std::to_string(partition_id);
  out += '\t';
  out += std::to_string(ingest_id_);
  out += '\t';
  out += std::to_string(file_id_);
  out += '\t';
  out += std::to_string(line.line);
  out += '\t';
  out += TagArrays(line.dim(FocusColumn::kTags));
  out += '\t';
  std::vector<std::string_view> names, values;
  for (const auto& [column, value] : ExtraEntries(line.extras)) {
    names.push_back(column < extra_names_.size() ? std::string_view(extra_names_[column])
                                                  : std::string_view());
    values.push_back(value);
  }
  AppendTsvArray(names, &out);
  out += '\t';
  AppendTsvArray(values, &out);
  for (const FocusColumnInfo& info : AllFocusColumns()) {
    out += '\t';
    switch (info.type) {
      case FocusType::kString:
      case FocusType::kJson:
        AppendTsvString(line.dim(info.column), &out);
        break;
      case FocusType::kDecimal:
        if (const auto& d = line.decimal(info.column)) {
          d->AppendTo(&out);
        } else {
          out += "\\N";
        }
        break;
      case FocusType::kDateTime:
        AppendTime(line.time(info.column), &out);
        break;
    }
  }
  out += '\n';
  ++rows_stored_;
  ++file_rows_;
  if (out.size() >= kInsertBytes) return Flush(shard);
  return Status::Ok();
}

Result<int64_t> ClickHouseCostIngest::PartitionId(const CostLine& line) {
  PartitionOf(line, file_name_, &scratch_);
  if (last_partition_id_ >= 0 && scratch_ == last_partition_) return last_partition_id_;
  const BillingPartition& p = scratch_;
  const int64_t period = p.period_start ? p.period_start->unix_seconds() : kUndated;
  find_partition_->BindText(1, p.provider);
  find_partition_->BindText(2, p.account);
  find_partition_->BindInt(3, period);
  TALLY_ASSIGN_OR_RETURN(bool found, find_partition_->Step());
  int64_t id = found ? find_partition_->Int(0) : 0;
  find_partition_->Reset();
  if (!found) {
    insert_partition_->BindText(1, p.provider);
    insert_partition_->BindText(2, p.account);
    insert_partition_->BindInt(3, period);
    insert_partition_->BindInt(4, ingest_id_);
    TALLY_RETURN_IF_ERROR(insert_partition_->Run());
    id = companion_->LastInsertRowId();
  }
  file_partitions_.emplace(id, p);
  last_partition_ = p;
  last_partition_id_ = id;
  return id;
}

Status ClickHouseCostIngest::AddDiagnostic(const Diagnostic& d) {
  sqlite::Statement& s = *insert_diagnostic_;
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

Result<IngestCommit> ClickHouseCostIngest::Commit() {
  TALLY_RETURN_IF_ERROR(FinishFile());
  for (size_t shard = 0; shard < rows_.size(); ++shard) TALLY_RETURN_IF_ERROR(Flush(shard));
  IngestCommit commit;
  commit.rows_stored = rows_stored_;
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement earlier,
                         companion_->Prepare("SELECT ingest_id, file_count FROM "
                                             "billing_partitions WHERE id = ?"));
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement own,
                         companion_->Prepare("UPDATE billing_partitions SET ingest_id = ?, "
                                             "file_count = ? WHERE id = ?"));
  TALLY_ASSIGN_OR_RETURN(
      sqlite::Statement abandoned_of,
      companion_->Prepare("SELECT id FROM source_files WHERE ingest_id = ? AND abandoned = 1"));
  std::vector<std::pair<int64_t, int64_t>> replaced;  // partition, run
  for (const auto& [id, run] : run_partitions_) {
    earlier.BindInt(1, id);
    TALLY_ASSIGN_OR_RETURN(bool found, earlier.Step());
    const int64_t before_run = found ? earlier.Int(0) : 0;
    const int64_t before_files = found && before_run != ingest_id_ ? earlier.Int(1) : 0;
    earlier.Reset();
    if (before_files > run.files) {
      commit.warnings.push_back(run.partition.ToString() + " was stored from " +
                                std::to_string(before_files) + " files and this run read " +
                                std::to_string(run.files) +
                                ": the rows of the files left out are replaced too (ingest "
                                "every file of an export in one run)");
    }
    if (found && before_run != ingest_id_) {
      std::string not_abandoned;
      abandoned_of.BindInt(1, before_run);
      for (;;) {
        TALLY_ASSIGN_OR_RETURN(bool row, abandoned_of.Step());
        if (!row) break;
        not_abandoned += (not_abandoned.empty() ? "" : ",") + std::to_string(abandoned_of.Int(0));
      }
      abandoned_of.Reset();
      TALLY_ASSIGN_OR_RETURN(
          std::string count,
          client_->Query(ShardOf(id, client_->shards()),
                         "SELECT count() FROM " + LocalCostTable(*client_) +
                             " WHERE partition_id = " + std::to_string(id) +
                             " AND ingest_id = " + std::to_string(before_run) +
                             (not_abandoned.empty() ? "" : " AND file_id NOT IN (" + not_abandoned + ")") +
                             " FORMAT TabSeparated"));
      commit.rows_replaced += std::atoll(count.c_str());
      replaced.emplace_back(id, before_run);
    }
    own.BindInt(1, ingest_id_);
    own.BindInt(2, run.files);
    own.BindInt(3, id);
    TALLY_RETURN_IF_ERROR(own.Run());
    commit.partitions.push_back(run.partition);
  }
  TALLY_ASSIGN_OR_RETURN(sqlite::Statement done,
                         companion_->Prepare("UPDATE ingests SET committed_at = ?, rows_stored = "
                                             "?, rows_replaced = ? WHERE id = ?"));
  done.BindInt(1, clock_->Now().unix_seconds());
  done.BindInt(2, commit.rows_stored);
  done.BindInt(3, commit.rows_replaced);
  done.BindInt(4, ingest_id_);
  TALLY_RETURN_IF_ERROR(done.Run());
  TALLY_RETURN_IF_ERROR(txn_->Commit());
  // What no reader sees any more: the replaced runs of these partitions and this run's
  // abandoned files. A failure here leaves rows no reader sees. (Only runs known to be over:
  // another run may be writing under a smaller or larger id right now.)
  for (const auto& [id, run] : replaced) {
    (void)client_->Query(ShardOf(id, client_->shards()),
                         "ALTER TABLE " + LocalCostTable(*client_) +
                             " DELETE WHERE partition_id = " + std::to_string(id) +
                             " AND ingest_id = " + std::to_string(run));
  }
  for (int64_t file : abandoned_) {
    for (size_t shard = 0; shard < client_->shards(); ++shard) {
      (void)client_->Query(shard, "ALTER TABLE " + LocalCostTable(*client_) +
                                      " DELETE WHERE ingest_id = " + std::to_string(ingest_id_) +
                                      " AND file_id = " + std::to_string(file));
    }
  }
  return commit;
}

}  // namespace tally::clickhouse
