// Extra columns: the columns of an input that are not FOCUS columns (x_ extensions, a
// provider's own columns). A file declares their names once (CostSink::DeclareExtraColumns);
// each row then carries its non-null values packed in one blob, as
//   varint(column index into the declared names) varint(byte length) bytes
// repeated. Per-row values such as line item ids or amounts stay with their row, so they never
// multiply the rows' shared dimensions.
//
// ExtrasEncoder is not thread-safe; the functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tally {

class ExtrasEncoder {
 public:
  void Clear() { blob_.clear(); }
  void Add(uint32_t column, std::string_view value);
  // Valid until the next Clear() or Add().
  std::string_view blob() const { return blob_; }

 private:
  std::string blob_;
};

// The value of `column` in `blob`; nullopt when the row has none (or the blob is malformed).
std::optional<std::string_view> FindExtra(std::string_view blob, uint32_t column);

// Every (column, value) entry of `blob`, in order (a malformed blob ends early).
std::vector<std::pair<uint32_t, std::string_view>> ExtraEntries(std::string_view blob);

// The blob as a JSON object {name: value} in column order, for tests and debugging.
std::string ExtrasToJson(std::string_view blob, const std::vector<std::string>& names);

}  // namespace tally
