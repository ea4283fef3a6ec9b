// Usage queries: stored usage facts summed over a window and grouped by consumer fields,
// asset, resource or a label. Rows are always split by resource and unit, since core-hours
// and GiB-hours do not add. The store scans the facts (UsageFactView); report/usage_report
// groups them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"
#include "tally/time.h"
#include "tally/usage.h"

namespace tally {

struct UsageGroupKey {
  enum class Kind {
    kConsumer,
    kNamespace,
    kPod,
    kContainer,
    kController,
    kAsset,
    kResource,
    kUnit,
    kSource,
    kLabel,
    kDay,   // "2026-05-01"
    kHour,  // "2026-05-01T13:00:00Z"
  };
  Kind kind = Kind::kConsumer;
  std::string label_key;  // for kLabel
  std::string header;     // "namespace", "label.team"

  // Parses consumer, namespace, pod, container, controller, node or asset, resource, unit,
  // source, day, hour, label.<key>. Errors: kInvalidArgument naming the choices.
  static Result<UsageGroupKey> Parse(std::string_view text);
};

struct UsageQuery {
  std::vector<UsageGroupKey> group_by;
  std::optional<Timestamp> from;  // hour >= from
  std::optional<Timestamp> to;    // hour < to
  std::optional<std::string> resource;  // only facts of this resource ("gpu")
};

enum class FactKind { kUsage, kCapacity };

// One stored fact as a scan hands it over, its consumer and asset resolved (an empty Consumer
// for capacity facts, an empty Asset when none). Views last for the callback only.
struct UsageFactView {
  const Consumer* consumer = nullptr;
  const Asset* asset = nullptr;
  std::string_view source, resource, unit;
  int64_t hour = 0;  // unix seconds
  Decimal request;   // the capacity, for capacity facts
  Decimal usage;
};

struct UsageRow {
  std::vector<std::string> keys;  // one per group-by key, then resource and unit
  Decimal request;                // amount-hours
  Decimal usage;
  int64_t facts = 0;
};

struct UsageTable {
  std::vector<std::string> columns;  // group-by headers, then "resource", "unit"
  std::vector<UsageRow> rows;        // sorted by keys
  int64_t facts = 0;
};

}  // namespace tally
