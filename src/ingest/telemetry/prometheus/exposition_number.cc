#include "ingest/telemetry/prometheus/exposition_number.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace tally {

bool ParseExpositionNumber(std::string_view s, bool lenient, double* out) {
  auto eq = [&](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (lenient ? std::tolower(static_cast<unsigned char>(a[i])) !=
                        std::tolower(static_cast<unsigned char>(b[i]))
                  : a[i] != b[i]) {
        return false;
      }
    }
    return true;
  };
  if (eq(s, "NaN")) {
    *out = NAN;
    return true;
  }
  if (eq(s, "+Inf") || eq(s, "Inf")) {
    *out = INFINITY;
    return true;
  }
  if (eq(s, "-Inf")) {
    *out = -INFINITY;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string_view body = s.substr(i);
  size_t digits = 0, k = 0;
  while (k < body.size() && std::isdigit(static_cast<unsigned char>(body[k]))) ++k, ++digits;
  if (k < body.size() && body[k] == '.') {
    ++k;
    while (k < body.size() && std::isdigit(static_cast<unsigned char>(body[k]))) ++k, ++digits;
  }
  if (digits == 0) return false;
  if (k < body.size() && (body[k] == 'e' || body[k] == 'E')) {
    ++k;
    if (k < body.size() && (body[k] == '+' || body[k] == '-')) ++k;
    size_t exp_digits = 0;
    while (k < body.size() && std::isdigit(static_cast<unsigned char>(body[k]))) ++k, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (k != body.size()) return false;
  double v = 0;
  auto [ptr, ec] =
      std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (ptr != body.data() + body.size()) return false;
  if (ec == std::errc::result_out_of_range) v = HUGE_VAL;  // beyond double: +/-Inf
  *out = negative ? -v : v;
  return true;
}

}  // namespace tally
