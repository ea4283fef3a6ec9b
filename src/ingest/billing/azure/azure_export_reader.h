// Azure Cost Management exports (EA and MCA, actual and amortized cost, and the older
// pay-as-you-go usage format) as CSV, mapped to FOCUS 1.2. Header names match whatever their
// case or style (CostInBillingCurrency, costInBillingCurrency, PreTaxCost, localized
// "Name (EnglishName)"). The mapping is docs/formats/azure-export.md; every export column is
// also kept as `x_<original name>`.
//
// Stateless function. Thread-safe for distinct files and contexts.
#pragma once

#include "common/input_file.h"
#include "ingest/ingest_files.h"

namespace tally {

// File-level errors: not an Azure export (no cost column, or no usage date), plus those of any
// CSV input.
Status ReadAzureExportFile(InputFile* in, FileContext* context);

}  // namespace tally
