#include "tally/usage_query.h"

#include <array>
#include <utility>

#include "common/strings.h"

namespace tally {

Result<UsageGroupKey> UsageGroupKey::Parse(std::string_view text) {
  using Kind = UsageGroupKey::Kind;
  static constexpr std::array<std::pair<std::string_view, Kind>, 12> kNames = {{
      {"consumer", Kind::kConsumer},
      {"namespace", Kind::kNamespace},
      {"pod", Kind::kPod},
      {"container", Kind::kContainer},
      {"controller", Kind::kController},
      {"asset", Kind::kAsset},
      {"node", Kind::kAsset},
      {"resource", Kind::kResource},
      {"unit", Kind::kUnit},
      {"source", Kind::kSource},
      {"day", Kind::kDay},
      {"hour", Kind::kHour},
  }};
  const std::string_view trimmed = Trim(text);
  for (const auto& [name, kind] : kNames) {
    if (EqualsIgnoreCase(trimmed, name)) return UsageGroupKey{kind, "", std::string(name)};
  }
  constexpr std::string_view kLabelPrefix = "label.";
  if (trimmed.size() > kLabelPrefix.size() &&
      EqualsIgnoreCase(trimmed.substr(0, kLabelPrefix.size()), kLabelPrefix)) {
    return UsageGroupKey{Kind::kLabel, std::string(trimmed.substr(kLabelPrefix.size())),
                         std::string(trimmed)};
  }
  return InvalidArgument("unknown usage column \"" + std::string(trimmed) +
                         "\": use consumer, namespace, pod, container, controller, node "
                         "(or asset), resource, unit, source, day, hour or label.<key>");
}

}  // namespace tally
