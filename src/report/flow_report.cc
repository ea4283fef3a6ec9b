#include "report/flow_report.h"

#include <algorithm>
#include <unordered_map>

#include "allocate/ownership.h"
#include "common/strings.h"
#include "tally/allocation.h"

namespace tally {
namespace {

constexpr std::pair<std::string_view, FlowKey> kKeys[] = {
    {"interface", FlowKey::kInterface}, {"class", FlowKey::kClass},
    {"src", FlowKey::kSrc},             {"dst", FlowKey::kDst},
    {"consumer", FlowKey::kConsumer},   {"owner", FlowKey::kOwner}};

std::string_view KeyName(FlowKey key) {
  for (const auto& [name, k] : kKeys) {
    if (k == key) return name;
  }
  return "";
}

}  // namespace

Result<std::vector<FlowKey>> ParseFlowKeys(std::string_view by) {
  std::vector<FlowKey> keys;
  for (const std::string& name : SplitList(by, ',')) {
    auto it = std::find_if(std::begin(kKeys), std::end(kKeys),
                           [&](const auto& k) { return k.first == name; });
    if (it == std::end(kKeys)) {
      return InvalidArgument("--by: \"" + name +
                             "\" is none of interface, class, src, dst, consumer, owner");
    }
    if (std::find(keys.begin(), keys.end(), it->second) == keys.end()) keys.push_back(it->second);
  }
  if (keys.empty()) return InvalidArgument("--by: name at least one key");
  return keys;
}

Result<RecordTable> QueryFlows(Store& store, const Config& config, const FlowQuery& query) {
  std::unordered_map<std::string, std::string> owners;  // consumer -> owner
  const bool by_owner =
      std::find(query.by.begin(), query.by.end(), FlowKey::kOwner) != query.by.end();
  if (by_owner) {
    TALLY_ASSIGN_OR_RETURN(AllocationParties parties, store.ListParties());
    for (const Consumer& c : parties.consumers) {
      OwnershipSubject subject;
      subject.consumer = &c;
      owners.emplace(c.name, OwnerOf(config.ownership, subject, kUnownedOwner));
    }
  }
  struct Sum {
    int64_t bytes = 0, packets = 0;
  };
  // Keys joined by a separator no key holds (addresses, interface ids and names are text):
  // one string per row, no vector of them.
  constexpr char kSeparator = '\x1f';
  std::unordered_map<std::string, Sum> groups;
  std::string key;
  TALLY_RETURN_IF_ERROR(store.ScanFlows(query.from, query.to, [&](const FlowAggregate& f) {
    key.clear();
    for (size_t i = 0; i < query.by.size(); ++i) {
      if (i > 0) key += kSeparator;
      switch (query.by[i]) {
        case FlowKey::kInterface: key += f.interface_id; break;
        case FlowKey::kClass: key += f.flow_class; break;
        case FlowKey::kSrc: key += f.src; break;
        case FlowKey::kDst: key += f.dst; break;
        case FlowKey::kConsumer:
          key += f.consumer.empty() ? kUnattributed : std::string_view(f.consumer);
          break;
        case FlowKey::kOwner: {
          auto it = owners.find(f.consumer);
          key += f.consumer.empty()    ? kUnattributed
                 : it != owners.end() ? std::string_view(it->second)
                                      : kUnownedOwner;
          break;
        }
      }
    }
    Sum& s = groups[key];
    if (__builtin_add_overflow(s.bytes, f.bytes, &s.bytes) ||
        __builtin_add_overflow(s.packets, f.packets, &s.packets)) {
      return InvalidArgument("flow bytes past 2^63 in one group");
    }
    return Status::Ok();
  }));
  std::vector<std::pair<const std::string*, Sum>> rows;
  for (const auto& [k, s] : groups) rows.emplace_back(&k, s);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.bytes != b.second.bytes ? a.second.bytes > b.second.bytes : *a.first < *b.first;
  });
  RecordTable table;
  for (FlowKey k : query.by) {
    table.columns.emplace_back(KeyName(k));
    table.numeric.push_back(false);
    table.decimal.push_back(false);
  }
  for (const char* metric : {"bytes", "packets"}) {
    table.columns.emplace_back(metric);
    table.numeric.push_back(true);
    table.decimal.push_back(false);
  }
  for (const auto& [k, s] : rows) {
    std::vector<std::optional<std::string>> row;
    for (const std::string& part : SplitFields(*k, kSeparator)) row.emplace_back(part);
    row.emplace_back(std::to_string(s.bytes));
    row.emplace_back(std::to_string(s.packets));
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace tally
