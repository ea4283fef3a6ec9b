#include "ingest/telemetry/usage_csv/usage_csv_reader.h"

#include <algorithm>
#include <array>
#include <deque>
#include <map>

#include "common/csv_reader.h"
#include "common/strings.h"

namespace tally {
namespace {

constexpr std::array<std::string_view, 9> kUsageColumns = {
    "start", "end", "consumer", "asset", "resource", "request", "usage", "unit", "labels"};
constexpr std::array<std::string_view, 7> kInventoryColumns = {
    "start", "end", "asset", "resource", "capacity", "unit", "labels"};

// The unit each known resource must come in; other resources take any unit. A shared GPU
// counts in its parts, "<part>/<N>" (UnitsPerWhole), e.g. "mig-slice/7" or "replica/4".
bool UnitFits(std::string_view resource, std::string_view unit) {
  if (resource == "cpu") return unit == "core";
  if (resource == "memory") return unit == "GiB";
  if (resource == "gpu") return unit == "gpu" || UnitsPerWhole(unit) > 1;
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
    if (overlap == 3600) {  // the whole hour: the amount itself
      add(h, amount);
      continue;
    }
    TALLY_ASSIGN_OR_RETURN(Decimal product, amount.Multiply(Decimal::FromUnits(overlap)));
    TALLY_ASSIGN_OR_RETURN(Decimal hours, product.Divide(Decimal::FromUnits(3600)));
    add(h, hours);
  }
  return Status::Ok();
}

}  // namespace

int64_t UsageCsvRun::Amounts::Encode(const Decimal& d) {
  constexpr Decimal::Raw kNano = 1'000'000'000;
  constexpr Decimal::Raw kLimit = Decimal::Raw(1) << 61;
  const Decimal::Raw raw = d.raw();
  if (raw % kNano == 0 && raw / kNano < kLimit && raw / kNano > -kLimit) {
    return static_cast<int64_t>(raw / kNano) * 2;
  }
  exact_.push_back(d);
  return static_cast<int64_t>(exact_.size() - 1) * 2 + 1;
}

