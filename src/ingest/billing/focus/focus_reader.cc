#include "ingest/billing/focus/focus_reader.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/csv_reader.h"
#include "common/strings.h"
#include "ingest/bill_values.h"
#include "model/extra_columns.h"
#include "model/json_object.h"

namespace tally {
namespace {

// What to do with each field position of the file.
struct FieldPlan {
  enum class Kind { kFocus, kExtra };
  Kind kind = Kind::kExtra;
  FocusColumn column = FocusColumn::kProviderName;
  std::string name;  // the header text (for extras and messages)
};

struct HeaderPlan {
  std::vector<FieldPlan> fields;
  std::vector<size_t> extra_fields;      // field positions of the extra columns
  std::vector<std::string> extra_names;  // their names, declared to the sink
};

std::string JoinNames(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

Result<HeaderPlan> PlanHeader(std::span<const std::string_view> header, FileContext* context) {
  HeaderPlan plan;
  plan.fields.resize(header.size());
  std::vector<bool> mapped(kFocusColumnCount, false);
  // Exact FOCUS names first, then old-version aliases for columns still unmapped.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < header.size(); ++i) {
      FieldPlan& field = plan.fields[i];
      field.name = std::string(Trim(header[i]));
      if (field.name.empty()) field.name = "column_" + std::to_string(i + 1);
      if (field.kind == FieldPlan::Kind::kFocus) continue;
      auto column = pass == 0 ? FindFocusColumn(field.name) : FindFocusAlias(field.name);
      if (!column) continue;
      size_t index = static_cast<size_t>(*column);
      if (mapped[index]) {
        // A FOCUS 1.3 file has both ProviderName and ServiceProviderName: nothing to warn of.
        if (pass == 1 && EqualsIgnoreCase(field.name, "ServiceProviderName")) continue;
        TALLY_RETURN_IF_ERROR(context->Warn(
            1, field.name,
            "second column for " + std::string(NameOf(*column)) + "; kept as an extra column"));
        continue;
      }
      mapped[index] = true;
      field.kind = FieldPlan::Kind::kFocus;
      field.column = *column;
    }
  }
  std::vector<std::string> found, missing;
  bool has_metric = false;
  for (const FieldPlan& field : plan.fields) found.push_back(field.name);
  for (FocusColumn metric : kCostMetrics) has_metric |= mapped[static_cast<size_t>(metric)];
  if (!has_metric) {
    return InvalidArgument(
        context->path() +
        ": missing mandatory FOCUS columns: none of BilledCost, EffectiveCost, ListCost, "
        "ContractedCost (columns found: " +
        JoinNames(found) + ")");
  }
  // FOCUS 1.3 and later name the providers ServiceProviderName and HostProviderName; 1.4
  // has no ProviderName or PublisherName at all.
  const bool focus_1_3 = std::find_if(found.begin(), found.end(), [](const std::string& n) {
                           return EqualsIgnoreCase(n, "ServiceProviderName");
                         }) != found.end();
  for (const FocusColumnInfo& info : AllFocusColumns()) {
    if (!info.mandatory || mapped[static_cast<size_t>(info.column)]) continue;
    if (focus_1_3 && info.column == FocusColumn::kPublisherName) continue;
    missing.emplace_back(info.name);
  }
  if (!missing.empty()) {
    TALLY_RETURN_IF_ERROR(context->Warn(
        0, "", "FOCUS 1.2 mandatory columns absent, read as null: " + JoinNames(missing)));
  }
  for (size_t i = 0; i < plan.fields.size(); ++i) {
    if (plan.fields[i].kind != FieldPlan::Kind::kExtra) continue;
    plan.extra_fields.push_back(i);
    plan.extra_names.push_back(plan.fields[i].name);
  }
  return plan;
}

// Turns one record into a CostLine; reusable buffers hold the JSON texts it points into.
class RowReader {
 public:
  RowReader(const HeaderPlan& plan, FileContext* context) : plan_(plan), context_(context) {}

