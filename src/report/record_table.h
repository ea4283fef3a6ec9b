// RecordTable: a plain table of text records (the ingest log, diagnostics, usage, ...) and how
// it looks in each output format: aligned columns, CSV, or JSON {"rows":[{column: value}]} where
// counts are JSON numbers, decimal columns exact strings, and nulls null. Money columns print
// to 2 decimals in tables unless `exact` (MoneyText); CSV and JSON keep every digit.
//
// Value type; rendering is a pure function. Thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/output_format.h"

namespace tally {

struct RecordTable {
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // per column: right-aligned; counts are numbers in JSON
  std::vector<bool> decimal;  // per column: exact decimals (money, amounts), strings in JSON
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::vector<bool> money;  // per column: money (a decimal column printed to cents in tables)
};

std::string RenderRecordTable(const RecordTable& table, OutputFormat format, bool exact = false);

}  // namespace tally
