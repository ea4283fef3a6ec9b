// ClickHouse's TabSeparated format, both ways: values written for INSERT (strings escaped,
// arrays as quoted literals, decimals as exact text, \N for null) and answers read back.
// Hand-written: no Debian library speaks ClickHouse's formats, and the escaping is a dozen lines.
//
// Pure functions. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/status.h"

namespace tally::clickhouse {

// A String value: backslash, tab, newline and carriage return escaped.
void AppendTsvString(std::string_view value, std::string* out);
// An Array(String) value: ['a','b\'c'].
void AppendTsvArray(const std::vector<std::string_view>& values, std::string* out);
// A string as an SQL literal: 'it\'s'.
std::string SqlString(std::string_view value);

// Splits one answer line into its fields, unescaped; a \N field is nullopt.
void SplitTsvLine(std::string_view line, std::vector<std::optional<std::string>>* fields);

// Calls each(fields) for every line of a TabSeparated answer; stops at the first error.
template <typename F>
Status ForEachTsvLine(std::string_view body, F each) {
  std::vector<std::optional<std::string>> fields;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    SplitTsvLine(body.substr(start, end - start), &fields);
    Status status = each(fields);
    if (!status.ok()) return status;
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace tally::clickhouse
