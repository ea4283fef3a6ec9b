// Cell helpers shared by the report renderers: CSV quoting (a field is quoted when it holds a
// comma, a quote or a line break, with quotes doubled) and the display width of UTF-8 text.
//
// Pure functions. Thread-safe.
#pragma once

#include <algorithm>
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

// Width in characters: each UTF-8 sequence counts once.
inline size_t DisplayWidth(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace tally
