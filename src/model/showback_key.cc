#include <array>

#include "tally/showback.h"

#include "common/strings.h"

namespace tally {
namespace {

constexpr std::array<std::string_view, 9> kColumnNames = {
    "source", "consumer", "asset", "resource", "owner", "service", "kind", "hour", "day"};

}  // namespace

std::string_view AllocationColumnName(AllocationColumn column) {
  return kColumnNames[static_cast<size_t>(column)];
}

Result<ShowbackKey> ShowbackKey::Parse(std::string_view name) {
  for (size_t c = 0; c < kColumnNames.size(); ++c) {
    if (name == kColumnNames[c]) return Of(static_cast<AllocationColumn>(c));
  }
  if (name == "namespace") return ShowbackKey{Kind::kNamespace, AllocationColumn::kConsumer, {}};
  if (name == "class") return ShowbackKey{Kind::kResourceClass, AllocationColumn::kResource, {}};
  if (name == "controller") return ShowbackKey{Kind::kController, AllocationColumn::kConsumer, {}};
  if (name.starts_with("label.") && name.size() > 6) {
    return ShowbackKey{Kind::kLabel, AllocationColumn::kConsumer, std::string(name.substr(6))};
  }
  return InvalidArgument("unknown showback column \"" + std::string(name) +
                         "\": use owner, consumer, asset, resource, service, source, kind, hour, "
                         "day, namespace, controller, class or label.<key>");
}

std::string ShowbackKey::Name() const {
  switch (kind) {
    case Kind::kColumn:
      return std::string(AllocationColumnName(column));
    case Kind::kNamespace:
      return "namespace";
    case Kind::kLabel:
      return "label." + label;
    case Kind::kResourceClass:
      return "class";
    case Kind::kController:
      return "controller";
  }
  return "";
}

std::string_view ResourceClassOf(std::string_view resource) {
  if (resource == "cpu" || resource == "memory" || resource == "gpu" || resource == "energy") {
    return "compute";
  }
  if (resource == "storage") return "storage";
  if (resource == "network") return "network";
  if (resource == "cache_memory") return "cache";
  return "other";
}

Result<ShowbackFilter> ShowbackFilter::Parse(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return InvalidArgument("filter \"" + std::string(text) +
                           "\": expected KEY=VALUE[,VALUE...], e.g. namespace=ads");
  }
  ShowbackFilter filter;
  TALLY_ASSIGN_OR_RETURN(filter.key, ShowbackKey::Parse(text.substr(0, eq)));
  for (const std::string& value : SplitFields(text.substr(eq + 1), ',')) {
    filter.values.emplace_back(Trim(value));
  }
  return filter;
}

Result<std::vector<ShowbackKey>> ParseShowbackKeys(const std::vector<std::string>& names) {
  std::vector<ShowbackKey> keys;
  for (const std::string& name : names) {
    TALLY_ASSIGN_OR_RETURN(ShowbackKey key, ShowbackKey::Parse(name));
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace tally
