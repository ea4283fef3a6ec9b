// Decimal: exact signed fixed-point number with 18 fraction digits, held in a 128-bit integer.
// It is tally's money type (the currency travels beside it, e.g. as BillingCurrency) and its type
// for quantities and unit prices. Range: |x| < 1.7e20, so sums of 10^15 are safe; resolution 1e-18.
// Never converted from or to floating point.
//
// Value type, 16 bytes, trivially copyable. Thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tally/result.h"

namespace tally {

class Decimal {
 public:
  using Raw = __int128;
  static constexpr int kScale = 18;                       // fraction digits
  static constexpr Raw kOne = 1'000'000'000'000'000'000;  // 10^kScale

  constexpr Decimal() = default;
  static constexpr Decimal FromRaw(Raw raw) { return Decimal(raw); }
  static constexpr Decimal FromUnits(int64_t units) { return Decimal(Raw(units) * kOne); }

  // Parses plain decimal text exactly: optional sign, digits with an optional '.', and an
  // optional exponent ("1.5E-3"). Digits past the 18th fraction digit are rounded half away
  // from zero. Errors (kInvalidArgument): empty text, any other character, out of range.
  static Result<Decimal> Parse(std::string_view text);

  // The shortest exact text: "0", "-12.5", "0.000000000000000001". Never an exponent.
  std::string ToString() const;
  void AppendTo(std::string* out) const;

  constexpr Raw raw() const { return raw_; }
  constexpr bool is_zero() const { return raw_ == 0; }
  constexpr bool is_negative() const { return raw_ < 0; }

  // Adds exactly; returns false (and leaves *this unchanged) on overflow.
  bool CheckedAdd(Decimal other);

  // this × other, rounded half away from zero to 18 fraction digits (price × quantity).
  // Errors: kInvalidArgument when the product is out of range.
  Result<Decimal> Multiply(Decimal other) const;
  // this ÷ divisor, rounded half away from zero to 18 fraction digits (bytes to GiB).
  // Errors: kInvalidArgument for a zero divisor or a quotient out of range.
  Result<Decimal> Divide(Decimal divisor) const;
  // Rounded half away from zero to `digits` fraction digits (0..18), for display.
  Decimal Round(int digits) const;

  friend constexpr Decimal operator+(Decimal a, Decimal b) { return Decimal(a.raw_ + b.raw_); }
  friend constexpr Decimal operator-(Decimal a, Decimal b) { return Decimal(a.raw_ - b.raw_); }
  constexpr Decimal operator-() const { return Decimal(-raw_); }
  constexpr Decimal& operator+=(Decimal b) {
    raw_ += b.raw_;
    return *this;
  }
  constexpr Decimal& operator-=(Decimal b) {
    raw_ -= b.raw_;
    return *this;
  }
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend constexpr auto operator<=>(Decimal a, Decimal b) = default;

 private:
  constexpr explicit Decimal(Raw raw) : raw_(raw) {}
  Raw raw_ = 0;
};

// Splits `total` into one part per weight, in proportion to the weights, so that the parts sum
// exactly to `total` (largest-remainder method: each part is first rounded toward zero, and the
// leftover units of 1e-18 go to the parts with the largest remainders, earlier parts first on
// ties). Weights must be >= 0; when they are all zero the split is even. Returns an empty
// vector for no weights.
std::vector<Decimal> SplitProportionally(Decimal total, std::span<const Decimal> weights);

}  // namespace tally
