// One bill ingest run: a format's reader over files and directories into the store as one
// atomic run (parse on this core, store on the other). `tally ingest FORMAT` runs it once;
// `tally serve` runs it for the bill sources of tally.yaml when their files change.
#pragma once

#include <string>
#include <vector>

#include "ingest/billing/bill_formats.h"
#include "tally/store.h"

namespace tally {

struct BillIngestJob {
  const BillFormat* format = nullptr;
  std::vector<std::string> paths;  // files or directories, as given
  std::string command;             // recorded in the store's ingest log
  IngestOptions options;           // bad files, and who is told about progress and problems
};

struct BillIngestResult {
  IngestTotals totals;
  IngestCommit commit;
  std::string Summary() const;  // "ingest focus: 2 files, 120 rows stored, ..."
};

// The files `paths` name for `format` (manifests rewritten, directories expanded), sorted.
Result<std::vector<std::string>> BillFiles(const BillFormat& format,
                                           const std::vector<std::string>& paths);

// Errors: a bad file (unless options.skip_bad_files) or the store's; nothing is stored then.
Result<BillIngestResult> RunBillIngest(CostStore& store, const BillIngestJob& job);

}  // namespace tally
