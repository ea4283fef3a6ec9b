#include "tally/cost_query.h"

#include "common/strings.h"

namespace tally {

Result<GroupKey> GroupKey::Parse(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return InvalidArgument("empty group-by column");
  GroupKey key;
  if (StartsWithIgnoreCase(text, "tags.")) {
    key.kind = Kind::kTag;
    key.name = std::string(text.substr(5));
    if (key.name.empty()) return InvalidArgument("\"Tags.\" needs a tag key, e.g. Tags.team");
    key.label = "Tags." + key.name;
    return key;
  }
  if (auto column = FindFocusColumn(text)) {
    const FocusColumnInfo& info = InfoOf(*column);
    if (info.type == FocusType::kDecimal) {
      return InvalidArgument(std::string(info.name) +
                             " is a metric, not a dimension: it cannot be grouped by");
    }
    key.column = *column;
    key.label = std::string(info.name);
    return key;
  }
  key.kind = Kind::kExtra;
  key.name = std::string(text);
  key.label = key.name;
  return key;
}

Result<FocusColumn> ParseCostMetric(std::string_view text) {
  for (FocusColumn metric : kCostMetrics) {
    if (EqualsIgnoreCase(NameOf(metric), Trim(text))) return metric;
  }
  return InvalidArgument("unknown metric \"" + std::string(text) +
                         "\": use EffectiveCost, BilledCost, ListCost or ContractedCost");
}

}  // namespace tally