Decimal UsageCsvRun::Amounts::Decode(int64_t code) const {
  if (code % 2 != 0) return exact_[static_cast<size_t>(code / 2)];
  return Decimal::FromRaw(Decimal::Raw(code / 2) * 1'000'000'000);
}

namespace {

class FileReader {
 public:
  FileReader(const std::string& path, UsageCsvKind kind, UsageBatch* batch,
             UsageCsvRun::Facts* facts)
      : path_(path), kind_(kind), batch_(batch), facts_(facts) {}

  Result<int64_t> Read() {
    int64_t rows = 0;
    TALLY_RETURN_IF_ERROR(ReadCsvFile(
        path_, [&](std::span<const std::string_view> header) { return MapHeader(header); },
        [&](int64_t line, std::span<const std::string_view> fields) {
          line_ = line;
          ++rows;
          return Row(fields);
        }));
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
                                " (cpu: core, memory: GiB, gpu: gpu, or parts of one as "
                                "mig-slice/7, replica/4)");
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
      const uint32_t kind = facts_->Kind(resource, unit);
      return Spread(start, end, capacity, [&](Timestamp h, Decimal amount) {
        facts_->Add(h, UsageCsvRun::kNoConsumer, asset, kind, amount, Decimal());
      });
    }
    const std::string_view consumer_name = Field(row, 2);
    if (consumer_name.empty()) return Fail(2, "empty");
    TALLY_ASSIGN_OR_RETURN(uint32_t c, ConsumerOf(consumer_name, Field(row, labels_col), *labels));
    const uint32_t asset = asset_name.empty() ? kNoAsset : AssetOf(asset_name);
    TALLY_ASSIGN_OR_RETURN(Decimal request, Amount(row, 5));
    TALLY_ASSIGN_OR_RETURN(Decimal used, Amount(row, 6));
    const uint32_t kind = facts_->Kind(resource, unit);
    // Both amounts cover the same hours: spread them together.
    std::vector<std::pair<Timestamp, Decimal>> requested;
    TALLY_RETURN_IF_ERROR(Spread(start, end, request, [&](Timestamp h, Decimal part) {
      requested.emplace_back(h, part);
    }));
    size_t i = 0;
    return Spread(start, end, used, [&](Timestamp h, Decimal part) {
      facts_->Add(h, c, asset, kind, requested[i++].second, part);
    });
  }

  // The batch index of a consumer. Rows of one consumer usually repeat its labels: they are
  // applied again only when their text differs.
  Result<uint32_t> ConsumerOf(std::string_view name, std::string_view labels_text,
                              const Labels& labels) {
    auto it = consumers_.find(name);
    if (it != consumers_.end() && it->second.second == labels_text) return it->second.first;
    Consumer consumer{std::string(name), "", "", "", "", labels};
    if (auto ns = labels.find("namespace"); ns != labels.end()) consumer.namespace_name = ns->second;
    const uint32_t index = batch_->AddConsumer(consumer);
    consumers_[std::string(name)] = {index, std::string(labels_text)};
    return index;
  }

  uint32_t AssetOf(std::string_view name) {
    auto it = assets_.find(name);
    if (it != assets_.end()) return it->second;
    const uint32_t index = batch_->AddAsset(Asset{std::string(name), "", "", "", {}});
    assets_.emplace(std::string(name), index);
    return index;
  }

  const std::string& path_;
  UsageCsvKind kind_;
  UsageBatch* batch_;
  UsageCsvRun::Facts* facts_;
  std::map<std::string, std::pair<uint32_t, std::string>, std::less<>> consumers_;
  std::map<std::string, uint32_t, std::less<>> assets_;
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

uint32_t UsageCsvRun::Facts::Kind(const std::string& resource, const std::string& unit) {
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i].first == resource && kinds[i].second == unit) return static_cast<uint32_t>(i);
  }
  kinds.emplace_back(resource, unit);
  return static_cast<uint32_t>(kinds.size() - 1);
}

void UsageCsvRun::Facts::Add(Timestamp hour, uint32_t consumer, uint32_t asset, uint32_t kind,
                             const Decimal& request, const Decimal& usage) {
  Record r;
  r.hour = static_cast<int32_t>(hour.unix_seconds() / 3600);
  r.consumer = consumer;
  r.asset = asset;
  r.kind = kind;
  r.request = amounts.Encode(request);
  r.usage = amounts.Encode(usage);
  records.push_back(r);
}

Result<std::unique_ptr<UsageCsvRun>> UsageCsvRun::Read(const std::vector<std::string>& paths,
                                                       UsageCsvKind kind,
                                                       const std::string& source,
                                                       UsageCsvTotals* totals,
                                                       size_t facts_per_batch) {
  std::unique_ptr<UsageCsvRun> run(new UsageCsvRun(source, std::max<size_t>(facts_per_batch, 1)));
  for (const std::string& path : paths) {
    FileReader reader(path, kind, &run->staging_, &run->facts_);
    TALLY_ASSIGN_OR_RETURN(int64_t rows, reader.Read());
    totals->rows += rows;
    ++totals->files;
  }
  std::deque<Record>& records = run->facts_.records;
  if (records.empty()) return InvalidArgument("no rows in the files");
  // Sum the facts of one hour, consumer, asset and resource into one record.
  std::sort(records.begin(), records.end(),
            [](const Record& a, const Record& b) { return a.Key() < b.Key(); });
  Amounts& amounts = run->facts_.amounts;
  size_t out = 0;
  for (size_t i = 0; i < records.size(); ++out) {
    Record merged = records[i];
    Decimal request = amounts.Decode(merged.request), usage = amounts.Decode(merged.usage);
    bool summed = false;
    for (++i; i < records.size() && records[i].Key() == merged.Key(); ++i) {
      if (!request.CheckedAdd(amounts.Decode(records[i].request)) ||
          !usage.CheckedAdd(amounts.Decode(records[i].usage))) {
        return InvalidArgument("the amounts of one hour of " +
                               run->staging_.consumers()[merged.consumer].name + " overflow");
      }
      summed = true;
    }
    if (summed) {
      merged.request = amounts.Encode(request);
      merged.usage = amounts.Encode(usage);
    }
    records[out] = merged;
  }
  records.resize(out);
  run->next_hour_ = int64_t{records.front().hour} * 3600;
  run->end_hour_ = (int64_t{records.back().hour} + 1) * 3600;
  return run;
}

