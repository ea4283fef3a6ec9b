// ForEachLine: streams a file's lines (plain, gzip or zstd, through InputFile) with a bound on
// the length of one line, so a file of junk without newlines cannot grow memory. Lines are
// numbered from 1; a last line without its newline is still a line; a '\r' before the newline
// is kept (callers that care trim it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "tally/status.h"

namespace tally {

// `line` is valid only during the call. A line longer than `max_line` bytes is handed over as
// overlong with its text empty. A callback error stops the read and is returned.
using LineVisitor = std::function<Status(int64_t number, std::string_view line, bool overlong)>;

// Errors: those of InputFile (not found, unreadable, truncated or corrupt compressed data), and
// the visitor's.
Status ForEachLine(const std::string& path, size_t max_line, const LineVisitor& visit);

}  // namespace tally
