// The storage-usage CSV (docs/formats/storage-csv.md): what buckets and warehouse tables hold,
// prefix by prefix, day by day, as S3 Inventory, Storage Lens, GCS or a warehouse's
// information_schema can export it:
//
//   date,bucket,prefix,bytes,objects,last_access,labels
//   2026-11-01,analytics-lake,raw/,1099511627776,120000,2026-10-30,team=data;env=prod
//
// `table` may stand for `bucket`; objects, last_access and labels may be empty. A row holds for
// the 24 hours of its date. Each bucket becomes an asset (its name, which the bill's ResourceId
// of an S3 bucket is) with capacity "storage" = its prefixes' GiB every hour, and each prefix a
// consumer "<bucket>/<prefix>" using its GiB, so the bucket's cost splits by prefix bytes.
// A prefix's objects and last access are its consumer's labels "objects" and "last_access".
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tally/usage.h"

namespace tally {

// Each row is 24 hourly facts in memory until stored: 100,000 rows are about 300 MB.
inline constexpr size_t kMaxStorageRows = 100'000;

struct StorageUsageFile {
  int64_t rows = 0;
  // One batch per bucket, under "<source>/<bucket>": reading a bucket again replaces only its own
  // days.
  std::map<std::string, UsageBatch> buckets;
};

// Errors (kInvalidArgument) name file, line and column: a missing column, a bad date or number,
// a row cut off at the end of the file, more than kMaxStorageRows rows, a bucket's prefix twice
// on one day. Nothing is returned then.
Result<StorageUsageFile> ReadStorageUsageCsv(const std::vector<std::string>& paths,
                                             const std::string& source);

}  // namespace tally
