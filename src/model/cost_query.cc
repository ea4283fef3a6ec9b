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

Result<CostStep> ParseCostStep(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return CostStep::kNone;
  if (EqualsIgnoreCase(text, "hour") || EqualsIgnoreCase(text, "1h")) return CostStep::kHour;
  if (EqualsIgnoreCase(text, "day") || EqualsIgnoreCase(text, "1d")) return CostStep::kDay;
  if (EqualsIgnoreCase(text, "month")) return CostStep::kMonth;
  return InvalidArgument("unknown step \"" + std::string(text) + "\": use hour, day or month");
}

Result<CostFilter> CostFilter::Parse(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return InvalidArgument("where: \"" + std::string(text) +
                           "\" is not COLUMN=VALUE[,VALUE...] (e.g. ServiceCategory=Compute)");
  }
  CostFilter filter;
  TALLY_ASSIGN_OR_RETURN(filter.key, GroupKey::Parse(text.substr(0, eq)));
  if (filter.key.IsLineLevel()) {
    return InvalidArgument("where: " + filter.key.label +
                           " is kept per line and cannot filter; use --from/--to for time, or a "
                           "FOCUS dimension or Tags.<key>");
  }
  const std::string_view values = text.substr(eq + 1);
  size_t start = 0;
  for (;;) {
    const size_t comma = values.find(',', start);
    filter.values.emplace_back(
        Trim(values.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return filter;
}

}  // namespace tally
