// The budgets:, alerts: and kpis: sections of tally.yaml (docs/config.md): what reads
// allocation's results (budgets, alert routes, unit metrics) without changing them.
#pragma once

#include <yaml-cpp/yaml.h>

#include "config/config.h"

namespace tally {

Status ParseBudgetsSection(const YAML::Node& node, std::vector<BudgetConfig>* out);
Status ParseAlertsSection(const YAML::Node& node, AlertRouting* out);
Status ParseKpisSection(const YAML::Node& node, std::vector<UnitMetric>* out);
// auth: (auth_config.cc): who may sign in with OIDC.
Status ParseAuthSection(const YAML::Node& node, OidcConfig* out);

}  // namespace tally
