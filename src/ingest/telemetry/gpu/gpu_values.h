// Values as GPU tools print them: "40960 MiB", "66.92 W", "70 %", "N/A", "[Not Supported]".
// Pure functions. Thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "tally/decimal.h"

namespace tally::gpu {

// True for the tools' spellings of "no value": "", "N/A", "[N/A]", "[Not Supported]", ...
bool IsMissing(std::string_view text);
// "40960 MiB" (or KiB, GiB, B, bytes) as bytes; nullopt when missing or not a size.
std::optional<int64_t> Bytes(std::string_view text);
// The number before an optional unit ("66.92 W", "70 %", "0.5"); nullopt when missing.
std::optional<Decimal> Number(std::string_view text);
// A whole number (rounded): "2620449", "42"; nullopt when missing or outside int64.
std::optional<int64_t> Whole(std::string_view text);
// `value` rounded to a whole number; nullopt outside int64.
std::optional<int64_t> WholeOf(const Decimal& value);
// "70 %" or "70" as the ratio 0.7; nullopt when missing.
std::optional<Decimal> Percent(std::string_view text);
// "Enabled"/"Disabled" (any case), "1"/"0"; nullopt otherwise.
std::optional<bool> Enabled(std::string_view text);
// MIG compute slices of an instance with `multiprocessors` SMs on a device of `model`: the
// smallest slice has 14 SMs on A100 and A30, 16 on H100, H200 and later (at most 7 slices).
std::optional<int64_t> MigSlices(std::string_view model, int64_t multiprocessors);
// "1g.10gb"-style profile from slices and memory (memory rounded to whole GB); "" without both.
std::string MigProfile(std::optional<int64_t> slices, std::optional<int64_t> memory_bytes);

}  // namespace tally::gpu
