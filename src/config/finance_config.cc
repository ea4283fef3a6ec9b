#include "config/finance_config.h"

#include <algorithm>
#include <set>

#include "config/yaml_values.h"

namespace tally {
namespace {

using namespace config_yaml;  // NOLINT(google-build-using-namespace): the section helpers

Result<std::vector<int64_t>> PercentsAt(const YAML::Node& node, const std::string& where) {
  if (!node.IsSequence()) return InvalidArgument(At(node, where) + ": expected a list of percents");
  std::vector<int64_t> out;
  for (size_t i = 0; i < node.size(); ++i) {
    TALLY_ASSIGN_OR_RETURN(int64_t pct, WholeAt(node[i], where + "[" + std::to_string(i) + "]", 1));
    if (pct > 1000) return InvalidArgument(At(node[i], where) + ": a percent above 1000");
    out.push_back(pct);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool IsUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

Result<std::string> UrlAt(const YAML::Node& node, const std::string& where) {
  TALLY_ASSIGN_OR_RETURN(std::string url, TextAt(node, where));
  if (!IsUrl(url)) return InvalidArgument(At(node, where) + ": \"" + url + "\" is not an http(s) URL");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Status ParseBudgetsSection(const YAML::Node& node, std::vector<BudgetConfig>* out) {
  if (!node.IsSequence()) return InvalidArgument(At(node, "budgets") + ": expected a list");
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node b = node[i];
    const std::string where = "budgets[" + std::to_string(i) + "]";
    TALLY_RETURN_IF_ERROR(CheckKeys(b, where, {"name", "owner", "where", "period", "amount",
                                               "thresholds"}));
    BudgetConfig budget;
    TALLY_ASSIGN_OR_RETURN(budget.name, TextAt(b["name"], where + ".name"));
    if (budget.name.empty() || !names.insert(budget.name).second) {
      return InvalidArgument(At(b, where + ".name") + ": names must be unique and not empty");
    }
    if (b["owner"]) {
      TALLY_ASSIGN_OR_RETURN(budget.owner, TextAt(b["owner"], where + ".owner"));
    }
    if (const YAML::Node filters = b["where"]) {
      TALLY_ASSIGN_OR_RETURN(auto map, TextMap(filters, where + ".where"));
      for (const auto& [key, value] : map) budget.where.push_back(key + "=" + value);
    }
    if (budget.owner.empty() == budget.where.empty()) {
      return InvalidArgument(At(b, where) + ": needs either owner or where (bill filters)");
    }
    if (b["period"]) {
      TALLY_ASSIGN_OR_RETURN(std::string period, TextAt(b["period"], where + ".period"));
      if (period != "month" && period != "quarter") {
        return InvalidArgument(At(b["period"], where + ".period") + ": month or quarter");
      }
      budget.period = period == "month" ? BudgetConfig::Period::kMonth
                                        : BudgetConfig::Period::kQuarter;
    }
    if (!b["amount"]) return InvalidArgument(At(b, where) + ": missing amount");
    TALLY_ASSIGN_OR_RETURN(budget.amount, DecimalAt(b["amount"], where + ".amount"));
    if (budget.amount == Decimal()) {
      return InvalidArgument(At(b["amount"], where + ".amount") + ": must be above zero");
    }
    if (const YAML::Node t = b["thresholds"]) {
      TALLY_RETURN_IF_ERROR(CheckKeys(t, where + ".thresholds", {"actual", "forecast"}));
      budget.actual_thresholds.clear();
      budget.forecast_thresholds.clear();
      if (t["actual"]) {
        TALLY_ASSIGN_OR_RETURN(budget.actual_thresholds,
                               PercentsAt(t["actual"], where + ".thresholds.actual"));
      }
      if (t["forecast"]) {
        TALLY_ASSIGN_OR_RETURN(budget.forecast_thresholds,
                               PercentsAt(t["forecast"], where + ".thresholds.forecast"));
      }
    }
    out->push_back(std::move(budget));
  }
  return Status::Ok();
}

Status ParseAlertsSection(const YAML::Node& node, AlertRouting* out) {
  TALLY_RETURN_IF_ERROR(CheckKeys(node, "alerts", {"alertmanager", "webhooks", "retries",
                                                   "backoff", "timeout", "anomalies"}));
  if (node["alertmanager"]) {
    TALLY_ASSIGN_OR_RETURN(out->alertmanager, UrlAt(node["alertmanager"], "alerts.alertmanager"));
  }
  if (const YAML::Node hooks = node["webhooks"]) {
    if (!hooks.IsSequence()) return InvalidArgument(At(hooks, "alerts.webhooks") + ": expected a list");
    for (size_t i = 0; i < hooks.size(); ++i) {
      TALLY_ASSIGN_OR_RETURN(std::string url,
                             UrlAt(hooks[i], "alerts.webhooks[" + std::to_string(i) + "]"));
      out->webhooks.push_back(std::move(url));
    }
  }
  if (node["retries"]) {
    TALLY_ASSIGN_OR_RETURN(out->retries, WholeAt(node["retries"], "alerts.retries", 0));
    if (out->retries > 10) return InvalidArgument(At(node["retries"], "alerts.retries") + ": at most 10");
  }
  for (const char* key : {"backoff", "timeout"}) {
    if (!node[key]) continue;
    TALLY_ASSIGN_OR_RETURN(std::string text, TextAt(node[key], std::string("alerts.") + key));
    auto seconds = ParseDuration(text);
    if (!seconds.ok()) return InvalidArgument(At(node[key], std::string("alerts.") + key) + ": " + seconds.status().message());
    (std::string(key) == "backoff" ? out->backoff_seconds : out->timeout_seconds) = *seconds;
  }
  if (node["anomalies"]) {
    TALLY_ASSIGN_OR_RETURN(out->anomalies, BoolAt(node["anomalies"], "alerts.anomalies"));
  }
  return Status::Ok();
}

Status ParseKpisSection(const YAML::Node& node, std::vector<UnitMetric>* out) {
  TALLY_RETURN_IF_ERROR(CheckKeys(node, "kpis", {"unit_metrics"}));
  const YAML::Node metrics = node["unit_metrics"];
  if (!metrics) return Status::Ok();
  if (!metrics.IsSequence()) return InvalidArgument(At(metrics, "kpis.unit_metrics") + ": expected a list");
  for (size_t i = 0; i < metrics.size(); ++i) {
    const std::string where = "kpis.unit_metrics[" + std::to_string(i) + "]";
    TALLY_RETURN_IF_ERROR(CheckKeys(metrics[i], where, {"name", "resource", "per", "owner"}));
    UnitMetric m;
    TALLY_ASSIGN_OR_RETURN(m.name, TextAt(metrics[i]["name"], where + ".name"));
    TALLY_ASSIGN_OR_RETURN(m.resource, TextAt(metrics[i]["resource"], where + ".resource"));
    if (metrics[i]["per"]) {
      TALLY_ASSIGN_OR_RETURN(m.per, DecimalAt(metrics[i]["per"], where + ".per"));
      if (m.per == Decimal()) return InvalidArgument(At(metrics[i]["per"], where + ".per") + ": must be above zero");
    }
    if (metrics[i]["owner"]) {
      TALLY_ASSIGN_OR_RETURN(m.owner, TextAt(metrics[i]["owner"], where + ".owner"));
    }
    out->push_back(std::move(m));
  }
  return Status::Ok();
}

}  // namespace tally