  // Fills *line from `fields`. Returns false (after reporting why) when the row is rejected.
  Result<bool> Read(std::span<const std::string_view> fields, int64_t line_number, CostLine* line) {
    *line = CostLine();
    line->line = line_number;
    if (json_cache_.size() >= kJsonCacheLimit) json_cache_.clear();
    const size_t width = plan_.fields.size();
    TALLY_ASSIGN_OR_RETURN(bool fits, context_->CheckRowWidth(fields, width, line_number));
    if (!fits) return false;
    const size_t n = std::min(width, fields.size());
    for (size_t i = n; i < width; ++i) {  // a short row must not lose a number
      const FieldPlan& field = plan_.fields[i];
      if (field.kind == FieldPlan::Kind::kFocus &&
          InfoOf(field.column).type == FocusType::kDecimal) {
        TALLY_RETURN_IF_ERROR(
            context_->RejectShortRow(line_number, InfoOf(field.column).name, fields.size(), width));
        return false;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const FieldPlan& field = plan_.fields[i];
      if (field.kind != FieldPlan::Kind::kFocus) continue;
      TALLY_ASSIGN_OR_RETURN(bool ok, ReadFocusValue(field, fields[i], line_number, line));
      if (!ok) return false;
    }
    extras_.Clear();
    for (size_t k = 0; k < plan_.extra_fields.size(); ++k) {
      const size_t i = plan_.extra_fields[k];
      if (i < n && !IsNullText(fields[i])) extras_.Add(static_cast<uint32_t>(k), Trim(fields[i]));
    }
    line->extras = extras_.blob();
    return true;
  }

 private:
  Result<bool> ReadFocusValue(const FieldPlan& field, std::string_view raw, int64_t line_number,
                              CostLine* line) {
    std::string_view text = Trim(raw);
    if (IsNullText(text)) return true;
    const FocusColumnInfo& info = InfoOf(field.column);
    switch (info.type) {
      case FocusType::kString:
        line->dims[DimIndex(field.column)] = text;
        return true;
      case FocusType::kJson: {
        const JsonText& json = Canonical(text);
        if (!json.valid) {
          TALLY_RETURN_IF_ERROR(
              context_->Warn(line_number, info.name, "not a JSON object; kept as text"));
        }
        line->dims[DimIndex(field.column)] = json.text;
        return true;
      }
      case FocusType::kDecimal: {
        auto value = ParseBillDecimal(text);
        if (!value.ok()) {
          TALLY_RETURN_IF_ERROR(context_->Reject(line_number, info.name, value.status().message()));
          return false;
        }
        if (value->formatted) {
          TALLY_RETURN_IF_ERROR(context_->WarnOnce(
              info.name, line_number, info.name,
              "formatted numbers (currency symbol, thousands separators) read as plain decimals "
              "(first such row)"));
        }
        line->decimals[DecimalIndex(field.column)] = value->value;
        return true;
      }
      case FocusType::kDateTime: {
        std::string warning;
        auto value = ParseTimestamp(text, &warning);
        if (!value.ok()) {
          TALLY_RETURN_IF_ERROR(context_->Reject(line_number, info.name, value.status().message()));
          return false;
        }
        if (!warning.empty())
          TALLY_RETURN_IF_ERROR(context_->Warn(line_number, info.name, warning));
        line->times[TimeIndex(field.column)] = *value;
        return true;
      }
    }
    return true;
  }

  // Canonical JSON, or the text itself when it is not a JSON object.
  struct JsonText {
    std::string text;
    bool valid = false;
  };

  // Rows repeat the same few tag sets, so canonical forms are cached by raw text. Entries stay
  // put (a node-based map) while a row points into them; the cache is bounded by starting over
  // between rows once it is full.
  const JsonText& Canonical(std::string_view raw) {
    if (auto it = json_cache_.find(raw); it != json_cache_.end()) return it->second;
    JsonText json;
    json.valid = CanonicalJsonObject(raw, &json.text).ok();
    if (!json.valid) json.text.assign(raw);
    return json_cache_.emplace(std::string(raw), std::move(json)).first->second;
  }

  static constexpr size_t kJsonCacheLimit = 1 << 16;

  const HeaderPlan& plan_;
  FileContext* context_;
  std::unordered_map<std::string, JsonText, TransparentStringHash, std::equal_to<>> json_cache_;
  ExtrasEncoder extras_;
};

}  // namespace

Status ReadFocusFile(InputFile* in, FileContext* context) {
  CsvReader csv(in);
  TALLY_ASSIGN_OR_RETURN(bool has_header, csv.Next());
  if (!has_header || csv.blank()) {
    return InvalidArgument(context->path() + ": empty file: no header row");
  }
  TALLY_ASSIGN_OR_RETURN(HeaderPlan plan, PlanHeader(csv.fields(), context));
  if (!plan.extra_names.empty())
    TALLY_RETURN_IF_ERROR(context->DeclareExtraColumns(plan.extra_names));
  RowReader rows(plan, context);
  CostLine line;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool more, csv.Next());
    if (!more) break;
    if (csv.blank()) continue;
    TALLY_RETURN_IF_ERROR(csv.CheckNotCutOff(plan.fields.size()));
    if (csv.repaired_utf8()) TALLY_RETURN_IF_ERROR(context->WarnNotUtf8(csv.line()));
    TALLY_ASSIGN_OR_RETURN(bool ok, rows.Read(csv.fields(), csv.line(), &line));
    if (ok) TALLY_RETURN_IF_ERROR(context->Emit(line));
  }
  return Status::Ok();
}

}  // namespace tally
