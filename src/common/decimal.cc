#include "tally/decimal.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "common/wide_int.h"

namespace tally {
namespace {

using Raw = Decimal::Raw;
using URaw = unsigned __int128;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Malformed(std::string_view text) {
  return InvalidArgument("not a number: \"" + std::string(text) + "\"");
}

// Appends the decimal digits of v.
void AppendUnsigned(URaw v, std::string* out) {
  char buf[40];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  while (n > 0) out->push_back(buf[--n]);
}

Status OutOfRange(std::string_view text) {
  return InvalidArgument("out of range: \"" + std::string(text) + "\"");
}

}  // namespace

Result<Decimal> Decimal::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  // Mantissa: remember where its digits are; the value is digits × 10^(exp10 - frac_digits).
  const size_t mantissa_begin = i;
  int frac_digits = 0;
  bool seen_dot = false;
  int digit_count = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (IsDigit(c)) {
      ++digit_count;
      if (seen_dot) ++frac_digits;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  const size_t mantissa_end = i;
  if (digit_count == 0) return Malformed(text);
  int64_t exp10 = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) exp_negative = text[i++] == '-';
    if (i >= text.size()) return Malformed(text);
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      exp10 = std::min<int64_t>(exp10 * 10 + (text[i] - '0'), 1'000'000);
    }
    if (exp_negative) exp10 = -exp10;
  }
  if (i != text.size()) return Malformed(text);

  // Each mantissa digit has a power of ten in raw units; keep those >= 0, round on the one at -1.
  int64_t power = exp10 - frac_digits + kScale + digit_count - 1;  // power of the first digit
  URaw magnitude = 0;
  bool round_up = false;
  for (size_t j = mantissa_begin; j < mantissa_end; ++j) {
    if (text[j] == '.') continue;
    int d = text[j] - '0';
    if (power >= 0) {
      if (!MulAddChecked(&magnitude, 10, d)) return OutOfRange(text);
    } else if (power == -1) {
      round_up = d >= 5;
    }
    --power;
  }
  // power is now the power of the position after the last digit; fill the missing zeros.
  for (int64_t p = power; p >= 0 && magnitude != 0; --p) {
    if (!MulAddChecked(&magnitude, 10, 0)) return OutOfRange(text);
  }
  if (round_up && !MulAddChecked(&magnitude, 1, 1)) return OutOfRange(text);
  if (magnitude > static_cast<URaw>(std::numeric_limits<Raw>::max())) return OutOfRange(text);
  Raw raw = static_cast<Raw>(magnitude);
  return Decimal(negative ? -raw : raw);
}

