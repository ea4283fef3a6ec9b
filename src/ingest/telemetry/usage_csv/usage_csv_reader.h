// The generic usage inputs any pipeline can produce (docs/formats/usage-csv.md):
//   usage:     start,end,consumer,asset,resource,request,usage,unit,labels
//   inventory: start,end,asset,resource,capacity,unit,labels
// Amounts are averages over [start, end); they are spread over the hours they overlap as
// amount-hours. Labels are "k=v;k=v".
#pragma once

#include <string>
#include <vector>

#include "tally/usage.h"

namespace tally {

enum class UsageCsvKind { kUsage, kInventory };

struct UsageCsvTotals {
  int64_t files = 0;
  int64_t rows = 0;
};

// Reads the files into one batch for `source` covering every hour any row touches. Errors
// (kInvalidArgument) name file, line and column: a missing column, a bad time or number, end
// not after start, an unknown resource/unit pairing, a negative amount.
Result<UsageBatch> ReadUsageCsvFiles(const std::vector<std::string>& paths, UsageCsvKind kind,
                                     const std::string& source, UsageCsvTotals* totals);

// "k=v;k=v" (whitespace around keys and values trimmed). Errors: a part without '='.
Result<Labels> ParseLabelList(std::string_view text);

}  // namespace tally
