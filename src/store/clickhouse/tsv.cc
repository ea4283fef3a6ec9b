#include "store/clickhouse/tsv.h"

namespace tally::clickhouse {
namespace {

void AppendEscaped(std::string_view value, char quote, std::string* out) {
  for (char c : value) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\0':
        *out += "\\0";
        break;
      default:
        if (c == quote) *out += '\\';
        *out += c;
    }
  }
}

}  // namespace

void AppendTsvString(std::string_view value, std::string* out) { AppendEscaped(value, 0, out); }

void AppendTsvArray(const std::vector<std::string_view>& values, std::string* out) {
  *out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) *out += ',';
    *out += '\'';
    AppendEscaped(values[i], '\'', out);
    *out += '\'';
  }
  *out += ']';
}

std::string SqlString(std::string_view value) {
  std::string out = "'";
  AppendEscaped(value, '\'', &out);
  out += '\'';
  return out;
}

void SplitTsvLine(std::string_view line, std::vector<std::optional<std::string>>* fields) {
  fields->clear();
  std::string field;
  bool escaped_null = false;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      if (escaped_null && field.empty()) {
        fields->emplace_back(std::nullopt);
      } else {
        fields->emplace_back(std::move(field));
      }
      field.clear();
      escaped_null = false;
      continue;
    }
    if (line[i] != '\\' || i + 1 == line.size()) {
      field += line[i];
      continue;
    }
    const char next = line[++i];
    switch (next) {
      case 't':
        field += '\t';
        break;
      case 'n':
        field += '\n';
        break;
      case 'r':
        field += '\r';
        break;
      case '0':
        field += '\0';
        break;
      case 'b':
        field += '\b';
        break;
      case 'f':
        field += '\f';
        break;
      case 'N':
        if (field.empty()) {
          escaped_null = true;
          break;
        }
        field += 'N';
        break;
      default:
        field += next;
    }
  }
}

}  // namespace tally::clickhouse
