#include "ingest/billing/native_export.h"

#include <algorithm>

#include "common/csv_reader.h"
#include "common/strings.h"
#include "ingest/bill_values.h"

namespace tally {

std::string NormalizeColumnName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : Trim(name)) {
    if (c == '/' || c == '_' || c == '.' || c == ' ' || c == '-') continue;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  }
  return out;
}

NativeHeader::NativeHeader(std::span<const std::string_view> names) {
  for (size_t i = 0; i < names.size(); ++i) {
    std::string name(Trim(names[i]));
    if (name.empty()) name = "column_" + std::to_string(i + 1);
    // Localized exports write "Ressourcengruppe (ResourceGroup)": match on the name in brackets.
    std::string_view matched = name;
    if (size_t open = name.rfind(" ("); open != std::string::npos && name.back() == ')') {
      matched = std::string_view(name).substr(open + 2, name.size() - open - 3);
    }
    normalized_.push_back(NormalizeColumnName(matched));
    names_.push_back(std::move(name));
  }
}

int NativeHeader::Find(std::string_view name) const {
  const std::string wanted = NormalizeColumnName(name);
  for (size_t i = 0; i < normalized_.size(); ++i) {
    if (normalized_[i] == wanted) return static_cast<int>(i);
  }
  return -1;
}

int NativeHeader::FindAny(std::initializer_list<std::string_view> names) const {
  for (std::string_view name : names) {
    if (int i = Find(name); i >= 0) return i;
  }
  return -1;
}

std::vector<std::pair<std::string, int>> NativeHeader::PrefixedColumns(
    std::initializer_list<std::string_view> prefixes) const {
  std::vector<std::pair<std::string, int>> columns;
  for (size_t i = 0; i < names_.size(); ++i) {
    for (std::string_view prefix : prefixes) {
      if (names_[i].size() > prefix.size() && StartsWithIgnoreCase(names_[i], prefix)) {
        columns.emplace_back(names_[i].substr(prefix.size()), static_cast<int>(i));
      }
    }
  }
  std::sort(columns.begin(), columns.end());
  return columns;
}

std::vector<std::string> NativeHeader::ExtraNames() const {
  std::vector<std::string> names;
  for (const std::string& name : names_) names.push_back("x_" + name);
  return names;
}

void NativeHeader::EncodeExtras(std::span<const std::string_view> fields,
                                ExtrasEncoder* out) const {
  out->Clear();
  for (size_t i = 0; i < fields.size() && i < names_.size(); ++i) {
    if (!IsNullText(fields[i])) out->Add(static_cast<uint32_t>(i), Trim(fields[i]));
  }
}

std::string_view NativeRow::Text(int col) const {
  if (col < 0 || static_cast<size_t>(col) >= fields_.size()) return {};
  std::string_view text = Trim(fields_[static_cast<size_t>(col)]);
  return IsNullText(text) ? std::string_view() : text;
}

Result<bool> NativeRow::ReadDecimal(int col, std::optional<Decimal>* out) const {
  out->reset();
  if (col >= 0 && static_cast<size_t>(col) >= fields_.size()) {  // a short row lost a number
    TALLY_RETURN_IF_ERROR(context_->RejectShortRow(line_, header_.name(static_cast<size_t>(col)),
                                                   fields_.size(), header_.size()));
    return false;
  }
  std::string_view text = Text(col);
  if (text.empty()) return true;
  auto value = ParseBillDecimal(text);
  if (!value.ok()) {
    TALLY_RETURN_IF_ERROR(
        context_->Reject(line_, header_.name(static_cast<size_t>(col)), value.status().message()));
    return false;
  }
  *out = value->value;
  return true;
}

Result<bool> NativeRow::ReadDecimals(
    std::initializer_list<std::pair<int, std::optional<Decimal>*>> reads) const {
  for (const auto& [col, out] : reads) {
    TALLY_ASSIGN_OR_RETURN(bool ok, ReadDecimal(col, out));
    if (!ok) return false;
  }
  return true;
}

Result<bool> NativeRow::ReadTime(int col, std::optional<Timestamp>* out) const {
  out->reset();
  std::string_view text = Text(col);
  if (text.empty()) return true;
  std::string warning;
  auto value = ParseTimestamp(text, &warning);
  const std::string& column = header_.name(static_cast<size_t>(col));
  if (!value.ok()) {
    TALLY_RETURN_IF_ERROR(context_->Reject(line_, column, value.status().message()));
    return false;
  }
  if (!warning.empty()) TALLY_RETURN_IF_ERROR(context_->Warn(line_, column, warning));
  *out = *value;
  return true;
}

void TagsBuilder::AddColumns(const NativeRow& row,
                             const std::vector<std::pair<std::string, int>>& columns) {
  for (const auto& [key, col] : columns) {
    if (std::string_view value = row.Text(col); !value.empty()) Add(key, value);
  }
}

Status CheckRequiredColumns(
    const NativeHeader& header, const std::string& path, std::string_view what,
    std::initializer_list<std::initializer_list<std::string_view>> required) {
  for (const auto& group : required) {
    if (header.FindAny(group) >= 0) continue;
    std::string names;
    for (std::string_view name : group) names += (names.empty() ? "" : " or ") + std::string(name);
    return InvalidArgument(path + ": not " + std::string(what) + ": no " + names + " column");
  }
  return Status::Ok();
}

void TagsBuilder::Build(std::string* out) {
  out->clear();
  std::stable_sort(pairs_.begin(), pairs_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (i > 0 && pairs_[i].first == pairs_[i - 1].first) continue;
    *out += out->empty() ? "{\"" : ",\"";
    AppendJsonEscaped(pairs_[i].first, out);
    *out += "\":\"";
    AppendJsonEscaped(pairs_[i].second, out);
    *out += '"';
  }
  if (!out->empty()) *out += '}';
}

Status ReadNativeCsv(InputFile* in, FileContext* context, const NativeHeaderCheck& check,
                     const NativeConverter& convert) {
  CsvReader csv(in);
  TALLY_ASSIGN_OR_RETURN(bool has_header, csv.Next());
  if (!has_header || csv.blank()) {
    return InvalidArgument(context->path() + ": empty file: no header row");
  }
  NativeHeader header(csv.fields());
  TALLY_RETURN_IF_ERROR(check(header));
  TALLY_RETURN_IF_ERROR(context->DeclareExtraColumns(header.ExtraNames()));
  CostLine line;
  ExtrasEncoder extras;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool more, csv.Next());
    if (!more) break;
    if (csv.blank()) continue;
    TALLY_RETURN_IF_ERROR(csv.CheckNotCutOff(header.size()));
    if (csv.repaired_utf8()) TALLY_RETURN_IF_ERROR(context->WarnNotUtf8(csv.line()));
    auto fields = csv.fields();
    TALLY_ASSIGN_OR_RETURN(bool fits, context->CheckRowWidth(fields, header.size(), csv.line()));
    if (!fits) continue;
    line = CostLine();
    line.line = csv.line();
    NativeRow row(header, fields, csv.line(), context);
    TALLY_ASSIGN_OR_RETURN(bool keep, convert(row, &line));
    if (!keep) continue;
    header.EncodeExtras(fields, &extras);  // every native column stays as x_<name>
    line.extras = extras.blob();
    TALLY_RETURN_IF_ERROR(context->Emit(line));
  }
  return Status::Ok();
}

}  // namespace tally
