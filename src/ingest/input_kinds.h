// What an input file looks like, from its first bytes (decompressed), for `tally ingest auto`:
// a bill in one of the billing formats, or one of the telemetry kinds tally reads with its own
// command (kube scrapes, usage and inventory CSVs, GPU, Spark, Slurm, VPC flow and storage files),
// or something tally does not read (Parquet, an AWS CUR manifest, a FOCUS metadata file, ...).
// Detection reads at most kInputSniffBytes of a file and never fails: an unreadable file is
// described as such.
//
// Pure functions over the file system. Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tally {

inline constexpr size_t kInputSniffBytes = 64 * 1024;

struct InputKind {
  // The billing format ("focus", "aws-cur", ...) when the file is a bill; empty otherwise.
  std::string bill_format;
  // For a file that is not a bill: what it looks like ("a Kubernetes scrape (Prometheus text)"),
  // and the command that reads it ("tally ingest kube-scrape"), empty when none does.
  std::string looks_like;
  std::string command;
  bool of_directory = false;  // the command reads the file's directory, not the file

  bool is_bill() const { return !bill_format.empty(); }
};

// Detects the kind of the file at `path` from at most kInputSniffBytes of its decompressed start.
InputKind DetectInputKind(const std::string& path);

// The same from the start of a file, already read and decompressed.
InputKind DetectInputKindOfText(std::string_view head);

}  // namespace tally
