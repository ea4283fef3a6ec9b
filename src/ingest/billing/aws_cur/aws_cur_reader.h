// The legacy AWS Cost and Usage Report (CUR) as CSV, mapped to FOCUS 1.2. Both header styles
// are read: "lineItem/UnblendedCost" and Athena's "line_item_unblended_cost". The mapping, column
// by column, is docs/formats/aws-cur.md; every CUR column is also kept as `x_<original name>`.
//
// Stateless functions. Thread-safe for distinct files and contexts.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/input_file.h"
#include "ingest/ingest_files.h"

namespace tally {

// Reads one CUR CSV file. File-level errors: not a CUR (no lineItem/UnblendedCost or no
// lineItem/LineItemType), plus those of any CSV input.
Status ReadAwsCurFile(InputFile* in, FileContext* context);

// Replaces each directory that holds a CUR manifest (*-Manifest.json) by the report files the
// manifest lists (matched by file name below that directory); other paths pass through.
// Errors: kInvalidArgument for an unreadable manifest; kNotFound for a listed file that is not
// there.
Result<std::vector<std::string>> ExpandAwsCurPaths(std::span<const std::string> paths);

}  // namespace tally
