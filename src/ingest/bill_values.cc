#include "ingest/bill_values.h"

#include "common/strings.h"

namespace tally {
namespace {

// Strips one currency symbol at the front or back; returns whether one was there.
bool StripCurrencySymbol(std::string_view* s) {
  static constexpr std::string_view kSymbols[] = {"$", "\xE2\x82\xAC" /*€*/, "\xC2\xA3" /*£*/,
                                                  "\xC2\xA5" /*¥*/};
  for (std::string_view sym : kSymbols) {
    if (s->starts_with(sym)) {
      s->remove_prefix(sym.size());
      return true;
    }
    if (s->ends_with(sym)) {
      s->remove_suffix(sym.size());
      return true;
    }
  }
  return false;
}

// Removes thousands separators when they sit in groups of three before any '.'; otherwise
// leaves the text alone so that the strict parser rejects it.
bool RemoveGrouping(std::string_view s, std::string* out) {
  std::string_view whole = s.substr(0, s.find('.'));
  if (whole.find(',') == std::string_view::npos) return false;
  size_t group_start = 0;
  for (size_t group = 0;; ++group) {
    size_t comma = whole.find(',', group_start);
    size_t len = (comma == std::string_view::npos ? whole.size() : comma) - group_start;
    if (group == 0 ? (len == 0 || len > 3) : len != 3) return false;
    if (comma == std::string_view::npos) break;
    group_start = comma + 1;
  }
  out->clear();
  for (char c : whole) {
    if (c != ',') out->push_back(c);
  }
  out->append(s.substr(whole.size()));  // a comma after the '.' stays, and fails to parse
  return true;
}

}  // namespace

Result<BillDecimal> ParseBillDecimal(std::string_view text) {
  BillDecimal result;
  std::string_view s = Trim(text);
  if (IsNullText(s)) return result;
  auto plain = Decimal::Parse(s);
  if (plain.ok()) {
    result.value = *plain;
    return result;
  }
  // Formatted money: sign or parentheses, a currency symbol, thousands separators.
  bool negative = false;
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    negative = true;
    s = Trim(s.substr(1, s.size() - 2));
  }
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = negative != (s.front() == '-');
    s.remove_prefix(1);
  }
  bool symbol = StripCurrencySymbol(&s);
  s = Trim(s);
  if (symbol && !s.empty() && s.front() == '-') {  // "$-5.00"
    negative = !negative;
    s.remove_prefix(1);
  }
  std::string ungrouped;
  bool grouped = RemoveGrouping(s, &ungrouped);
  if (grouped) s = ungrouped;
  if (!symbol && !grouped && !negative) return plain.status();
  if (s.empty() || s.front() == '-' || s.front() == '+') {
    return InvalidArgument("not a number: \"" + std::string(text) + "\"");
  }
  auto value = Decimal::Parse(s);
  if (!value.ok()) return InvalidArgument("not a number: \"" + std::string(text) + "\"");
  result.value = negative ? -*value : *value;
  result.formatted = true;
  return result;
}

void AppendJsonEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[(c >> 4) & 0xF]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(c);
        }
    }
  }
}

}  // namespace tally
