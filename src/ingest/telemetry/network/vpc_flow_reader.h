// ReadVpcFlowLog: AWS VPC Flow Logs as AWS writes them (docs/formats/vpc-flow.md), plain or
// gzip (S3 delivers .log.gz), one record per line, fields separated by spaces:
//   - the default format (version 2): 14 fields, no header (CloudWatch Logs exports);
//   - a header line naming the fields (S3 delivery, custom formats of versions 3 to 5):
//     fields are found by name, in any order; the header repeated later (files concatenated)
//     is skipped.
// A record needs srcaddr, dstaddr, packets, bytes and start (unix seconds in 2000 to 2199); log-status NODATA and SKIPDATA
// records carry no traffic and are counted, not lost. A line that cannot be read is a problem
// with its file and line, and the rest of the file is read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tally/diagnostic.h"
#include "tally/status.h"

namespace tally {

// One OK record; the views are valid during the callback only.
struct VpcFlowRecord {
  std::string_view interface_id;  // "" when the format has none or it is "-"
  std::string_view src;
  std::string_view dst;
  int64_t packets = 0;
  int64_t bytes = 0;
  int64_t start = 0;  // unix seconds
  int64_t end = 0;    // unix seconds; = start when the format has no end
  std::string_view action;  // ACCEPT, REJECT, or "" when the format has none
};

struct VpcFlowCounts {
  int64_t lines = 0;     // every line read, headers and blank lines included
  int64_t records = 0;   // OK records handed over
  int64_t nodata = 0;    // NODATA: no traffic in the interval
  int64_t skipdata = 0;  // SKIPDATA: records AWS itself skipped (capacity, internal error)
  int64_t rejected_lines = 0;  // lines that could not be read (each a problem)
};

inline constexpr size_t kMaxVpcFlowLine = 64 * 1024;
inline constexpr size_t kMaxVpcFlowProblems = 1000;  // kept; more are counted only

// Errors: an unreadable file, a header without the fields a record needs. Bad lines are
// appended to *problems (at most kMaxVpcFlowProblems per call) and counted.
Status ReadVpcFlowLog(const std::string& path,
                      const std::function<void(const VpcFlowRecord&)>& record,
                      VpcFlowCounts* counts, std::vector<Diagnostic>* problems);

}  // namespace tally
