// Diagnostic: one problem found in one input row or file. Problems in rows are collected, not
// thrown: a warning means the row was stored with a value read leniently; an error means the
// row was rejected and not stored. Nothing is dropped without one. An info says what tally
// decided about a file (e.g. the format it detected).
//
// Value type. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace tally {

enum class Severity : uint8_t { kInfo, kWarning, kError };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  int64_t line = 0;    // 1-based; 0 when the problem concerns the whole file
  std::string column;  // empty when the problem concerns the whole row or file
  std::string reason;

  // "warning: bill.csv: line 18: BilledCost: not a number: \"1.2.3\"".
  std::string ToString() const;
};

}  // namespace tally
