#include "tally/diagnostic.h"

namespace tally {

std::string Diagnostic::ToString() const {
  std::string s = severity == Severity::kInfo      ? "info: "
                  : severity == Severity::kWarning ? "warning: "
                                                   : "error: ";
  s += file;
  if (line > 0) s += ": line " + std::to_string(line);
  if (!column.empty()) s += ": " + column;
  s += ": " + reason;
  return s;
}

}  // namespace tally
