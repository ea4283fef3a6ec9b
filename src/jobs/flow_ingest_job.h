// Ingesting VPC flow logs (docs/network.md), shared by `tally ingest vpc-flow` and anything that
// reads flow logs on a schedule:
//   1. each file is read (ingest/telemetry/network) and its records summed per hour (of their
//      start), interface, source and destination;
//   2. each sum is attributed (allocate/flow_attribution): its class, and the consumer that held
//      the source address then, from the addresses telemetry stored and tally.yaml's rules (the
//      addresses are loaded a day at a time);
//   3. the files' flows replace what earlier reads of the same files stored, in one
//      transaction;
//   4. the network usage of the hours that changed is derived again from every file's flows:
//      per hour, each class is an asset "network/<class>" whose capacity is all its gigabytes,
//      and each consumer uses the gigabytes it sent. Bytes nobody is named for stay unused, so
//      their cost is idle, not spread over the others.
// Reading a file again is idempotent. If step 4 fails after step 3, running again repairs it.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "tally/diagnostic.h"
#include "tally/store.h"

namespace tally {

// Beyond this many distinct (hour, interface, source, destination) sums in one run, the run
// stops: ingest fewer files at once.
inline constexpr size_t kMaxFlowAggregates = 4'000'000;

struct FlowIngestOptions {
  // The usage source of the network usage. Keep every flow log under one: two sources reporting
  // the same class's capacity would count as duplicates (the largest wins), not add up.
  std::string source = "vpc-flow";
};

struct FlowIngestSummary {
  int64_t files = 0;
  int64_t records = 0;
  int64_t nodata = 0;
  int64_t skipdata = 0;
  int64_t rejected_lines = 0;
  int64_t flows = 0;  // stored sums
  int64_t bytes = 0;
  int64_t hours = 0;  // hours whose network usage was derived again
  std::vector<Diagnostic> problems;  // bad lines, with file and line
  std::string ToString() const;      // the line `tally ingest vpc-flow` prints
};

// Errors: a file that cannot be read, has a header without the needed fields or no line that is
// a record, too many sums, the store's. Nothing is stored then.
Result<FlowIngestSummary> RunFlowIngest(Store& store, const Config& config,
                                        std::span<const std::string> paths,
                                        const FlowIngestOptions& options);

// Step 4 alone: the network usage of `hours` from the stored flows, replacing what `source`
// stored for them.
Result<UsageCommit> DeriveNetworkUsage(Store& store, const Config& config,
                                       const std::string& source, TimeWindow hours);

}  // namespace tally
