// Oracle Cloud Infrastructure cost reports (CSV) mapped to FOCUS 1.2. The mapping is
// docs/formats/oci.md; every report column is also kept as `x_<original name>`.
//
// Stateless function. Thread-safe for distinct files and contexts.
#pragma once

#include "common/input_file.h"
#include "ingest/ingest_files.h"

namespace tally {

// File-level errors: not an OCI cost report (no cost/myCost column), plus those of any CSV input.
Status ReadOciCostFile(InputFile* in, FileContext* context);

}  // namespace tally
