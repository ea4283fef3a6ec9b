// CSV quoting shared by the report renderers: a field is quoted when it holds a comma, a quote
// or a line break, with quotes doubled.
//
// Pure function. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tally {

inline void AppendCsvField(std::string_view value, std::string* out) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace tally
