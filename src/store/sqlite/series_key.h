// A cost series' key: its 41 dimensions as dict ids (varints, 0 for null) and its billing period
// start and end (a byte 0 for none, else 1 and the unix seconds, 8 bytes little-endian), in
// FocusColumn order. cost_series stores the key and its hash (indexed, so ingest finds a series
// without an index over the keys themselves); cost_series_columns holds the same ids column by
// column for reports.
//
// Pure functions. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite/packed.h"
#include "tally/focus_schema.h"

namespace tally::sqlite {

struct SeriesKey {
  std::array<int64_t, kFocusDimCount> dims{};  // dict ids, 0 for null
  std::optional<int64_t> period_start, period_end;
};

inline void AppendKeyTime(const std::optional<int64_t>& t, std::string* out) {
  if (!t) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  const int64_t s = *t;
  out->append(reinterpret_cast<const char*>(&s), sizeof s);
}

inline void EncodeSeriesKey(const SeriesKey& key, std::string* out) {
  out->clear();
  for (int64_t id : key.dims) AppendVarint(static_cast<uint64_t>(id), out);
  AppendKeyTime(key.period_start, out);
  AppendKeyTime(key.period_end, out);
}

// False for a malformed key.
inline bool DecodeSeriesKey(std::string_view data, SeriesKey* key) {
  size_t pos = 0;
  for (int64_t& id : key->dims) {
    unsigned __int128 v = 0;
    if (!ReadVarint(data, &pos, &v) || v > INT64_MAX) return false;
    id = static_cast<int64_t>(v);
  }
  for (std::optional<int64_t>* t : {&key->period_start, &key->period_end}) {
    if (pos >= data.size()) return false;
    const char present = data[pos++];
    t->reset();
    if (present == '\0') continue;
    if (present != '\1' || data.size() - pos < sizeof(int64_t)) return false;
    int64_t s = 0;
    std::memcpy(&s, data.data() + pos, sizeof s);
    pos += sizeof s;
    *t = s;
  }
  return pos == data.size();
}

// 64-bit FNV-1a of the key, as stored in cost_series.hash: fixed forever, since it is persisted.
inline int64_t SeriesKeyHash(std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return static_cast<int64_t>(h);
}

}  // namespace tally::sqlite
