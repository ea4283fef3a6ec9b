// Lenient readers for the values of real billing exports, shared by every bill adapter.
//
// Pure functions. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tally/decimal.h"
#include "tally/result.h"

namespace tally {

struct BillDecimal {
  std::optional<Decimal> value;  // nullopt for a null placeholder ("", NULL, null)
  bool formatted = false;        // it carried a currency symbol or thousands separators
};

// Reads a decimal as exports write it: plain ("12.5", "1.2E-5"), or formatted money
// ("$10,000.00 ", "-$5", "€1,234.5", "(5.00)" for a negative amount). Thousands separators must
// sit in groups of three. Errors: kInvalidArgument "not a number: ..." for anything else.
Result<BillDecimal> ParseBillDecimal(std::string_view text);

// Appends `s` to *out as the body of a JSON string (quotes, backslashes and control characters
// escaped).
void AppendJsonEscaped(std::string_view s, std::string* out);

}  // namespace tally
