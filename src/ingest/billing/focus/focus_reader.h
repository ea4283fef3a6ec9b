// ReadFocusFile: reads one FOCUS cost-and-usage CSV (FOCUS 1.0 to 1.2 column sets, and the
// names FOCUS 0.5 used) into cost lines. Header names match case-insensitively; columns that
// are not FOCUS columns are kept as extras under their own names. Values are read leniently
// (NULL placeholders, formatted money, datetimes without T or Z), and every lenient reading or
// rejected row becomes a diagnostic with file, line and column.
//
// Stateless function. Thread-safe for distinct files and contexts.
#pragma once

#include "common/input_file.h"
#include "ingest/ingest_files.h"

namespace tally {

// File-level errors (kInvalidArgument unless the input failed): an empty file; binary data; an
// unterminated quote; no cost metric column (BilledCost, EffectiveCost, ListCost or
// ContractedCost, or FOCUS 0.5's AmortizedCost); a truncated or corrupt gzip stream.
Status ReadFocusFile(InputFile* in, FileContext* context);

}  // namespace tally
