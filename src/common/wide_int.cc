#include "common/wide_int.h"

#include <cstdint>

namespace tally {
namespace {

struct U256 {
  U128 hi = 0;
  U128 lo = 0;
};

U256 Multiply(U128 a, U128 b) {
  const U128 mask = ~static_cast<uint64_t>(0);
  U128 a_lo = a & mask, a_hi = a >> 64, b_lo = b & mask, b_hi = b >> 64;
  U128 ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  U128 middle = (ll >> 64) + (lh & mask) + (hl & mask);
  U256 r;
  r.lo = (middle << 64) | (ll & mask);
  r.hi = hh + (lh >> 64) + (hl >> 64) + (middle >> 64);
  return r;
}

}  // namespace

U128 MulHigh(U128 a, U128 b) { return Multiply(a, b).hi; }

U128 MulDiv(U128 a, U128 b, U128 c, U128* remainder) {
  U128 product;
  if (!__builtin_mul_overflow(a, b, &product)) {  // the common case: no 256-bit work
    *remainder = product % c;
    return product / c;
  }
  // Shift-subtract long division of the 256-bit product. The quotient fits in 128 bits, so
  // n.hi < c: it is already the remainder of the high half, and only the low 128 bits remain.
  U256 n = Multiply(a, b);
  U128 rem = n.hi, quotient = 0;
  for (int bit = 127; bit >= 0; --bit) {
    bool carry = (rem >> 127) != 0;
    rem <<= 1;
    rem |= (n.lo >> bit) & 1;
    quotient <<= 1;
    if (carry || rem >= c) {
      rem -= c;
      quotient |= 1;
    }
  }
  *remainder = rem;
  return quotient;
}

}  // namespace tally
