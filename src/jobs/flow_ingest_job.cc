#include "jobs/flow_ingest_job.h"

#include <deque>
#include <filesystem>
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "allocate/flow_attribution.h"
#include "ingest/telemetry/network/vpc_flow_reader.h"

namespace tally {
namespace {

const Decimal kBytesPerGB = Decimal::FromUnits(1'000'000'000);

// Every text of a file once, by index.
class Names {
 public:
  uint32_t Of(std::string_view text) {
    auto it = index_.find(text);
    if (it != index_.end()) return it->second;
    const auto id = static_cast<uint32_t>(names_.size());
    names_.emplace_back(text);
    index_.emplace(names_.back(), id);
    return id;
  }
  const std::string& operator[](uint32_t id) const { return names_[id]; }
  std::vector<std::string> Take() {
    index_.clear();
    return {std::make_move_iterator(names_.begin()), std::make_move_iterator(names_.end())};
  }

 private:
  std::deque<std::string> names_;  // a deque: the index's views stay valid as it grows
  std::unordered_map<std::string_view, uint32_t> index_;
};

struct RawKey {
  int64_t hour;
  uint32_t interface_id, src, dst;
  bool operator==(const RawKey&) const = default;
};
struct RawKeyHash {
  size_t operator()(const RawKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.hour) * 0x9E3779B97F4A7C15ull;
    for (uint32_t v : {k.interface_id, k.src, k.dst}) h = (h ^ v) * 0x100000001B3ull;
    return static_cast<size_t>(h);
  }
};
struct Sums {
  int64_t bytes = 0, packets = 0;
};

struct ReadFile {
  FlowFileSummary summary;
  Names names;
  std::unordered_map<RawKey, Sums, RawKeyHash> sums;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

Result<Decimal> Gigabytes(int64_t bytes) { return Decimal::FromUnits(bytes).Divide(kBytesPerGB); }

}  // namespace

std::string FlowIngestSummary::ToString() const {
  return std::to_string(files) + " files, " + std::to_string(records) + " records (" +
         std::to_string(nodata) + " NODATA, " + std::to_string(skipdata) + " SKIPDATA, " +
         std::to_string(rejected_lines) + " lines rejected), " + std::to_string(flows) +
         " flows of " + std::to_string(bytes) + " bytes stored; network usage of " +
         std::to_string(hours) + " hours derived";
}

Result<FlowIngestSummary> RunFlowIngest(Store& store, const Config& config,
                                        std::span<const std::string> paths,
                                        const FlowIngestOptions& options) {
  FlowIngestSummary summary;
  // 1. Read and sum every file first: a bad file stores nothing.
  std::vector<ReadFile> files;
  size_t total = 0;
  for (const std::string& path : paths) {
    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
    ReadFile& file = files.emplace_back();
    file.summary = FlowFileSummary{options.source, ec ? path : absolute};
    VpcFlowCounts counts;
    Status overflow = Status::Ok();
    TALLY_RETURN_IF_ERROR(ReadVpcFlowLog(
        path,
        [&](const VpcFlowRecord& r) {
          if (!overflow.ok()) return;
          const int64_t hour = r.start - ((r.start % 3600) + 3600) % 3600;
          const RawKey key{hour, file.names.Of(r.interface_id), file.names.Of(r.src),
                           file.names.Of(r.dst)};
          auto [it, added] = file.sums.try_emplace(key);
          if (added && ++total > kMaxFlowAggregates) {
            overflow = InvalidArgument(
                "more than " + std::to_string(kMaxFlowAggregates) +
                " distinct hour, interface, source and destination sums; ingest fewer files at "
                "once");
            return;
          }
          if (__builtin_add_overflow(it->second.bytes, r.bytes, &it->second.bytes) ||
              __builtin_add_overflow(it->second.packets, r.packets, &it->second.packets) ||
              __builtin_add_overflow(summary.bytes, r.bytes, &summary.bytes)) {
            overflow = InvalidArgument("byte or packet counts past 2^63");
            return;
          }
        },
        &counts, &summary.problems));
    if (!overflow.ok()) return overflow.WithContext(path);
    if (counts.records + counts.nodata + counts.skipdata == 0 && counts.rejected_lines > 0) {
      return InvalidArgument(path + ": not a VPC flow log: none of its " +
                             std::to_string(counts.rejected_lines) + " lines is a flow record");
    }
    file.summary.records = counts.records;
    file.summary.nodata = counts.nodata;
    file.summary.skipdata = counts.skipdata;
    file.summary.rejected_lines = counts.rejected_lines;
    summary.records += counts.records;
    summary.nodata += counts.nodata;
    summary.skipdata += counts.skipdata;
    summary.rejected_lines += counts.rejected_lines;
    ++summary.files;
  }
  // 2. Attribute, a day at a time, with the addresses held in that day's hours: the address
  // table of a large cluster over months need not fit in memory at once. Each file's sums move
  // into a vector in hour order (and the hash table is freed) so the days come in order.
  struct Entry {
    RawKey key;
    Sums sums;
  };
  std::vector<std::vector<Entry>> entries(files.size());
  std::set<int64_t> days;
  for (size_t f = 0; f < files.size(); ++f) {
    entries[f].reserve(files[f].sums.size());
    for (const auto& [key, sums] : files[f].sums) entries[f].push_back(Entry{key, sums});
    files[f].sums = {};
    std::sort(entries[f].begin(), entries[f].end(),
              [](const Entry& a, const Entry& b) { return a.key.hour < b.key.hour; });
    for (const Entry& e : entries[f]) days.insert(FloorDiv(e.key.hour, 86400));
  }
  std::vector<FlowFile> stored(files.size());
  std::vector<size_t> next(files.size(), 0);
  for (size_t f = 0; f < files.size(); ++f) {
    stored[f].summary = std::move(files[f].summary);
    stored[f].rows.reserve(entries[f].size());
  }
  for (int64_t day : days) {
    TALLY_ASSIGN_OR_RETURN(std::vector<NetworkAddress> addresses,
                           store.ListAddresses(TimeWindow{Timestamp::FromUnixSeconds(day * 86400),
                                                          Timestamp::FromUnixSeconds((day + 1) * 86400)}));
    const FlowAttribution attribution(config.network, addresses);
    for (size_t f = 0; f < files.size(); ++f) {
      Names& names = files[f].names;
      for (; next[f] < entries[f].size() && FloorDiv(entries[f][next[f]].key.hour, 86400) == day;
           ++next[f]) {
        const auto& [key, sums] = entries[f][next[f]];
        const Timestamp hour = Timestamp::FromUnixSeconds(key.hour);
        const FlowPath path = attribution.Attribute(hour, names[key.src], names[key.dst]);
        stored[f].rows.push_back(FlowRow{hour, key.interface_id, key.src, key.dst,
                                         names.Of(path.flow_class), names.Of(path.consumer),
                                         sums.bytes, sums.packets});
      }
    }
  }
  entries.clear();
  for (size_t f = 0; f < files.size(); ++f) {
    summary.flows += static_cast<int64_t>(stored[f].rows.size());
    stored[f].names = files[f].names.Take();
  }
  // 3. Store.
  TALLY_ASSIGN_OR_RETURN(std::vector<Timestamp> changed, store.StoreFlowFiles(stored));
  stored.clear();
  // 4. Derive the changed hours' usage, one batch over their span.
  if (!changed.empty()) {
    const TimeWindow span{changed.front(),
                          Timestamp::FromUnixSeconds(changed.back().unix_seconds() + 3600)};
    TALLY_RETURN_IF_ERROR(DeriveNetworkUsage(store, config, options.source, span).status());
    summary.hours = (span.end.unix_seconds() - span.start.unix_seconds()) / 3600;
  }
  return summary;
}

Result<UsageCommit> DeriveNetworkUsage(Store& store, const Config& config,
                                       const std::string& source, TimeWindow hours) {
  UsageBatch batch(source, hours);
  // Per hour and class: all bytes (capacity); per hour, class and consumer: bytes sent.
  std::map<std::pair<int64_t, std::string>, int64_t> capacity;
  std::map<std::tuple<int64_t, std::string, std::string>, int64_t> used;  // (hour, class, consumer)
  TALLY_RETURN_IF_ERROR(store.ScanFlows(hours.start, hours.end, [&](const FlowAggregate& f) {
    int64_t& c = capacity[{f.hour.unix_seconds(), f.flow_class}];
    if (__builtin_add_overflow(c, f.bytes, &c)) {
      return InvalidArgument("network bytes of one hour past 2^63");
    }
    if (!f.consumer.empty()) {
      int64_t& u = used[{f.hour.unix_seconds(), f.flow_class, f.consumer}];
      u += f.bytes;  // at most the class's bytes of the hour, checked above
    }
    return Status::Ok();
  }));
  std::map<std::string, uint32_t> assets;
  auto asset = [&](const std::string& flow_class) {
    auto it = assets.find(flow_class);
    if (it == assets.end()) {
      it = assets
               .emplace(flow_class, batch.AddAsset(Asset{NetworkAssetName(flow_class), "", "",
                                                         "", {{"class", flow_class}}}))
               .first;
    }
    return it->second;
  };
  for (const auto& [key, bytes] : capacity) {
    TALLY_ASSIGN_OR_RETURN(Decimal gb, Gigabytes(bytes));
    batch.AddCapacity(CapacityFact{Timestamp::FromUnixSeconds(key.first), asset(key.second),
                                   std::string(kNetworkResource), std::string(kNetworkUnit), gb});
  }
  for (const auto& [key, bytes] : used) {
    const auto& [hour, flow_class, name] = key;
    // A consumer a static rule names carries the rule's labels for the ownership rules; one
    // telemetry named is already stored with its own.
    Consumer consumer{name, "", "", "", "", {}};
    for (const NetworkOwnerRule& rule : config.network.owners) {
      if (rule.consumer == name) {
        consumer.labels = Labels(rule.labels.begin(), rule.labels.end());
        break;
      }
    }
    TALLY_ASSIGN_OR_RETURN(Decimal gb, Gigabytes(bytes));
    batch.AddUsage(UsageFact{Timestamp::FromUnixSeconds(hour), batch.AddConsumer(consumer),
                             asset(flow_class), std::string(kNetworkResource),
                             std::string(kNetworkUnit), Decimal(), gb});
  }
  return store.StoreUsage(std::span(&batch, 1));
}

}  // namespace tally
