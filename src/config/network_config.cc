#include "config/network_config.h"

#include <algorithm>

#include "config/yaml_values.h"
#include "tally/network.h"

namespace tally {
namespace {

using namespace config_yaml;  // NOLINT(google-build-using-namespace): the section helpers

Result<CidrBlock> CidrAt(const YAML::Node& node, const std::string& where) {
  TALLY_ASSIGN_OR_RETURN(std::string text, TextAt(node, where));
  auto block = ParseCidr(text);
  if (!block) {
    return InvalidArgument(At(node, where) + ": \"" + text +
                           "\" is not an address or a CIDR block such as 10.0.0.0/16");
  }
  return *block;
}

Status CheckClass(const YAML::Node& node, const std::string& where, const std::string& name) {
  if (std::find(std::begin(kFlowClasses), std::end(kFlowClasses), name) !=
      std::end(kFlowClasses)) {
    return Status::Ok();
  }
  std::string known;
  for (std::string_view c : kFlowClasses) known += (known.empty() ? "" : ", ") + std::string(c);
  return InvalidArgument(At(node, where) + ": \"" + name + "\" is no flow class (" + known + ")");
}

}  // namespace

std::vector<NetworkBillRule> DefaultNetworkBillRules() {
  return {{"inter-zone", "*DataTransfer-Regional-Bytes"},
          {"internet", "*DataTransfer-Out-Bytes"},
          {"inter-region", "*-AWS-Out-Bytes"},
          {"ingress", "*DataTransfer-In-Bytes"}};
}

Status ParseNetworkSection(const YAML::Node& node, NetworkPolicy* out) {
  TALLY_RETURN_IF_ERROR(CheckKeys(node, "network", {"zones", "owners", "prices", "bill"}));
  if (const YAML::Node zones = node["zones"]) {
    if (!zones.IsSequence()) return InvalidArgument(At(zones, "network.zones") + ": expected a list");
    for (size_t i = 0; i < zones.size(); ++i) {
      const std::string where = "network.zones[" + std::to_string(i) + "]";
      TALLY_RETURN_IF_ERROR(CheckKeys(zones[i], where, {"cidr", "zone", "region"}));
      NetworkZoneRule rule;
      TALLY_ASSIGN_OR_RETURN(rule.cidr, CidrAt(zones[i]["cidr"], where + ".cidr"));
      TALLY_ASSIGN_OR_RETURN(rule.zone, TextAt(zones[i]["zone"], where + ".zone"));
      if (zones[i]["region"]) {
        TALLY_ASSIGN_OR_RETURN(rule.region, TextAt(zones[i]["region"], where + ".region"));
      }
      out->zones.push_back(std::move(rule));
    }
  }
  if (const YAML::Node owners = node["owners"]) {
    if (!owners.IsSequence()) {
      return InvalidArgument(At(owners, "network.owners") + ": expected a list");
    }
    for (size_t i = 0; i < owners.size(); ++i) {
      const std::string where = "network.owners[" + std::to_string(i) + "]";
      TALLY_RETURN_IF_ERROR(CheckKeys(owners[i], where, {"cidr", "consumer", "labels"}));
      NetworkOwnerRule rule;
      TALLY_ASSIGN_OR_RETURN(rule.cidr, CidrAt(owners[i]["cidr"], where + ".cidr"));
      TALLY_ASSIGN_OR_RETURN(rule.consumer, TextAt(owners[i]["consumer"], where + ".consumer"));
      if (owners[i]["labels"]) {
        TALLY_ASSIGN_OR_RETURN(rule.labels, TextMap(owners[i]["labels"], where + ".labels"));
      }
      out->owners.push_back(std::move(rule));
    }
  }
  if (const YAML::Node prices = node["prices"]) {
    TALLY_ASSIGN_OR_RETURN(out->prices, DecimalMap(prices, "network.prices"));
    for (const auto& kv : prices) {
      TALLY_RETURN_IF_ERROR(CheckClass(kv.first, "network.prices", kv.first.as<std::string>()));
    }
  }
  if (const YAML::Node bill = node["bill"]) {
    if (!bill.IsSequence()) return InvalidArgument(At(bill, "network.bill") + ": expected a list");
    out->bill.clear();
    for (size_t i = 0; i < bill.size(); ++i) {
      const std::string where = "network.bill[" + std::to_string(i) + "]";
      TALLY_RETURN_IF_ERROR(CheckKeys(bill[i], where, {"class", "usage_type"}));
      NetworkBillRule rule;
      TALLY_ASSIGN_OR_RETURN(rule.flow_class, TextAt(bill[i]["class"], where + ".class"));
      TALLY_RETURN_IF_ERROR(CheckClass(bill[i]["class"], where + ".class", rule.flow_class));
      TALLY_ASSIGN_OR_RETURN(rule.usage_type,
                             TextAt(bill[i]["usage_type"], where + ".usage_type"));
      out->bill.push_back(std::move(rule));
    }
  }
  return Status::Ok();
}

Status ParseCacheSection(const YAML::Node& node, std::vector<CacheTenantRule>* out) {
  TALLY_RETURN_IF_ERROR(CheckKeys(node, "cache", {"tenants"}));
  const YAML::Node tenants = node["tenants"];
  if (!tenants) return Status::Ok();
  if (!tenants.IsSequence()) {
    return InvalidArgument(At(tenants, "cache.tenants") + ": expected a list");
  }
  for (size_t i = 0; i < tenants.size(); ++i) {
    const std::string where = "cache.tenants[" + std::to_string(i) + "]";
    TALLY_RETURN_IF_ERROR(CheckKeys(tenants[i], where, {"prefix", "consumer", "labels"}));
    CacheTenantRule rule;
    TALLY_ASSIGN_OR_RETURN(rule.prefix, TextAt(tenants[i]["prefix"], where + ".prefix"));
    if (rule.prefix.empty()) return InvalidArgument(where + ".prefix: must not be empty");
    rule.consumer = rule.prefix;
    if (tenants[i]["consumer"]) {
      TALLY_ASSIGN_OR_RETURN(rule.consumer, TextAt(tenants[i]["consumer"], where + ".consumer"));
    }
    if (tenants[i]["labels"]) {
      TALLY_ASSIGN_OR_RETURN(rule.labels, TextMap(tenants[i]["labels"], where + ".labels"));
    }
    out->push_back(std::move(rule));
  }
  return Status::Ok();
}

}  // namespace tally