void Decimal::AppendTo(std::string* out) const {
  URaw magnitude = raw_ < 0 ? static_cast<URaw>(-(raw_ + 1)) + 1 : static_cast<URaw>(raw_);
  if (raw_ < 0) out->push_back('-');
  AppendUnsigned(magnitude / static_cast<URaw>(kOne), out);
  uint64_t frac = static_cast<uint64_t>(magnitude % static_cast<URaw>(kOne));
  if (frac == 0) return;
  char digits[kScale];
  for (int k = kScale - 1; k >= 0; --k) {
    digits[k] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int len = kScale;
  while (digits[len - 1] == '0') --len;
  out->push_back('.');
  out->append(digits, static_cast<size_t>(len));
}

std::string Decimal::ToString() const {
  std::string s;
  AppendTo(&s);
  return s;
}

bool Decimal::CheckedAdd(Decimal other) {
  Raw sum;
  if (__builtin_add_overflow(raw_, other.raw_, &sum)) return false;
  raw_ = sum;
  return true;
}

Result<Decimal> Decimal::Multiply(Decimal other) const {
  const bool negative = is_negative() != other.is_negative();
  auto magnitude = [](Raw r) {
    return r < 0 ? static_cast<URaw>(-(r + 1)) + 1 : static_cast<URaw>(r);
  };
  const URaw a = magnitude(raw_), b = magnitude(other.raw_), one = static_cast<URaw>(kOne);
  // MulDiv needs the quotient to fit 128 bits: the product's high half must be below 10^18.
  if (MulHigh(a, b) >= one) {
    return InvalidArgument("product out of range: " + ToString() + " * " + other.ToString());
  }
  URaw remainder = 0;
  URaw product = MulDiv(a, b, one, &remainder);
  if (remainder * 2 >= one) ++product;
  if (product > static_cast<URaw>(std::numeric_limits<Raw>::max())) {
    return InvalidArgument("product out of range: " + ToString() + " * " + other.ToString());
  }
  const Raw r = static_cast<Raw>(product);
  return Decimal(negative ? -r : r);
}

Decimal Decimal::Round(int digits) const {
  if (digits >= kScale) return *this;
  Raw unit = 1;
  for (int i = digits; i < kScale; ++i) unit *= 10;
  const Raw magnitude = raw_ < 0 ? -raw_ : raw_;
  Raw rounded = magnitude / unit * unit;
  if (magnitude % unit >= unit - magnitude % unit) rounded += unit;  // half away from zero
  return Decimal(raw_ < 0 ? -rounded : rounded);
}

Result<Decimal> Decimal::Divide(Decimal divisor) const {
  if (divisor.is_zero()) return InvalidArgument("division by zero: " + ToString() + " / 0");
  const bool negative = is_negative() != divisor.is_negative();
  auto magnitude = [](Raw r) {
    return r < 0 ? static_cast<URaw>(-(r + 1)) + 1 : static_cast<URaw>(r);
  };
  const URaw a = magnitude(raw_), b = magnitude(divisor.raw_), one = static_cast<URaw>(kOne);
  // a × 10^18 / b must fit 128 bits: the product's high half must be below b.
  if (MulHigh(a, one) >= b) {
    return InvalidArgument("quotient out of range: " + ToString() + " / " + divisor.ToString());
  }
  URaw remainder = 0;
  URaw quotient = MulDiv(a, one, b, &remainder);
  if (remainder >= b - remainder) ++quotient;  // remainder * 2 >= b, without overflow
  if (quotient > static_cast<URaw>(std::numeric_limits<Raw>::max())) {
    return InvalidArgument("quotient out of range: " + ToString() + " / " + divisor.ToString());
  }
  const Raw r = static_cast<Raw>(quotient);
  return Decimal(negative ? -r : r);
}

std::vector<Decimal> SplitProportionally(Decimal total, std::span<const Decimal> weights) {
  const size_t n = weights.size();
  std::vector<Decimal> parts(n);
  if (n == 0) return parts;
  URaw weight_sum = 0;
  for (Decimal w : weights) weight_sum += static_cast<URaw>(std::max<Raw>(w.raw(), 0));
  const bool even = weight_sum == 0;
  if (even) weight_sum = n;
  const bool negative = total.is_negative();
  const URaw magnitude =
      negative ? static_cast<URaw>(-(total.raw() + 1)) + 1 : static_cast<URaw>(total.raw());

  std::vector<URaw> remainders(n);
  URaw assigned = 0;
  for (size_t i = 0; i < n; ++i) {
    URaw w = even ? 1 : static_cast<URaw>(std::max<Raw>(weights[i].raw(), 0));
    URaw quotient;
    URaw product;
    if (!__builtin_mul_overflow(magnitude, w, &product)) {
      // The common case (cents × core-hours) fits 128 bits: one division, no 256-bit path.
      quotient = product / weight_sum;
      remainders[i] = product - quotient * weight_sum;
    } else {
      quotient = MulDiv(magnitude, w, weight_sum, &remainders[i]);
    }
    parts[i] = Decimal::FromRaw(static_cast<Raw>(quotient));
    assigned += quotient;
  }
  // Hand out the leftover units (fewer than n) by largest remainder, ties to earlier parts.
  const URaw leftover = magnitude - assigned;
  if (leftover > 0) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    const auto k = static_cast<size_t>(leftover);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                      [&](size_t a, size_t b) {
                        return remainders[a] != remainders[b] ? remainders[a] > remainders[b]
                                                              : a < b;
                      });
    for (size_t j = 0; j < k; ++j) parts[order[j]] += Decimal::FromRaw(1);
  }
  if (negative) {
    for (Decimal& p : parts) p = -p;
  }
  return parts;
}

}  // namespace tally
