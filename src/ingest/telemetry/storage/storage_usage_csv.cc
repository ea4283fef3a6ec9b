#include "ingest/telemetry/storage/storage_usage_csv.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "common/csv_reader.h"
#include "common/strings.h"
#include "ingest/telemetry/usage_csv/usage_csv_reader.h"

namespace tally {
namespace {

const Decimal kBytesPerGiB = Decimal::FromUnits(int64_t{1} << 30);

enum Column { kDate, kBucket, kPrefix, kBytes, kObjects, kLastAccess, kLabels, kColumns };
constexpr std::string_view kNames[kColumns] = {"date",    "bucket",      "prefix", "bytes",
                                               "objects", "last_access", "labels"};

struct Row {
  Timestamp day;
  std::string bucket, prefix;
  Decimal gib;
  std::string objects, last_access;
  Labels labels;
};

class StorageFileReader {
 public:
  StorageFileReader(const std::string& path, std::vector<Row>* rows) : path_(path), rows_(rows) {}

  Status Read() {
    return ReadCsvFile(
        path_, [&](std::span<const std::string_view> header) { return MapHeader(header); },
        [&](int64_t line, std::span<const std::string_view> fields) -> Status {
          line_ = line;
          if (rows_->size() >= kMaxStorageRows) {
            return InvalidArgument(path_ + ": more than " + std::to_string(kMaxStorageRows) +
                                   " rows in one run; ingest fewer files at once");
          }
          return ReadRow(fields);
        });
  }

 private:
  Status MapHeader(std::span<const std::string_view> header) {
    for (size_t c = 0; c < kColumns; ++c) {
      auto it = std::find_if(header.begin(), header.end(), [&](std::string_view h) {
        return EqualsIgnoreCase(Trim(h), kNames[c]) ||
               (c == kBucket && EqualsIgnoreCase(Trim(h), "table"));
      });
      const bool optional = c == kObjects || c == kLastAccess || c == kLabels;
      if (it == header.end() && !optional) {
        return InvalidArgument(path_ + ": line 1: missing column \"" + std::string(kNames[c]) +
                               "\" (storage-usage files have columns date,bucket (or table),"
                               "prefix,bytes and optionally objects,last_access,labels)");
      }
      index_[c] = it == header.end() ? SIZE_MAX : static_cast<size_t>(it - header.begin());
    }
    return Status::Ok();
  }

  Status Fail(Column column, const std::string& reason) const {
    return InvalidArgument(path_ + ": line " + std::to_string(line_) + ": column " +
                           std::string(kNames[column]) + ": " + reason);
  }

  std::string_view Field(std::span<const std::string_view> row, Column c) const {
    const size_t i = index_[c];
    return i < row.size() ? Trim(row[i]) : std::string_view();
  }

  Status ReadRow(std::span<const std::string_view> fields) {
    Row row;
    auto day = ParseTimestamp(Field(fields, kDate));
    if (!day.ok()) return Fail(kDate, day.status().message());
    row.day = Timestamp::FromUnixSeconds(day->unix_seconds() - ((day->unix_seconds() % 86400) + 86400) % 86400);
    row.bucket = std::string(Field(fields, kBucket));
    if (row.bucket.empty()) return Fail(kBucket, "empty");
    row.prefix = std::string(Field(fields, kPrefix));
    const std::string_view bytes_text = Field(fields, kBytes);
    int64_t bytes = 0;
    const auto [end, ec] = std::from_chars(bytes_text.data(), bytes_text.data() + bytes_text.size(), bytes);
    if (ec != std::errc() || end != bytes_text.data() + bytes_text.size() || bytes < 0) {
      return Fail(kBytes, "not a whole number of bytes: \"" + std::string(bytes_text) + "\"");
    }
    TALLY_ASSIGN_OR_RETURN(row.gib, Decimal::FromUnits(bytes).Divide(kBytesPerGiB));
    row.objects = std::string(Field(fields, kObjects));
    if (!row.objects.empty() && row.objects.find_first_not_of("0123456789") != std::string::npos) {
      return Fail(kObjects, "not a whole number: \"" + row.objects + "\"");
    }
    const std::string_view last = Field(fields, kLastAccess);
    if (!last.empty()) {
      auto t = ParseTimestamp(last);
      if (!t.ok()) return Fail(kLastAccess, t.status().message());
      row.last_access = t->ToString();
    }
    auto labels = ParseLabelList(Field(fields, kLabels));
    if (!labels.ok()) return Fail(kLabels, labels.status().message());
    row.labels = std::move(*labels);
    if (!seen_.insert({row.day.unix_seconds(), row.bucket, row.prefix}).second) {
      return Fail(kPrefix, "\"" + row.prefix + "\" of " + row.bucket + " twice on one date");
    }
    rows_->push_back(std::move(row));
    return Status::Ok();
  }

  std::string path_;
  std::vector<Row>* rows_;
  size_t index_[kColumns] = {};
  int64_t line_ = 0;
  std::set<std::tuple<int64_t, std::string, std::string>> seen_;
};

}  // namespace

Result<StorageUsageFile> ReadStorageUsageCsv(const std::vector<std::string>& paths,
                                             const std::string& source) {
  std::vector<Row> rows;
  for (const std::string& path : paths) TALLY_RETURN_IF_ERROR(StorageFileReader(path, &rows).Read());
  if (rows.empty()) return InvalidArgument("the storage-usage files have no rows");
  StorageUsageFile out;
  out.rows = static_cast<int64_t>(rows.size());
  // Each bucket's days, as one window from its first to its last.
  std::map<std::string, std::pair<int64_t, int64_t>> span;
  for (const Row& r : rows) {
    auto [it, added] = span.try_emplace(r.bucket, r.day.unix_seconds(), r.day.unix_seconds());
    it->second.first = std::min(it->second.first, r.day.unix_seconds());
    it->second.second = std::max(it->second.second, r.day.unix_seconds());
  }
  for (const auto& [bucket, days] : span) {
    out.buckets.emplace(bucket, UsageBatch(source + "/" + bucket,
                                           TimeWindow{Timestamp::FromUnixSeconds(days.first),
                                                      Timestamp::FromUnixSeconds(days.second + 86400)}));
  }
  std::map<std::pair<std::string, int64_t>, Decimal> capacity;  // (bucket, day) -> GiB
  for (const Row& r : rows) {
    UsageBatch& batch = out.buckets.at(r.bucket);
    const uint32_t asset = batch.AddAsset(Asset{r.bucket, "", "", "", {}});
    Consumer consumer{r.bucket + "/" + r.prefix, "", "", "", "", r.labels};
    if (!r.objects.empty()) consumer.labels["objects"] = r.objects;
    if (!r.last_access.empty()) consumer.labels["last_access"] = r.last_access;
    const uint32_t c = batch.AddConsumer(consumer);
    for (int64_t h = 0; h < 24; ++h) {
      batch.AddUsage(UsageFact{Timestamp::FromUnixSeconds(r.day.unix_seconds() + h * 3600), c,
                               asset, "storage", "GiB", Decimal(), r.gib});
    }
    capacity[{r.bucket, r.day.unix_seconds()}] += r.gib;
  }
  for (const auto& [key, gib] : capacity) {
    UsageBatch& batch = out.buckets.at(key.first);
    const uint32_t asset = batch.AddAsset(Asset{key.first, "", "", "", {}});
    for (int64_t h = 0; h < 24; ++h) {
      batch.AddCapacity(CapacityFact{Timestamp::FromUnixSeconds(key.second + h * 3600), asset,
                                     "storage", "GiB", gib});
    }
  }
  return out;
}

}  // namespace tally
