// Daily cost forecasting with weekly seasonality, chosen by rolling-origin backtest.
//
// Candidates, each fitted on the days before an origin and asked for the next days:
//   seasonal-naive  the same weekday one week earlier (the baseline every forecast must beat);
//   weekday-median  the median of the same weekday over the last four weeks (robust to spikes);
//   robust-trend    a Theil-Sen trend over same-weekday pairs of the last eight weeks plus
//                   median weekday offsets (robust to spikes, follows growth);
//   holt-winters    additive level, trend and weekly season, its smoothing chosen by one-step
//                   error on the history.
// The backtest moves the origin back a week at a time (up to 8 origins, each leaving at least
// 8 days of history, so that a month of data still has 3) and forecasts the 7 days after it. The method with the lowest MAPE over
// those days wins. The 80% interval is the prediction interval of the winner's relative
// backtest errors: mean ± t(0.9, n-1) × sd × sqrt(1 + 1/n), after leaving out errors beyond 6
// robust standard deviations (a past spike's), widened with the horizon. Student's t keeps
// it honest on the few errors a short history gives (raw percentiles of 7 errors are too
// narrow). Its coverage is measured leaving each origin out of the errors it is checked
// against, so it is not an in-sample figure.
//
// Statistics, not money: the math is in double, and callers round the results to cents as
// decimal text. Pure functions. Thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tally {

struct SeriesForecast {
  std::string method;  // the backtest's winner, or "seasonal-naive" / "mean" on short history
  std::vector<double> forecast, lower, upper;  // one per day of the horizon
  // Over the backtest days with a non-zero actual; nullopt when there was no backtest (fewer
  // than 21 days of history).
  std::optional<double> backtest_mape;  // the winner's, as a fraction (0.05 = 5%)
  std::optional<double> naive_mape;     // seasonal-naive's on the same days
  std::optional<double> coverage;       // share of backtest actuals inside their 80% interval
  int backtest_days = 0;
};

// `history` is one value per day, oldest first, with no gaps (days without cost are 0).
// `horizon` >= 1.
SeriesForecast ForecastDaily(std::span<const double> history, int horizon);

// The median (of an even count, the mean of the middle two); 0 for none. Robust statistics
// here and in anomaly detection build on it.
double Median(std::vector<double> values);

// The methods by name, for tests: the next `horizon` days after `history`.
std::vector<double> ForecastWith(const std::string& method, std::span<const double> history,
                                 int horizon);

}  // namespace tally
