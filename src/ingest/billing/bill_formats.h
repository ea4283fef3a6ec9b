// The billing formats tally reads, as one explicit list (register_builtin_bill_formats.cc), and
// the detection of a file's format from its header for `tally ingest auto`.
//
// Immutable after first use. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/input_file.h"
#include "ingest/ingest_files.h"

namespace tally {

struct BillFormat {
  std::string_view name;  // the `tally ingest` subcommand: "focus", "aws-cur", ...
  std::string_view help;
  FileReader reader;
  // Rewrites the paths before directories are expanded (AWS CUR manifests). May be empty.
  std::function<Result<std::vector<std::string>>(std::span<const std::string>)> expand;
};

// focus, aws-cur, gcp-billing, azure-export, oci, and auto (which detects each file's format).
std::span<const BillFormat> BillFormats();

// The format named `name` ("focus", "aws-cur", ...), or null.
const BillFormat* FindBillFormat(std::string_view name);

// The format whose header this is, by the columns only that format has; nullopt if none fits.
std::optional<std::string_view> DetectBillFormat(std::span<const std::string_view> header);

}  // namespace tally
