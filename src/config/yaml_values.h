// Reading tally.yaml's values with errors that name the line and the key: the helpers every
// section of the configuration parses with.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "config/config.h"

namespace tally::config_yaml {

// "line N: where", so that an error names the line of the file as well as the key.
std::string At(const YAML::Node& node, const std::string& where);
// Prices, rates, amounts, weights and percentages: none of them makes sense below zero.
Result<Decimal> DecimalAt(const YAML::Node& node, const std::string& where);
Result<std::map<std::string, Decimal>> DecimalMap(const YAML::Node& node, const std::string& where);
Result<Match> MatchAt(const YAML::Node& node, const std::string& where);
// A mapping whose keys are all among `known`.
Status CheckKeys(const YAML::Node& node, const std::string& where,
                 std::initializer_list<std::string_view> known);
// A whole number >= `min`.
Result<int64_t> WholeAt(const YAML::Node& node, const std::string& where, int64_t min);
// true or false (yes/no, on/off as YAML 1.1 writes them).
Result<bool> BoolAt(const YAML::Node& node, const std::string& where);
// A scalar's text. Errors: kInvalidArgument for a missing value, a list or a mapping.
Result<std::string> TextAt(const YAML::Node& node, const std::string& where);
// A mapping of text to text (labels).
Result<std::map<std::string, std::string>> TextMap(const YAML::Node& node,
                                                   const std::string& where);

}  // namespace tally::config_yaml
