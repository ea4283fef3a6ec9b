// LEB128 varints for the store's packed blobs (series keys, rollup blocks, series columns):
// small values take one byte. ReadVarint is bounds-checked; a truncated or over-long varint
// reads as failure, never past the end.
//
// Pure functions. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tally::sqlite {

inline void AppendVarint(unsigned __int128 v, std::string* out) {
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

}  // namespace tally::sqlite
