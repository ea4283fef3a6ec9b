#include "ingest/telemetry/usage_csv/usage_csv_reader.h"

#include <algorithm>
#include <array>
#include <map>

#include "common/csv_reader.h"
#include "common/strings.h"

namespace tally {
namespace {

constexpr std::array<std::string_view, 9> kUsageColumns = {
    "start", "end", "consumer", "asset", "resource", "request", "usage", "unit", "labels"};
constexpr std::array<std::string_view, 7> kInventoryColumns = {
    "start", "end", "asset", "resource", "capacity", "unit", "labels"};

// The unit each known resource must come in; other resources take any unit.
bool UnitFits(std::string_view resource, std::string_view unit) {
  if (resource == "cpu") return unit == "core";
  if (resource == "memory") return unit == "GiB";
  if (resource == "gpu") return unit == "gpu";
  return !unit.empty();
}

// amount × seconds of [from, to) in each hour, as amount-hours.
Status Spread(Timestamp from, Timestamp to, Decimal amount,
              const std::function<void(Timestamp, Decimal)>& add) {
  for (Timestamp h = from.StartOfHour(); h < to;
       h = Timestamp::FromUnixSeconds(h.unix_seconds() + 3600)) {
    const int64_t overlap = std::min(to.unix_seconds(), h.unix_seconds() + 3600) -
                            std::max(from.unix_seconds(), h.unix_seconds());
    if (overlap <= 0) continue;
    TALLY_ASSIGN_OR_RETURN(Decimal product, amount.Multiply(Decimal::FromUnits(overlap)));
    TALLY_ASSIGN_OR_RETURN(Decimal hours, product.Divide(Decimal::FromUnits(3600)));
    add(h, hours);
  }
  return Status::Ok();
}

class FileReader {
 public:
  FileReader(const std::string& path, UsageCsvKind kind, UsageBatch* batch,
             std::map<std::tuple<int64_t, uint32_t, uint32_t, std::string>, UsageFact>* usage,
             std::map<std::tuple<int64_t, uint32_t, std::string>, CapacityFact>* capacity)
      : path_(path), kind_(kind), batch_(batch), usage_(usage), capacity_(capacity) {}

