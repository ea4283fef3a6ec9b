#include "ingest/telemetry/gpu/gpu_values.h"

#include <cctype>
#include <string>

#include "common/strings.h"

namespace tally::gpu {
namespace {

// The number at the start of `text` and the unit after it.
std::pair<std::string_view, std::string_view> Split(std::string_view text) {
  text = Trim(text);
  size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) ||
                               text[end] == '.' || text[end] == '-' || text[end] == '+' ||
                               text[end] == 'e' || text[end] == 'E')) {
    ++end;
  }
  return {text.substr(0, end), Trim(text.substr(end))};
}

}  // namespace

bool IsMissing(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  return text.empty() || EqualsIgnoreCase(text, "N/A") || EqualsIgnoreCase(text, "Not Supported") ||
         EqualsIgnoreCase(text, "Unknown Error") || EqualsIgnoreCase(text, "Insufficient Permissions");
}

std::optional<Decimal> Number(std::string_view text) {
  if (IsMissing(text)) return std::nullopt;
  const auto [number, unit] = Split(text);
  if (number.empty()) return std::nullopt;
  // Exporters write floats such as 8.5520809984e+10; a plain decimal parses exactly.
  if (number.find_first_of("eE") == std::string_view::npos) {
    auto d = Decimal::Parse(number);
    if (d.ok()) return *d;
    return std::nullopt;
  }
  try {
    const double v = std::stod(std::string(number));
    auto d = Decimal::Parse(std::to_string(v));
    if (d.ok()) return *d;
  } catch (...) {
  }
  return std::nullopt;
}

std::optional<int64_t> Bytes(std::string_view text) {
  if (IsMissing(text)) return std::nullopt;
  const auto [number, unit] = Split(text);
  const std::optional<Decimal> n = Number(number);
  if (!n) return std::nullopt;
  int64_t scale = 1;
  if (EqualsIgnoreCase(unit, "KiB")) scale = int64_t{1} << 10;
  else if (EqualsIgnoreCase(unit, "MiB")) scale = int64_t{1} << 20;
  else if (EqualsIgnoreCase(unit, "GiB")) scale = int64_t{1} << 30;
  else if (!unit.empty() && !EqualsIgnoreCase(unit, "B") && !EqualsIgnoreCase(unit, "bytes")) {
    return std::nullopt;
  }
  auto bytes = n->Multiply(Decimal::FromUnits(scale));
  if (!bytes.ok()) return std::nullopt;
  return WholeOf(*bytes);
}

std::optional<int64_t> WholeOf(const Decimal& value) {
  const Decimal::Raw units = value.Round(0).raw() / Decimal::kOne;
  if (units > INT64_MAX || units < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(units);
}

std::optional<int64_t> Whole(std::string_view text) {
  const std::optional<Decimal> n = Number(text);
  if (!n) return std::nullopt;
  return WholeOf(*n);
}

std::optional<Decimal> Percent(std::string_view text) {
  const std::optional<Decimal> n = Number(text);
  if (!n) return std::nullopt;
  auto ratio = n->Divide(Decimal::FromUnits(100));
  if (!ratio.ok()) return std::nullopt;
  return *ratio;
}

std::optional<bool> Enabled(std::string_view text) {
  text = Trim(text);
  if (EqualsIgnoreCase(text, "enabled") || text == "1") return true;
  if (EqualsIgnoreCase(text, "disabled") || text == "0") return false;
  return std::nullopt;
}

std::optional<int64_t> MigSlices(std::string_view model, int64_t multiprocessors) {
  if (multiprocessors <= 0) return std::nullopt;
  const std::string m = ToLower(model);
  int64_t per_slice = 0;
  if (m.find("a100") != std::string::npos || m.find("a30") != std::string::npos) per_slice = 14;
  for (const char* family : {"h100", "h200", "h800", "h20", "gh200", "b200", "gb200"}) {
    if (m.find(family) != std::string::npos) per_slice = 16;
  }
  if (per_slice == 0) return std::nullopt;
  return std::min<int64_t>(7, std::max<int64_t>(1, multiprocessors / per_slice));
}

std::string MigProfile(std::optional<int64_t> slices, std::optional<int64_t> memory_bytes) {
  if (!slices || !memory_bytes) return "";
  const double gib = static_cast<double>(*memory_bytes) / static_cast<double>(int64_t{1} << 30);
  return std::to_string(*slices) + "g." + std::to_string(static_cast<int64_t>(gib + 0.5)) + "gb";
}

}  // namespace tally::gpu
