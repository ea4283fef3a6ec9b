// Unsigned 128-bit helpers that need a 256-bit intermediate: checked multiply-add for parsing
// and floor(a*b/c) for proportional splits. g++ has no 256-bit integer, hence these.
//
// Pure functions. Thread-safe.
#pragma once

namespace tally {

using U128 = unsigned __int128;

// *v = *v * mul + add; returns false (leaving *v unspecified) on overflow.
inline bool MulAddChecked(U128* v, U128 mul, U128 add) {
  U128 product;
  if (__builtin_mul_overflow(*v, mul, &product)) return false;
  return !__builtin_add_overflow(product, add, v);
}

// The high 128 bits of the 256-bit product a * b.
U128 MulHigh(U128 a, U128 b);

// Returns floor(a * b / c) and sets *remainder to (a * b) mod c.
// Preconditions: c > 0 and the quotient fits in 128 bits (true when b <= c).
U128 MulDiv(U128 a, U128 b, U128 c, U128* remainder);

}  // namespace tally
