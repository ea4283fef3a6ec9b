// The network: and cache: sections of tally.yaml (docs/config.md).
#pragma once

#include <yaml-cpp/yaml.h>

#include "config/config.h"

namespace tally {

// AWS's data-transfer usage types, the bill rules when tally.yaml gives none.
std::vector<NetworkBillRule> DefaultNetworkBillRules();

Status ParseNetworkSection(const YAML::Node& node, NetworkPolicy* out);
Status ParseCacheSection(const YAML::Node& node, std::vector<CacheTenantRule>* out);

}  // namespace tally
