// Numbers as the exposition formats write them: [+-]digits[.digits][e[+-]digits] (leading zeros
// allowed), or exactly NaN, +Inf, -Inf (and Inf, as Prometheus writes it). Never hex, 0b, 0o or
// '_'. Shared by the parser and the OpenMetrics rules (le and quantile bounds).
//
// Pure function. Thread-safe.
#pragma once

#include <string_view>

namespace tally {

// Sets *out and returns true for a number of that form; `lenient` (Prometheus text) also takes
// NaN and Inf in any case.
bool ParseExpositionNumber(std::string_view s, bool lenient, double* out);

}  // namespace tally
