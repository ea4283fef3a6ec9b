#include "model/extra_columns.h"

#include <nlohmann/json.hpp>

namespace tally {
namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Calls fn(column, value) for each entry; returns false on a malformed blob.
template <typename Fn>
bool ForEach(std::string_view blob, Fn fn) {
  while (!blob.empty()) {
    uint64_t column = 0, length = 0;
    if (!GetVarint(&blob, &column) || !GetVarint(&blob, &length) || length > blob.size()) {
      return false;
    }
    if (!fn(static_cast<uint32_t>(column), blob.substr(0, length))) return true;
    blob.remove_prefix(length);
  }
  return true;
}

}  // namespace

void ExtrasEncoder::Add(uint32_t column, std::string_view value) {
  PutVarint(column, &blob_);
  PutVarint(value.size(), &blob_);
  blob_.append(value);
}

std::optional<std::string_view> FindExtra(std::string_view blob, uint32_t column) {
  std::optional<std::string_view> found;
  ForEach(blob, [&](uint32_t c, std::string_view v) {
    if (c == column) found = v;
    return !found;
  });
  return found;
}

std::vector<std::pair<uint32_t, std::string_view>> ExtraEntries(std::string_view blob) {
  std::vector<std::pair<uint32_t, std::string_view>> out;
  ForEach(blob, [&](uint32_t c, std::string_view v) {
    out.emplace_back(c, v);
    return true;
  });
  return out;
}

std::string ExtrasToJson(std::string_view blob, const std::vector<std::string>& names) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  ForEach(blob, [&](uint32_t c, std::string_view v) {
    object[c < names.size() ? names[c] : "column_" + std::to_string(c)] = std::string(v);
    return true;
  });
  return object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace tally
