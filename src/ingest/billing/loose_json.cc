#include "ingest/billing/loose_json.h"

#include <nlohmann/json.hpp>

namespace tally {

std::string PythonLiteralToJson(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"' || c == '\'') {  // a string: copy it as a JSON string
      const char quote = c;
      std::string body;
      for (++i; i < text.size() && text[i] != quote; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          char next = text[++i];
          if (next == '\'') {
            body.push_back('\'');
          } else {
            body.push_back('\\');
            body.push_back(next);
          }
        } else if (text[i] == '"') {
          body += "\\\"";
        } else {
          body.push_back(text[i]);
        }
      }
      ++i;  // the closing quote
      out += '"' + body + '"';
      continue;
    }
    auto word = [&](std::string_view w) { return text.substr(i, w.size()) == w; };
    if (word("None")) {
      out += "null";
      i += 4;
    } else if (word("True")) {
      out += "true";
      i += 4;
    } else if (word("False")) {
      out += "false";
      i += 5;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

Result<std::vector<Decimal>> NumbersOfKey(std::string_view json, std::string_view key) {
  std::vector<Decimal> numbers;
  const std::string needle = "\"" + std::string(key) + "\"";
  for (size_t at = json.find(needle); at != std::string_view::npos;
       at = json.find(needle, at + 1)) {
    size_t i = at + needle.size();
    while (i < json.size() && json[i] == ' ') ++i;
    if (i >= json.size() || json[i] != ':') continue;  // the text as a value, not a key
    ++i;
    while (i < json.size() && json[i] == ' ') ++i;
    size_t end = i;
    while (end < json.size() &&
           std::string_view("+-.0123456789eE").find(json[end]) != std::string_view::npos) {
      ++end;
    }
    auto value = Decimal::Parse(json.substr(i, end - i));
    if (!value.ok()) {
      return InvalidArgument("\"" + std::string(key) + "\" is not a number in " +
                             std::string(json));
    }
    numbers.push_back(*value);
  }
  return numbers;
}

Result<std::vector<std::pair<std::string, std::string>>> KeyValueList(std::string_view json) {
  std::vector<std::pair<std::string, std::string>> pairs;
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_array()) {
    return InvalidArgument("not a list of key/value objects");
  }
  for (const auto& item : parsed) {
    if (!item.is_object() || !item.contains("key") || !item["key"].is_string()) {
      return InvalidArgument("not a list of key/value objects");
    }
    const auto& value = item.contains("value") ? item["value"] : nlohmann::json();
    pairs.emplace_back(item["key"].get<std::string>(),
                       value.is_string()
                           ? value.get<std::string>()
                           : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return pairs;
}

}  // namespace tally
