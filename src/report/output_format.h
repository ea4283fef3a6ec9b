// The output formats every report command offers, and how a CostTable looks in each.
//   table: aligned columns for people, with a total line;
//   csv:   a header (group columns, then the metric) and one row per group; nulls are empty;
//   json:  {"rows":[{"ProviderName":"AWS",...,"EffectiveCost":"12.5"}],"total":"12.5"},
//          money as decimal strings, nulls as null.
// Tables print money to 2 decimals unless `exact`; CSV and JSON always keep every digit.
//
// Pure functions. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "tally/cost_query.h"
#include "tally/decimal.h"
#include "tally/result.h"

namespace tally {

enum class OutputFormat { kTable, kCsv, kJson };

// Errors: kInvalidArgument naming the three formats.
Result<OutputFormat> ParseOutputFormat(std::string_view text);

// Money for a person: rounded half away from zero to cents ("1234.50", "-0.07"), or with every
// significant digit when `exact` (Decimal::ToString).
std::string MoneyText(Decimal value, bool exact);
// The same for money held as exact decimal text; text that is not a number is returned as is.
std::string MoneyText(const std::string& text, bool exact);

std::string RenderCostTable(const CostTable& table, OutputFormat format, bool exact = false);
// What a reader of `table` should know: sums that mix currencies, group keys no file has. The
// CLI prints them; the API returns them in its answer.
std::vector<std::string> CostTableWarnings(const CostQuery& query, const CostTable& table);

}  // namespace tally
