// One alerting run, shared by `tally alerts` and `tally serve` (after each allocation): the budgets of tally.yaml are
// evaluated (report/budgets.h) and every threshold crossed, on actual or on forecast spend,
// becomes an alert keyed by budget, period, basis and percent; open stored anomalies of the
// last `anomaly_days` before the newest one become alerts keyed by their id. Then they are
// delivered once to each receiver (alert_delivery.h).
#pragma once

#include <optional>
#include <vector>

#include "config/config.h"
#include "jobs/alert_delivery.h"
#include "insight/budgets.h"
#include "tally/store.h"

namespace tally {

struct AlertJob {
  std::optional<Timestamp> as_of;  // the budgets' as-of day cap (default: the last day of data)
  int anomaly_days = 7;
  DeliveryOptions delivery;
};

struct AlertRun {
  std::vector<Alert> alerts;
  std::vector<DeliveryOutcome> outcomes;
  std::vector<std::string> warnings;  // the budgets'; and "no receivers" when none is set
};

// The alerts of a budget report: one per threshold crossed.
std::vector<Alert> BudgetAlerts(const BudgetReport& report, Timestamp now);
// The alerts of stored anomalies in state "open".
std::vector<Alert> AnomalyAlerts(const std::vector<AnomalyRecord>& anomalies);

// Finds daily anomalies per `by` (report/anomalies.h, default thresholds) and stores them;
// returns how many were new. Errors: the store's.
Result<int64_t> DetectAndSaveAnomalies(Store* store, const std::vector<std::string>& by,
                                       const Clock& clock);

// Errors: the store's; kInvalidArgument for a bad budget filter.
Result<AlertRun> RunAlerts(Store* store, const Config& config, const AlertJob& job,
                           const Clock& clock);

}  // namespace tally
