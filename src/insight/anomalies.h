// Cost anomalies (`tally anomalies`, GET /api/v1/anomalies): days (or hours) whose cost is far
// from its seasonal baseline, in total or per group of the bill or the allocation
// (cost_series.h), with their dollar impact and root cause.
//
// The baseline of period t is the median of the same period in the seasons before it (the same
// weekday of the last 4 weeks for days; the same hour of the last 7 days for hours): a past
// spike moves a median little. The residual r = actual - baseline is anomalous when
//   |r| > k × scale  and  |r| >= floor,
// where scale is the robust spread of the series' own residuals over the 4 weeks (or 7 days)
// before t: 1.4826 × their median absolute value, and at least 1% of the baseline. Detection
// needs a baseline (one season of history) and 7 residuals (24 for hours) before it.
//
// The root cause: for each drill dimension the group is not already split by (the bill:
// ServiceName, SubAccountId, RegionId, ResourceId; the allocation: service, consumer, asset),
// the values whose own change from their own baseline explains the impact, largest first,
// until 80% of it is explained (at most 3 per dimension).
//
// Stateless; reads the store on the caller's thread. Saving and states: AlertStateStore.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/record_table.h"
#include "tally/alert_state.h"
#include "tally/cost_query.h"
#include "tally/decimal.h"
#include "tally/store.h"

namespace tally {

struct AnomalyOptions {
  double k = 5;                          // threshold in robust standard deviations
  Decimal floor = Decimal::FromUnits(10);  // the smallest |impact| worth a person's time
  bool drops = false;                    // also flag cost falling below its baseline
};

struct AnomalyQuery {
  std::vector<std::string> by;  // cost_series.h keys; none: the total
  std::vector<std::string> where;
  CostStep step = CostStep::kDay;  // kDay or kHour
  FocusColumn metric = FocusColumn::kEffectiveCost;
  std::optional<Timestamp> from, to;  // report anomalies of these periods (history before counts)
  AnomalyOptions options;
};

struct RootCause {
  std::string dimension, value;
  Decimal change;  // the value's cost minus its baseline
  double share = 0;  // change / impact
};

struct Anomaly {
  std::vector<std::optional<std::string>> keys;  // one per `by` column
  std::string currency;
  Timestamp period;
  Decimal actual, expected, impact;
  double score = 0;  // |impact| / scale
  std::vector<RootCause> root_cause;
};

struct AnomalyReport {
  std::vector<std::string> columns;  // the `by` labels
  std::string metric;
  int64_t step_seconds = 86400;
  size_t series = 0;   // series examined
  int64_t periods = 0;  // periods examined per series (those with enough history)
  std::vector<Anomaly> anomalies;  // by period, then impact descending
};

// The indexes of `values` that are anomalous, with their baseline and scale. `season` is the
// periods per season (7 days, 24 hours), `seasons` how many back the baseline looks.
struct SeriesAnomaly {
  size_t index;
  double expected, scale;
};
std::vector<SeriesAnomaly> DetectInSeries(std::span<const double> values, int season, int seasons,
                                          const AnomalyOptions& options, double floor);

// Errors: kInvalidArgument for bad keys or step; the store's.
Result<AnomalyReport> FindAnomalies(Store* store, const AnomalyQuery& query);

// The records to store: ids stable per (dimension, keys, currency, period, step).
std::vector<AnomalyRecord> AnomalyRecords(const AnomalyReport& report, Timestamp now);

// {"rows":[{"id", "date" (or "hour"), <by labels>..., "currency", "actual", "expected",
// "impact", "score", "root_cause":[{dimension, value, change, share}], "state"}], ...}.
// `stored` gives each row's id and state.
nlohmann::ordered_json AnomalyJson(const AnomalyReport& report,
                                   std::span<const AnomalyRecord> stored);
RecordTable AnomalyRecordTable(const AnomalyReport& report, std::span<const AnomalyRecord> stored);

}  // namespace tally
