// Values packed into the store's blobs (series keys, cost rollup blocks, series columns,
// allocation blocks): LEB128 varints, where small values take one byte, and exact decimals as a
// trailing-zero exponent byte and a zigzag varint mantissa (0.25 is 25 × 10^16: 2 bytes). Reads
// are bounds-checked: a truncated or over-long value reads as failure, never past the end.
//
// Pure functions. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tally/decimal.h"

namespace tally::sqlite {

inline void AppendVarint(unsigned __int128 v, std::string* out) {
  if (v <= UINT64_MAX) {  // most values: shift in 64 bits
    auto small = static_cast<uint64_t>(v);
    while (small >= 0x80) {
      out->push_back(static_cast<char>(static_cast<unsigned char>(small) | 0x80));
      small >>= 7;
    }
    out->push_back(static_cast<char>(small));
    return;
  }
  while (v >= 0x80) {
    out->push_back(static_cast<char>(static_cast<unsigned char>(v) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint at *pos, advancing it. False when the data ends first or it runs past 128 bits.
inline bool ReadVarint(std::string_view data, size_t* pos, unsigned __int128* v) {
  // Most values fit 63 bits: add them up in 64 bits.
  uint64_t small = 0;
  for (int shift = 0; shift < 63 && *pos < data.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(data[(*pos)++]);
    small |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = small;
      return true;
    }
  }
  *v = small;
  for (int shift = 63; shift < 128 && *pos < data.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(data[(*pos)++]);
    *v |= static_cast<unsigned __int128>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

inline unsigned __int128 ZigZag(__int128 v) {
  return (static_cast<unsigned __int128>(v) << 1) ^ static_cast<unsigned __int128>(v >> 127);
}
inline __int128 UnZigZag(unsigned __int128 v) {
  return static_cast<__int128>(v >> 1) ^ -static_cast<__int128>(v & 1);
}

// Steps *pos past one varint. False when the data ends first.
inline bool SkipVarint(std::string_view data, size_t* pos) {
  while (*pos < data.size()) {
    if ((static_cast<unsigned char>(data[(*pos)++]) & 0x80) == 0) return true;
  }
  return false;
}

inline constexpr unsigned char kPackedNull = 0xFF;

inline void AppendDecimal(const std::optional<Decimal>& value, std::string* out) {
  if (!value) {
    out->push_back(static_cast<char>(kPackedNull));
    return;
  }
  Decimal::Raw m = value->raw();
  int e = 0;
  if (m == 0) {
    out->push_back('\0');
    out->push_back('\0');
    return;
  }
  if (m > INT64_MIN && m <= INT64_MAX) {  // most amounts: strip zeros in 64-bit arithmetic
    int64_t small = static_cast<int64_t>(m);
    if (small % 1'000'000'000 == 0) {
      small /= 1'000'000'000;
      e = 9;
    }
    while (e < Decimal::kScale && small % 10 == 0) {
      small /= 10;
      ++e;
    }
    m = small;
  } else {
    while (e < Decimal::kScale && m % 10 == 0) {
      m /= 10;
      ++e;
    }
  }
  out->push_back(static_cast<char>(e));
  AppendVarint(ZigZag(m), out);
}

// Reads a decimal AppendDecimal wrote into *value (nullopt for null). False when corrupt.
inline bool ReadDecimal(std::string_view data, size_t* pos, std::optional<Decimal>* value) {
  static constexpr std::array<Decimal::Raw, Decimal::kScale + 1> kPow10 = [] {
    std::array<Decimal::Raw, Decimal::kScale + 1> p{};
    p[0] = 1;
    for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
    return p;
  }();
  if (*pos >= data.size()) return false;
  const auto e = static_cast<unsigned char>(data[(*pos)++]);
  if (e == kPackedNull) {
    value->reset();
    return true;
  }
  unsigned __int128 v = 0;
  if (e > Decimal::kScale || !ReadVarint(data, pos, &v)) return false;
  *value = Decimal::FromRaw(UnZigZag(v) * kPow10[e]);
  return true;
}

// Steps past a decimal AppendDecimal wrote. False when corrupt.
inline bool SkipDecimal(std::string_view data, size_t* pos) {
  if (*pos >= data.size()) return false;
  const auto e = static_cast<unsigned char>(data[(*pos)++]);
  if (e == kPackedNull) return true;
  return e <= Decimal::kScale && SkipVarint(data, pos);
}

// The `index`th of the decimals AppendDecimal wrote one after another into `data` (a cost line's
// amounts). False when corrupt or shorter.
inline bool ReadPackedAt(std::string_view data, size_t index, std::optional<Decimal>* value) {
  size_t pos = 0;
  for (size_t i = 0; i < index; ++i) {
    if (!SkipDecimal(data, &pos)) return false;
  }
  return ReadDecimal(data, &pos, value);
}

}  // namespace tally::sqlite
