// The Google Cloud billing export (BigQuery standard usage cost table) as CSV, mapped to FOCUS
// 1.2. The mapping, column by column, is docs/formats/gcp-billing.md; every export column is
// also kept as `x_<original name>`.
//
// Stateless function. Thread-safe for distinct files and contexts.
#pragma once

#include "common/input_file.h"
#include "ingest/ingest_files.h"

namespace tally {

// File-level errors: not a GCP billing export (no cost or usage_start_time column), plus those
// of any CSV input.
Status ReadGcpBillingFile(InputFile* in, FileContext* context);

}  // namespace tally
