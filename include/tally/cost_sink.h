// CostSink: where ingestion sends what it reads. Ingest adapters know only this interface; the
// store implements it, and the command line wires the two together.
//
// Implementations are not required to be thread-safe; one ingest run uses one sink.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tally/cost_line.h"
#include "tally/diagnostic.h"
#include "tally/status.h"

namespace tally {

struct SourceFile {
  std::string path;
  std::string format;  // "focus", "aws-cur", ...
  uint64_t size_on_disk = 0;
};

class CostSink {
 public:
  virtual ~CostSink() = default;
  // Called once per file before its rows.
  virtual Status BeginFile(const SourceFile& file) = 0;
  // Names the file's extra (non-FOCUS) columns, once, before its rows; a row's `extras` refer
  // to them by index. Not called for a file without such columns.
  virtual Status DeclareExtraColumns(const std::vector<std::string>& names) = 0;
  // Stores one row of the current file. Errors are fatal for the whole run.
  virtual Status Add(const CostLine& line) = 0;
  // Records a problem with a row or file of this run.
  virtual Status AddDiagnostic(const Diagnostic& diagnostic) = 0;
  // Drops every row Added since the last BeginFile: the file turned out to be unreadable.
  virtual Status AbandonFile() = 0;
};

}  // namespace tally
