#include "report/record_table.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "report/text_cells.h"

namespace tally {
namespace {

bool Numeric(const RecordTable& t, size_t i) { return i < t.numeric.size() && t.numeric[i]; }

std::string RenderTable(const RecordTable& t, bool exact) {
  std::vector<size_t> widths(t.columns.size(), 0);
  std::vector<std::vector<std::string>> texts;  // the cells as printed
  texts.reserve(t.rows.size());
  for (const auto& row : t.rows) {
    std::vector<std::string>& cells = texts.emplace_back();
    cells.reserve(row.size());
    for (size_t i = 0; i < row.size(); ++i) {
      const bool money = i < t.money.size() && t.money[i];
      cells.push_back(!row[i] ? std::string("-") : money ? MoneyText(*row[i], exact) : *row[i]);
    }
  }
  for (size_t i = 0; i < t.columns.size(); ++i) widths[i] = DisplayWidth(t.columns[i]);
  for (const auto& row : texts) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      const size_t pad = widths[i] - DisplayWidth(cells[i]);
      if (Numeric(t, i)) out.append(pad, ' ');
      out += cells[i];
      if (i + 1 < cells.size()) out.append(Numeric(t, i) ? 2 : pad + 2, ' ');
    }
    out += '\n';
  };
  line(t.columns);
  for (const auto& cells : texts) line(cells);
  return out;
}

std::string RenderCsv(const RecordTable& t) {
  std::string out;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i > 0) out += ',';
    AppendCsvField(t.columns[i], &out);
  }
  out += '\n';
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      if (row[i]) AppendCsvField(*row[i], &out);
    }
    out += '\n';
  }
  return out;
}

std::string RenderJson(const RecordTable& t) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : t.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (size_t i = 0; i < row.size() && i < t.columns.size(); ++i) {
      if (!row[i]) {
        object[t.columns[i]] = nullptr;
      } else if (Numeric(t, i) && !(i < t.decimal.size() && t.decimal[i])) {
        object[t.columns[i]] = std::stoll(*row[i]);
      } else {
        object[t.columns[i]] = *row[i];
      }
    }
    rows.push_back(std::move(object));
  }
  nlohmann::ordered_json doc = {{"rows", std::move(rows)}};
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string RenderRecordTable(const RecordTable& table, OutputFormat format, bool exact) {
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

}  // namespace tally
