// Helpers shared by the adapters for providers' own export formats (AWS CUR, GCP, Azure, OCI):
// finding columns whatever the header style, reading a record's values with diagnostics, and
// keeping every native column as an `x_<original name>` extra.
//
// NativeHeader is immutable after construction; NativeRow is one record's view. Neither is
// thread-safe.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest_files.h"
#include "model/extra_columns.h"
#include "tally/decimal.h"
#include "tally/time.h"

namespace tally {

// Lower-cases and drops '/', '_', '.', ' ' and '-', so that "lineItem/UnblendedCost" and
// "line_item_unblended_cost", or "costInBillingCurrency" and "CostInBillingCurrency", match.
std::string NormalizeColumnName(std::string_view name);

class NativeHeader {
 public:
  explicit NativeHeader(std::span<const std::string_view> names);

  // Index of the first column whose normalized name is NormalizeColumnName(name); -1 if none.
  // A header "Label (Name)", as localized exports write it, is found by its Name.
  int Find(std::string_view name) const;
  // The first of several spellings that is present; -1 if none.
  int FindAny(std::initializer_list<std::string_view> names) const;
  size_t size() const { return names_.size(); }
  const std::string& name(size_t i) const { return names_[i]; }

  // The columns whose name starts with one of `prefixes` (ignoring case), as (the rest of the
  // name, column index), sorted: e.g. tag columns "resourceTags/user:team" -> "user:team".
  std::vector<std::pair<std::string, int>> PrefixedColumns(
      std::initializer_list<std::string_view> prefixes) const;
  // Every column is kept as the extra column "x_<name>", at its own index.
  std::vector<std::string> ExtraNames() const;
  // Packs the record's non-null values (trimmed) into *out, after clearing it.
  void EncodeExtras(std::span<const std::string_view> fields, ExtrasEncoder* out) const;

 private:
  std::vector<std::string> names_;       // as in the file, trimmed
  std::vector<std::string> normalized_;  // NormalizeColumnName(names_[i])
};

// One record of a native export, with typed reads. A value that cannot be read rejects the
// row: the read reports it (file, line, column, reason) and returns false, and the caller
// stops converting the row.
class NativeRow {
 public:
  NativeRow(const NativeHeader& header, std::span<const std::string_view> fields, int64_t line,
            FileContext* context)
      : header_(header), fields_(fields), line_(line), context_(context) {}

  int64_t line() const { return line_; }
  std::span<const std::string_view> fields() const { return fields_; }
  // Trimmed text of column `col`; empty for null, a NULL placeholder, or col < 0.
  std::string_view Text(int col) const;
  // Reads a decimal (lenient, as ParseBillDecimal); nullopt for null.
  Result<bool> ReadDecimal(int col, std::optional<Decimal>* out) const;
  // Reads several decimals in order, stopping at the first that rejects the row.
  Result<bool> ReadDecimals(
      std::initializer_list<std::pair<int, std::optional<Decimal>*>> reads) const;
  // Reads a timestamp (lenient, as ParseTimestamp); nullopt for null.
  Result<bool> ReadTime(int col, std::optional<Timestamp>* out) const;

 private:
  const NativeHeader& header_;
  std::span<const std::string_view> fields_;
  int64_t line_;
  FileContext* context_;
};

// Sets a String or JSON column of `line` (a view: the text must outlive the line's use).
inline void SetDim(CostLine* line, FocusColumn column, std::string_view value) {
  line->dims[DimIndex(column)] = value;
}

// Builds the canonical JSON object text of a row's tags (keys sorted; the first value of a
// repeated key wins), as the FOCUS Tags column holds it.
class TagsBuilder {
 public:
  void Clear() { pairs_.clear(); }
  void Add(std::string_view key, std::string_view value) { pairs_.emplace_back(key, value); }
  // Adds each (key, column) whose value in `row` is not null.
  void AddColumns(const NativeRow& row, const std::vector<std::pair<std::string, int>>& columns);
  // Writes "" when there are no tags.
  void Build(std::string* out);

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Reads a native CSV export: the header, then each non-blank record handed to `convert`, which
// fills a CostLine's FOCUS columns and returns whether to store it (false: it rejected the row
// itself). Every column of a stored row is also kept as the extra column x_<name>.
// Rows are checked against the header as FileContext::CheckRowWidth says.
using NativeConverter = std::function<Result<bool>(const NativeRow& row, CostLine* line)>;
using NativeHeaderCheck = std::function<Status(const NativeHeader& header)>;
Status ReadNativeCsv(InputFile* in, FileContext* context, const NativeHeaderCheck& check,
                     const NativeConverter& convert);

// Refuses a header that lacks every name of one of the `required` groups:
// "<path>: not <what>: no <A or B> column".
Status CheckRequiredColumns(
    const NativeHeader& header, const std::string& path, std::string_view what,
    std::initializer_list<std::initializer_list<std::string_view>> required);

// Reads a native export with a Converter, a class constructed as Converter(header, context)
// with a method Result<bool> Convert(row, line), after CheckRequiredColumns.
template <typename Converter>
Status ReadNativeExport(InputFile* in, FileContext* context, std::string_view what,
                        std::initializer_list<std::initializer_list<std::string_view>> required) {
  std::unique_ptr<Converter> converter;
  auto check = [&](const NativeHeader& header) -> Status {
    TALLY_RETURN_IF_ERROR(CheckRequiredColumns(header, context->path(), what, required));
    converter = std::make_unique<Converter>(header, context);
    return Status::Ok();
  };
  return ReadNativeCsv(in, context, check, [&](const NativeRow& row, CostLine* line) {
    return converter->Convert(row, line);
  });
}

}  // namespace tally
