// JSON objects as FOCUS stores them in Tags and SkuPriceDetails: one canonical text per object
// (keys sorted, no spaces), so equal tag sets compare equal as strings.
//
// Pure functions over nlohmann::json, whose exceptions stop here. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tally/status.h"

namespace tally {

// Writes the canonical text of the JSON object in `text` to *out ("{}" stays "{}").
// Errors: kInvalidArgument when `text` is not a JSON object.
Status CanonicalJsonObject(std::string_view text, std::string* out);

// The value of `key` in a JSON object text: strings as they are, other values as JSON text
// (a valueless tag is `true`). nullopt when the key is missing, null, or the text is not JSON.
std::optional<std::string> JsonObjectValue(std::string_view text, std::string_view key);

// Every key of a JSON object text with its value as JsonObjectValue gives it (null values left
// out), in key order; none when the text is not a JSON object.
std::vector<std::pair<std::string, std::string>> JsonObjectValues(std::string_view text);

}  // namespace tally
