#include "report/output_format.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "report/text_cells.h"

namespace tally {
namespace {

std::string RenderCsv(const CostTable& table) {
  std::string out;
  for (const std::string& column : table.columns) {
    AppendCsvField(column, &out);
    out += ',';
  }
  out += table.metric + "\n";
  for (const CostRow& row : table.rows) {
    for (const auto& key : row.keys) {
      if (key) AppendCsvField(*key, &out);
      out += ',';
    }
    row.value.AppendTo(&out);
    out += '\n';
  }
  return out;
}

std::string RenderJson(const CostTable& table) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const CostRow& row : table.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (size_t i = 0; i < table.columns.size(); ++i) {
      object[table.columns[i]] = row.keys[i] ? nlohmann::ordered_json(*row.keys[i]) : nullptr;
    }
    object[table.metric] = row.value.ToString();
    rows.push_back(std::move(object));
  }
  // One total per currency; "total" adds them only when there is one currency to add.
  nlohmann::ordered_json totals = nlohmann::ordered_json::object();
  for (size_t c = 0; c < table.currencies.size(); ++c) {
    totals[table.currencies[c].empty() ? "(none)" : table.currencies[c]] =
        table.per_currency[c].ToString();
  }
  nlohmann::ordered_json doc = {
      {"rows", std::move(rows)},
      {"total", table.currencies.size() > 1 ? nlohmann::ordered_json(nullptr)
                                            : nlohmann::ordered_json(table.total.ToString())},
      {"totals", std::move(totals)}};
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string RenderTable(const CostTable& table, bool exact) {
  const size_t key_count = table.columns.size();
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header = table.columns;
  header.push_back(table.metric);
  cells.push_back(header);
  for (const CostRow& row : table.rows) {
    std::vector<std::string> line;
    for (const auto& key : row.keys) line.push_back(key ? *key : "(null)");
    line.push_back(MoneyText(row.value, exact));
    cells.push_back(std::move(line));
  }
  // One total line, or one per currency when the lines are in several: never a sum of two.
  std::vector<std::vector<std::string>> total_lines;
  const bool mixed = table.currencies.size() > 1;
  for (size_t c = 0; c < (mixed ? table.currencies.size() : 1); ++c) {
    std::vector<std::string> total_line(key_count, "");
    std::string label = "Total";
    if (mixed) label += " " + (table.currencies[c].empty() ? std::string("(none)") : table.currencies[c]);
    if (key_count > 0) total_line[0] = label;
    total_line.push_back(MoneyText(mixed ? table.per_currency[c] : table.total, exact));
    total_lines.push_back(std::move(total_line));
  }
  std::vector<size_t> widths(key_count + 1, 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(line[i]));
  }
  for (const auto& line : total_lines) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(line[i]));
  }
  std::string out;
  auto append_line = [&](const std::vector<std::string>& line) {
    for (size_t i = 0; i < line.size(); ++i) {
      size_t pad = widths[i] - DisplayWidth(line[i]);
      bool numeric = i == key_count;  // the metric column is right-aligned
      if (numeric) out.append(pad, ' ');
      out += line[i];
      if (!numeric && i + 1 < line.size()) out.append(pad + 2, ' ');
    }
    out += '\n';
  };
  for (const auto& line : cells) append_line(line);
  size_t rule = 0;
  for (size_t w : widths) rule += w + 2;
  out.append(rule - 2, '-');
  out += '\n';
  for (const auto& line : total_lines) append_line(line);
  return out;
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (EqualsIgnoreCase(text, "table")) return OutputFormat::kTable;
  if (EqualsIgnoreCase(text, "csv")) return OutputFormat::kCsv;
  if (EqualsIgnoreCase(text, "json")) return OutputFormat::kJson;
  return InvalidArgument("unknown format \"" + std::string(text) + "\": use table, csv or json");
}

std::string MoneyText(Decimal value, bool exact) {
  if (exact) return value.ToString();
  std::string text = value.Round(2).ToString();
  if (text == "-0") text = "0";
  const size_t dot = text.find('.');
  if (dot == std::string::npos) return text + ".00";
  return text.append(2 - (text.size() - dot - 1), '0');
}

std::string MoneyText(const std::string& text, bool exact) {
  if (exact) return text;
  auto value = Decimal::Parse(text);
  return value.ok() ? MoneyText(*value, false) : text;
}

std::string RenderCostTable(const CostTable& table, OutputFormat format, bool exact) {
  switch (format) {
    case OutputFormat::kCsv:
      return RenderCsv(table);
    case OutputFormat::kJson:
      return RenderJson(table);
    case OutputFormat::kTable:
      break;
  }
  return RenderTable(table, exact);
}

std::vector<std::string> CostTableWarnings(const CostQuery& query, const CostTable& table) {
  std::vector<std::string> warnings;
  bool by_currency = false;
  for (const GroupKey& key : query.group_by) {
    by_currency |=
        key.kind == GroupKey::Kind::kColumn && key.column == FocusColumn::kBillingCurrency;
  }
  if (table.currencies.size() > 1 && !by_currency) {
    std::string list;
    for (const std::string& c : table.currencies) {
      list += (list.empty() ? "" : ", ") + (c.empty() ? std::string("(none)") : c);
    }
    warnings.push_back("the lines are in " + std::to_string(table.currencies.size()) +
                       " currencies (" + list + "): add BillingCurrency to the grouping to keep "
                       "them apart");
  }
  for (const std::string& name : table.unknown_columns) {
    warnings.push_back(
        "no ingested file has a column named \"" + name +
        "\" (a FOCUS column, Tags.<key>, or a provider column such as x_lineItem/LineItemType)");
  }
  return warnings;
}

}  // namespace tally