  Result<int64_t> Read() {
    TALLY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, InputFile::Open(path_));
    CsvReader csv(in.get());
    TALLY_ASSIGN_OR_RETURN(bool has_header, csv.Next());
    if (!has_header) return InvalidArgument(path_ + ": empty file");
    TALLY_RETURN_IF_ERROR(MapHeader(csv.fields()));
    const size_t width = csv.fields().size();
    int64_t rows = 0;
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool more, csv.Next());
      if (!more) break;
      if (csv.blank()) continue;
      line_ = csv.line();
      TALLY_RETURN_IF_ERROR(csv.CheckNotCutOff(width));
      TALLY_RETURN_IF_ERROR(Row(csv.fields()));
      ++rows;
    }
    return rows;
  }

 private:
  std::span<const std::string_view> Columns() const {
    if (kind_ == UsageCsvKind::kUsage) return kUsageColumns;
    return kInventoryColumns;
  }

  Status MapHeader(std::span<const std::string_view> header) {
    for (std::string_view name : Columns()) {
      auto it = std::find_if(header.begin(), header.end(),
                             [&](std::string_view h) { return EqualsIgnoreCase(Trim(h), name); });
      if (it == header.end()) {
        return InvalidArgument(path_ + ": line 1: missing column \"" + std::string(name) + "\" (" +
                               (kind_ == UsageCsvKind::kUsage ? "usage" : "inventory") +
                               " files have columns " + Join(Columns()) + ")");
      }
      index_.push_back(static_cast<size_t>(it - header.begin()));
    }
    return Status::Ok();
  }

  static std::string Join(std::span<const std::string_view> names) {
    std::string s;
    for (std::string_view n : names) s += (s.empty() ? "" : ",") + std::string(n);
    return s;
  }

  Status Fail(size_t column, const std::string& reason) const {
    return InvalidArgument(path_ + ": line " + std::to_string(line_) + ": column " +
                           std::string(Columns()[column]) + ": " + reason);
  }

  std::string_view Field(std::span<const std::string_view> row, size_t column) const {
    const size_t i = index_[column];
    return i < row.size() ? Trim(row[i]) : std::string_view();
  }

  Result<Timestamp> Time(std::span<const std::string_view> row, size_t column) const {
    auto t = ParseTimestamp(Field(row, column));
    if (!t.ok()) return Fail(column, t.status().message());
    return *t;
  }

  Result<Decimal> Amount(std::span<const std::string_view> row, size_t column) const {
    const std::string_view text = Field(row, column);
    if (text.empty()) return Decimal();
    auto d = Decimal::Parse(text);
    if (!d.ok()) return Fail(column, d.status().message());
    if (d->is_negative()) return Fail(column, "negative amount " + std::string(text));
    return *d;
  }

  Status Row(std::span<const std::string_view> row) {
    const bool usage = kind_ == UsageCsvKind::kUsage;
    TALLY_ASSIGN_OR_RETURN(Timestamp start, Time(row, 0));
    TALLY_ASSIGN_OR_RETURN(Timestamp end, Time(row, 1));
    if (end <= start) return Fail(1, "end must be after start");
    const size_t asset_col = usage ? 3 : 2, resource_col = usage ? 4 : 3;
    const size_t unit_col = usage ? 7 : 5, labels_col = usage ? 8 : 6;
    const std::string resource(Field(row, resource_col));
    const std::string unit(Field(row, unit_col));
    if (resource.empty()) return Fail(resource_col, "empty");
    if (!UnitFits(resource, unit)) {
      return Fail(unit_col, "\"" + unit + "\" is not the unit of " + resource +
                                " (cpu: core, memory: GiB, gpu: gpu)");
    }
    auto labels = ParseLabelList(Field(row, labels_col));
    if (!labels.ok()) return Fail(labels_col, labels.status().message());
    const std::string asset_name(Field(row, asset_col));
    if (!usage) {
      if (asset_name.empty()) return Fail(asset_col, "empty");
      // Well-known labels fill the asset's identity.
      auto label = [&](const char* key) {
        auto it = labels->find(key);
        return it == labels->end() ? std::string() : it->second;
      };
      const uint32_t asset = batch_->AddAsset(
          Asset{asset_name, label("provider_id"), label("instance_type"), label("zone"), *labels});
      TALLY_ASSIGN_OR_RETURN(Decimal capacity, Amount(row, 4));
      return Spread(start, end, capacity, [&](Timestamp h, Decimal amount) {
        auto [it, added] = capacity_->try_emplace({h.unix_seconds(), asset, resource},
                                                  CapacityFact{h, asset, resource, unit, {}});
        it->second.capacity += amount;
      });
    }
    const std::string consumer_name(Field(row, 2));
    if (consumer_name.empty()) return Fail(2, "empty");
    Consumer consumer{consumer_name, "", "", "", "", *labels};
    if (auto ns = labels->find("namespace"); ns != labels->end())
      consumer.namespace_name = ns->second;
    const uint32_t c = batch_->AddConsumer(consumer);
    const uint32_t asset =
        asset_name.empty() ? kNoAsset : batch_->AddAsset(Asset{asset_name, "", "", "", {}});
    TALLY_ASSIGN_OR_RETURN(Decimal request, Amount(row, 5));
    TALLY_ASSIGN_OR_RETURN(Decimal used, Amount(row, 6));
    for (const bool is_request : {true, false}) {
      TALLY_RETURN_IF_ERROR(
          Spread(start, end, is_request ? request : used, [&](Timestamp h, Decimal part) {
            auto [it, added] = usage_->try_emplace({h.unix_seconds(), c, asset, resource},
                                                   UsageFact{h, c, asset, resource, unit, {}, {}});
            (is_request ? it->second.request : it->second.usage) += part;
          }));
    }
    return Status::Ok();
  }

  const std::string& path_;
  UsageCsvKind kind_;
  UsageBatch* batch_;
  std::map<std::tuple<int64_t, uint32_t, uint32_t, std::string>, UsageFact>* usage_;
  std::map<std::tuple<int64_t, uint32_t, std::string>, CapacityFact>* capacity_;
  std::vector<size_t> index_;
  int64_t line_ = 0;
};

}  // namespace

Result<Labels> ParseLabelList(std::string_view text) {
  Labels labels;
  for (const std::string& part : SplitList(text, ';')) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos) return InvalidArgument("label \"" + part + "\" is not k=v");
    const std::string key(Trim(std::string_view(part).substr(0, eq)));
    if (key.empty()) return InvalidArgument("label \"" + part + "\" has no key");
    labels[key] = std::string(Trim(std::string_view(part).substr(eq + 1)));
  }
  return labels;
}

Result<UsageBatch> ReadUsageCsvFiles(const std::vector<std::string>& paths, UsageCsvKind kind,
                                     const std::string& source, UsageCsvTotals* totals) {
  UsageBatch staging(source, {});
  std::map<std::tuple<int64_t, uint32_t, uint32_t, std::string>, UsageFact> usage;
  std::map<std::tuple<int64_t, uint32_t, std::string>, CapacityFact> capacity;
  for (const std::string& path : paths) {
    FileReader reader(path, kind, &staging, &usage, &capacity);
    TALLY_ASSIGN_OR_RETURN(int64_t rows, reader.Read());
    totals->rows += rows;
    ++totals->files;
  }
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const auto& [key, f] : usage)
    first = std::min(first, std::get<0>(key)), last = std::max(last, std::get<0>(key));
  for (const auto& [key, f] : capacity)
    first = std::min(first, std::get<0>(key)), last = std::max(last, std::get<0>(key));
  if (first > last) return InvalidArgument("no rows in the files");
  UsageBatch batch(source, TimeWindow{Timestamp::FromUnixSeconds(first),
                                      Timestamp::FromUnixSeconds(last + 3600)});
  for (const Consumer& c : staging.consumers()) batch.AddConsumer(c);
  for (const Asset& a : staging.assets()) batch.AddAsset(a);
  for (auto& [key, f] : usage) batch.AddUsage(std::move(f));
  for (auto& [key, f] : capacity) batch.AddCapacity(std::move(f));
  return batch;
}

}  // namespace tally
