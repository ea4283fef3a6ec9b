#include "store/clickhouse/clickhouse_cost_ingest.h"

#include "model/extra_columns.h"
#include "model/json_object.h"
#include "store/clickhouse/clickhouse_schema.h"
#include "store/clickhouse/tsv.h"

namespace tally::clickhouse {
namespace {

constexpr size_t kInsertBytes = 16u << 20;  // rows sent per insert, about
constexpr size_t kTagCacheBytes = 32u << 20;

void AppendTime(const std::optional<Timestamp>& t, std::string* out) {
  *out += std::to_string(t ? t->unix_seconds() : kNoTime);
}

}  // namespace

Result<std::unique_ptr<ClickHouseCostIngest>> ClickHouseCostIngest::Begin(
    ClickHouseClient* client, sqlite::SqliteDb* companion, const IngestRun& run) {
  std::unique_ptr<ClickHouseCostIngest> ingest(new ClickHouseCostIngest(client, companion));
  {  // The run's id, committed now: rows written under it are never another run's.
    TALLY_ASSIGN_OR_RETURN(auto claim, sqlite::Transaction::Begin(companion));
    TALLY_ASSIGN_OR_RETURN(ingest->ledger_, sqlite::IngestLedger::Open(companion, run));
    TALLY_RETURN_IF_ERROR(claim->Commit());
  }
  ingest->ingest_id_ = ingest->ledger_->ingest_id();
  TALLY_ASSIGN_OR_RETURN(ingest->txn_, sqlite::Transaction::Begin(companion));
  return ingest;
}

Status ClickHouseCostIngest::Flush(size_t shard) {
  if (rows_[shard].empty()) return Status::Ok();
  TALLY_RETURN_IF_ERROR(client_->Insert(shard, LocalCostTable(*client_), rows_[shard]));
  rows_[shard].clear();
  return Status::Ok();
}

Status ClickHouseCostIngest::BeginFile(const SourceFile& file) {
  TALLY_RETURN_IF_ERROR(ledger_->BeginFile(file));
  extra_names_.clear();
  file_rows_ = 0;
  return Status::Ok();
}

Status ClickHouseCostIngest::DeclareExtraColumns(const std::vector<std::string>& names) {
  extra_names_ = names;
  return ledger_->DeclareExtraColumns(names);
}

Status ClickHouseCostIngest::AbandonFile() {
  // Rows of the file already sent stay, invisible: reads leave abandoned files out, and the
  // commit deletes them.
  abandoned_.push_back(ledger_->file_id());
  TALLY_RETURN_IF_ERROR(ledger_->AbandonFile());
  rows_stored_ -= file_rows_;
  file_rows_ = 0;
  return Status::Ok();
}

const std::string& ClickHouseCostIngest::TagArrays(std::string_view tags) {
  if (auto it = tag_arrays_.find(tags); it != tag_arrays_.end()) return it->second;
  if (tag_bytes_ > kTagCacheBytes) {
    tag_arrays_.clear();
    tag_bytes_ = 0;
  }
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
  tag_bytes_ += 2 * tags.size() + out.size();
  return tag_arrays_.emplace(std::string(tags), std::move(out)).first->second;
}

Status ClickHouseCostIngest::Add(const CostLine& line) {
  TALLY_ASSIGN_OR_RETURN(int64_t partition_id, ledger_->PartitionId(line));
  const size_t shard = ShardOf(partition_id, client_->shards());
  std::string& out = rows_[shard];
  out += std::to_string(partition_id);
  out += '\t';
  out += std::to_string(ingest_id_);
  out += '\t';
  out += std::to_string(ledger_->file_id());
  out += '\t';
  out += std::to_string(line.line);
  out += '\t';
  out += TagArrays(line.dim(FocusColumn::kTags));
  out += '\t';
  std::vector<std::string_view>& names = extra_names_of_line_;
  std::vector<std::string_view>& values = extra_values_of_line_;
  names.clear();
  values.clear();
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

Status ClickHouseCostIngest::AddDiagnostic(const Diagnostic& d) {
  return ledger_->AddDiagnostic(d);
}

Result<IngestCommit> ClickHouseCostIngest::Commit() {
  for (size_t shard = 0; shard < rows_.size(); ++shard) TALLY_RETURN_IF_ERROR(Flush(shard));
  TALLY_ASSIGN_OR_RETURN(
      sqlite::Statement abandoned_of,
      companion_->Prepare("SELECT id FROM source_files WHERE ingest_id = ? AND abandoned = 1"));
  std::vector<std::pair<int64_t, int64_t>> replaced;  // partition, run
  TALLY_ASSIGN_OR_RETURN(
      IngestCommit commit,
      ledger_->ReplacePartitions(rows_stored_, [&](int64_t id, int64_t before) -> Result<int64_t> {
        if (before == 0) return 0;
        // The replaced run's rows that readers saw: without its abandoned files.
        std::string abandoned;
        abandoned_of.BindInt(1, before);
        for (;;) {
          TALLY_ASSIGN_OR_RETURN(bool row, abandoned_of.Step());
          if (!row) break;
          abandoned += (abandoned.empty() ? "" : ",") + std::to_string(abandoned_of.Int(0));
        }
        abandoned_of.Reset();
        TALLY_ASSIGN_OR_RETURN(
            std::string count,
            client_->Query(
                ShardOf(id, client_->shards()),
                "SELECT count() FROM " + LocalCostTable(*client_) + " WHERE partition_id = " +
                    std::to_string(id) + " AND ingest_id = " + std::to_string(before) +
                    (abandoned.empty() ? "" : " AND file_id NOT IN (" + abandoned + ")") +
                    " FORMAT TabSeparated"));
        replaced.emplace_back(id, before);
        return static_cast<int64_t>(std::atoll(count.c_str()));
      }));
  TALLY_RETURN_IF_ERROR(ledger_->MarkCommitted(commit));
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
