#include "model/json_object.h"

#include <nlohmann/json.hpp>

namespace tally {

using nlohmann::json;

Status CanonicalJsonObject(std::string_view text, std::string* out) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return InvalidArgument("not a JSON object");
  }
  // nlohmann keeps object keys sorted; invalid UTF-8 is replaced rather than thrown on.
  *out = parsed.dump(-1, ' ', false, json::error_handler_t::replace);
  return Status::Ok();
}

namespace {

std::string ValueText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::optional<std::string> JsonObjectValue(std::string_view text, std::string_view key) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto it = parsed.find(key);
  if (it == parsed.end() || it->is_null()) return std::nullopt;
  return ValueText(*it);
}

std::vector<std::pair<std::string, std::string>> JsonObjectValues(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return out;
  for (const auto& [key, value] : parsed.items()) {
    if (!value.is_null()) out.emplace_back(key, ValueText(value));
  }
  return out;
}

}  // namespace tally