Result<bool> UsageCsvRun::Next(UsageBatch* batch) {
  const std::deque<Record>& records = facts_.records;
  if (next_ >= records.size()) return false;
  // Whole hours, until the batch holds about kFactsPerBatch facts.
  size_t end = std::min(records.size(), next_ + facts_per_batch_);
  while (end < records.size() && records[end].hour == records[end - 1].hour) ++end;
  const int64_t window_end =
      end < records.size() ? int64_t{records[end].hour} * 3600 : end_hour_;
  *batch = UsageBatch(source_, TimeWindow{Timestamp::FromUnixSeconds(next_hour_),
                                          Timestamp::FromUnixSeconds(window_end)});
  std::vector<uint32_t> consumer_index(staging_.consumers().size(), kNoAsset);
  std::vector<uint32_t> asset_index(staging_.assets().size(), kNoAsset);
  auto asset_of = [&](uint32_t a) {
    if (a == kNoAsset) return kNoAsset;
    if (asset_index[a] == kNoAsset) asset_index[a] = batch->AddAsset(staging_.assets()[a]);
    return asset_index[a];
  };
  // An inventory asset with an "address" label (one or more, comma-separated) holds them in the
  // hours it has capacity, as a consumer of its own name: traffic a node sends itself (host
  // network pods, the kubelet) is its owner's.
  std::vector<int32_t> addressed_hour(staging_.assets().size(), -1);
  auto add_addresses = [&](uint32_t a, const Record& r, Timestamp hour) {
    if (a == kNoAsset || addressed_hour[a] == r.hour) return;
    addressed_hour[a] = r.hour;
    const Asset& asset = staging_.assets()[a];
    auto address = asset.labels.find("address");
    if (address == asset.labels.end()) return;
    auto region = asset.labels.find("region");
    const uint32_t node =
        batch->AddConsumer(Consumer{asset.name, "", "", "", "", asset.labels});
    for (const std::string& ip : SplitList(address->second, ',')) {
      batch->AddAddress(AddressFact{hour, ip, node, asset.zone,
                                    region == asset.labels.end() ? "" : region->second, true});
    }
  };
  for (size_t i = next_; i < end; ++i) {
    const Record& r = records[i];
    const Timestamp hour = Timestamp::FromUnixSeconds(int64_t{r.hour} * 3600);
    const auto& [resource, unit] = facts_.kinds[r.kind];
    if (r.consumer == kNoConsumer) {
      batch->AddCapacity(
          CapacityFact{hour, asset_of(r.asset), resource, unit, facts_.amounts.Decode(r.request)});
      add_addresses(r.asset, r, hour);
      continue;
    }
    if (consumer_index[r.consumer] == kNoAsset) {
      consumer_index[r.consumer] = batch->AddConsumer(staging_.consumers()[r.consumer]);
    }
    batch->AddUsage(UsageFact{hour, consumer_index[r.consumer], asset_of(r.asset), resource, unit,
                              facts_.amounts.Decode(r.request), facts_.amounts.Decode(r.usage)});
  }
  next_ = end;
  next_hour_ = window_end;
  return true;
}

}  // namespace tally
