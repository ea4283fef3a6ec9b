#include "config/yaml_values.h"

#include <algorithm>

namespace tally::config_yaml {

// "line N: where", so that an error names the line of the file as well as the key.
std::string At(const YAML::Node& node, const std::string& where) {
  const int line = node.Mark().line;
  return line < 0 ? where : "line " + std::to_string(line + 1) + ": " + where;
}

// Prices, rates, amounts, weights and percentages: none of them makes sense below zero.
Result<Decimal> DecimalAt(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) return InvalidArgument(At(node, where) + ": expected a number");
  auto d = Decimal::Parse(node.Scalar());
  if (!d.ok()) return InvalidArgument(At(node, where) + ": " + d.status().message());
  if (*d < Decimal()) {
    return InvalidArgument(At(node, where) + ": must not be negative (" + node.Scalar() + ")");
  }
  return *d;
}

Result<std::map<std::string, Decimal>> DecimalMap(const YAML::Node& node,
                                                  const std::string& where) {
  if (!node.IsMap()) return InvalidArgument(where + ": expected a mapping");
  std::map<std::string, Decimal> out;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    TALLY_ASSIGN_OR_RETURN(out[key], DecimalAt(kv.second, where + "." + key));
  }
  return out;
}

Result<Match> MatchAt(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) return InvalidArgument(where + ": expected a mapping of field: value");
  Match m;
  for (const auto& kv : node) m[kv.first.as<std::string>()] = kv.second.as<std::string>();
  return m;
}

Status CheckKeys(const YAML::Node& node, const std::string& where,
                 std::initializer_list<std::string_view> known) {
  if (!node.IsMap()) return InvalidArgument(where + ": expected a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return InvalidArgument(At(kv.first, where) + ": unknown key \"" + key + "\"");
    }
  }
  return Status::Ok();
}

Result<int64_t> WholeAt(const YAML::Node& node, const std::string& where, int64_t min) {
  int64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value) || value < min) {
    return InvalidArgument(At(node, where) + ": expected a whole number of at least " +
                           std::to_string(min));
  }
  return value;
}

Result<bool> BoolAt(const YAML::Node& node, const std::string& where) {
  if (!node) return InvalidArgument(where + ": missing");
  if (!node.IsScalar()) return InvalidArgument(At(node, where) + ": expected true or false");
  const std::string& text = node.Scalar();
  for (const char* yes : {"true", "yes", "on"}) {
    if (text == yes) return true;
  }
  for (const char* no : {"false", "no", "off"}) {
    if (text == no) return false;
  }
  return InvalidArgument(At(node, where) + ": expected true or false, not \"" + text + "\"");
}

Result<std::string> TextAt(const YAML::Node& node, const std::string& where) {
  if (!node) return InvalidArgument(where + ": missing");
  if (!node.IsScalar()) return InvalidArgument(At(node, where) + ": expected a text");
  return node.Scalar();
}

Result<std::map<std::string, std::string>> TextMap(const YAML::Node& node,
                                                   const std::string& where) {
  if (!node.IsMap()) return InvalidArgument(At(node, where) + ": expected a mapping");
  std::map<std::string, std::string> out;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    TALLY_ASSIGN_OR_RETURN(out[key], TextAt(kv.second, where + "." + key));
  }
  return out;
}

}  // namespace tally::config_yaml
