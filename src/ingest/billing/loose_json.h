// Reading the JSON-like cells of provider exports: GCP's credits and labels arrive either as
// JSON or as Python literals ('single quotes', None, True), and money inside them must be read
// from its text, never through a double.
//
// Hand-written (see src/ingest/README.md): nlohmann-json, the JSON library here, turns numbers
// into binary floating point, which would break exact amounts. Pure functions. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"

namespace tally {

// Turns Python literal syntax into JSON: 'text' -> "text" (escaping as needed), None -> null,
// True -> true, False -> false. JSON input comes back unchanged.
std::string PythonLiteralToJson(std::string_view text);

// The values of every `"key": <number>` in `json` (after PythonLiteralToJson), read exactly,
// in order. Errors: kInvalidArgument when such a value is not a number.
Result<std::vector<Decimal>> NumbersOfKey(std::string_view json, std::string_view key);

// The pairs of a list of {"key": K, "value": V} objects (GCP labels), in order; a value that is
// not a string is given as its JSON text. Errors: kInvalidArgument for any other shape.
Result<std::vector<std::pair<std::string, std::string>>> KeyValueList(std::string_view json);

}  // namespace tally
