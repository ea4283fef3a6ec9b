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

std::optional<std::string> JsonObjectValue(std::string_view text, std::string_view key) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto it = parsed.find(key);
  if (it == parsed.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tally
