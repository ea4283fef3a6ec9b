#include "jobs/alert_job.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "insight/anomalies.h"
#include "insight/calendar_days.h"

namespace tally {

using days::Percent;

std::vector<Alert> BudgetAlerts(const BudgetReport& report, Timestamp now) {
  std::vector<Alert> out;
  for (const BudgetStatus& b : report.budgets) {
    auto add = [&](const std::string& basis, int64_t threshold, const std::string& figure,
                   double percent) {
      Alert a;
      a.key = "budget:" + b.config.name + ":" + b.period + ":" + basis + ":" +
              std::to_string(threshold);
      a.labels = {{"alertname", "TallyBudgetThreshold"},
                  {"budget", b.config.name},
                  {"period", b.period},
                  {"basis", basis},
                  {"threshold", std::to_string(threshold)},
                  {"severity", threshold >= 100 ? "critical" : "warning"}};
      if (!b.config.owner.empty()) a.labels["owner"] = b.config.owner;
      a.annotations["summary"] = "Budget " + b.config.name + ": " + basis + " spend " + figure +
                                 (b.currency.empty() ? "" : " " + b.currency) + " is " +
                                 Percent(percent) + " of " + b.config.amount.ToString() +
                                 " for " + b.period;
      a.annotations["description"] = "Threshold " + std::to_string(threshold) + "% on " + basis +
                                     " spend crossed, as of " + b.as_of + ".";
      a.starts_at = now;
      out.push_back(std::move(a));
    };
    for (int64_t t : b.crossed_actual) {
      add("actual", t, b.actual.Round(2).ToString(), b.actual_percent);
    }
    for (int64_t t : b.crossed_forecast) add("forecast", t, days::Cents(b.forecast), b.forecast_percent);
  }
  return out;
}

std::vector<Alert> AnomalyAlerts(const std::vector<AnomalyRecord>& anomalies) {
  std::vector<Alert> out;
  for (const AnomalyRecord& r : anomalies) {
    if (r.state != "open") continue;
    Alert a;
    a.key = "anomaly:" + r.id;
    const std::string period = r.step_seconds == 3600 ? r.period.ToString()
                                                      : r.period.ToString().substr(0, 10);
    a.labels = {{"alertname", "TallyCostAnomaly"},
                {"anomaly_id", r.id},
                {"period", period},
                {"severity", "warning"}};
    if (!r.owner.empty()) a.labels["owner"] = r.owner;
    if (!r.dimension.empty()) a.labels["dimension"] = r.dimension;
    std::string group;
    const auto keys = nlohmann::json::parse(r.keys, nullptr, false);
    if (keys.is_object()) {
      for (const auto& [k, v] : keys.items()) {
        group += (group.empty() ? "" : ", ") + k + "=" + (v.is_string() ? v.get<std::string>() : "(null)");
      }
    }
    a.annotations["summary"] = "Cost anomaly on " + period + (group.empty() ? "" : " for " + group) +
                               ": " + r.actual.Round(2).ToString() + " against " +
                               r.expected.Round(2).ToString() + " expected (impact " +
                               r.impact.Round(2).ToString() + (r.currency.empty() ? "" : " " + r.currency) + ")";
    a.annotations["root_cause"] = r.root_cause;
    a.starts_at = r.detected_at;
    out.push_back(std::move(a));
  }
  return out;
}

Result<int64_t> DetectAndSaveAnomalies(Store* store, const std::vector<std::string>& by,
                                       const Clock& clock) {
  AnomalyQuery query;
  query.by = by;
  TALLY_ASSIGN_OR_RETURN(AnomalyReport report, FindAnomalies(store, query));
  return store->SaveAnomalies(AnomalyRecords(report, clock.Now()));
}

Result<AlertRun> RunAlerts(Store* store, const Config& config, const AlertJob& job,
                           const Clock& clock) {
  AlertRun run;
  TALLY_ASSIGN_OR_RETURN(BudgetReport budgets, BuildBudgets(store, config.budgets, job.as_of));
  run.warnings = budgets.warnings;
  run.alerts = BudgetAlerts(budgets, clock.Now());
  if (config.alerts.anomalies) {
    TALLY_ASSIGN_OR_RETURN(std::vector<AnomalyRecord> stored,
                           store->ListAnomalies(std::nullopt, std::nullopt));
    if (!stored.empty()) {
      const int64_t newest = stored.back().period.unix_seconds();
      std::erase_if(stored, [&](const AnomalyRecord& r) {
        return r.period.unix_seconds() < newest - int64_t{job.anomaly_days} * 86400;
      });
    }
    std::vector<Alert> anomalies = AnomalyAlerts(stored);
    run.alerts.insert(run.alerts.end(), anomalies.begin(), anomalies.end());
  }
  if (Receivers(config.alerts).empty()) {
    run.warnings.push_back("no alert receivers: set alerts.alertmanager or alerts.webhooks in tally.yaml");
    return run;
  }
  TALLY_ASSIGN_OR_RETURN(run.outcomes, DeliverAlerts(run.alerts, config.alerts, store, clock,
                                                     job.delivery));
  return run;
}

}  // namespace tally
