#include "insight/forecast_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tally {
namespace {

constexpr int kWeek = 7;
constexpr int kMinHistory = 14;  // days a forecast needs before a backtest: two weeks
constexpr int kMinOrigin = 8;     // days an origin must leave behind it: a week and a day
constexpr int kOrigins = 8;
constexpr const char* kMethods[] = {"seasonal-naive", "weekday-median", "robust-trend",
                                    "holt-winters"};


std::vector<double> SeasonalNaive(std::span<const double> h, int horizon) {
  const int n = static_cast<int>(h.size());
  std::vector<double> f;
  for (int i = 0; i < horizon; ++i) {
    const int j = n - kWeek + i % kWeek;
    f.push_back(j >= 0 ? h[static_cast<size_t>(j)] : h.back());
  }
  return f;
}

std::vector<double> WeekdayMedian(std::span<const double> h, int horizon) {
  const int n = static_cast<int>(h.size());
  std::vector<double> f;
  for (int i = 0; i < horizon; ++i) {
    std::vector<double> same;
    for (int j = n - kWeek + i % kWeek; j >= 0 && j >= n - 4 * kWeek; j -= kWeek) {
      same.push_back(h[static_cast<size_t>(j)]);
    }
    f.push_back(same.empty() ? h.back() : Median(same));
  }
  return f;
}

std::vector<double> RobustTrend(std::span<const double> h, int horizon) {
  const int n = static_cast<int>(h.size());
  const int start = std::max(0, n - 8 * kWeek);
  // Slopes between the same weekday of different weeks: the season cancels out.
  std::vector<double> slopes;
  for (int t = start; t < n; ++t) {
    for (int u = t + kWeek; u < n; u += kWeek) {
      slopes.push_back((h[static_cast<size_t>(u)] - h[static_cast<size_t>(t)]) / (u - t));
    }
  }
  const double b = Median(slopes);
  std::vector<double> rest;
  for (int t = start; t < n; ++t) rest.push_back(h[static_cast<size_t>(t)] - b * t);
  const double a0 = Median(rest);
  double season[kWeek] = {};
  double mean = 0;
  for (int d = 0; d < kWeek; ++d) {
    std::vector<double> same;
    for (int t = start; t < n; ++t) {
      if (t % kWeek == d) same.push_back(h[static_cast<size_t>(t)] - a0 - b * t);
    }
    season[d] = Median(same);
    mean += season[d] / kWeek;
  }
  for (double& s : season) s -= mean;
  rest.clear();
  for (int t = start; t < n; ++t) rest.push_back(h[static_cast<size_t>(t)] - b * t - season[t % kWeek]);
  const double a = Median(rest);
  std::vector<double> f;
  for (int i = 0; i < horizon; ++i) f.push_back(a + b * (n + i) + season[(n + i) % kWeek]);
  return f;
}

// Additive Holt-Winters with a weekly season; one run, returning the one-step squared error.
struct HoltWinters {
  double level = 0, trend = 0, season[kWeek] = {};
  double sse = 0;
};
HoltWinters RunHoltWinters(std::span<const double> h, double alpha, double beta, double gamma) {
  HoltWinters m;
  double first = 0, second = 0;
  for (int i = 0; i < kWeek; ++i) {
    first += h[static_cast<size_t>(i)] / kWeek;
    second += h[static_cast<size_t>(i + kWeek)] / kWeek;
  }
  m.level = first;
  m.trend = (second - first) / kWeek;
  for (int i = 0; i < kWeek; ++i) m.season[i] = h[static_cast<size_t>(i)] - first;
  for (size_t t = kWeek; t < h.size(); ++t) {
    double& s = m.season[t % kWeek];
    const double predicted = m.level + m.trend + s;
    m.sse += (h[t] - predicted) * (h[t] - predicted);
    const double level = alpha * (h[t] - s) + (1 - alpha) * (m.level + m.trend);
    m.trend = beta * (level - m.level) + (1 - beta) * m.trend;
    s = gamma * (h[t] - level) + (1 - gamma) * s;
    m.level = level;
  }
  return m;
}

std::vector<double> HoltWintersForecast(std::span<const double> h, int horizon) {
  if (h.size() < 2 * kWeek) return SeasonalNaive(h, horizon);
  HoltWinters best;
  best.sse = std::numeric_limits<double>::infinity();
  for (double alpha : {0.1, 0.2, 0.4, 0.6}) {
    for (double beta : {0.0, 0.05, 0.15}) {
      for (double gamma : {0.05, 0.2, 0.4}) {
        HoltWinters m = RunHoltWinters(h, alpha, beta, gamma);
        if (m.sse < best.sse) best = m;
      }
    }
  }
  const size_t n = h.size();
  std::vector<double> f;
  for (int i = 0; i < horizon; ++i) {
    f.push_back(best.level + (i + 1) * best.trend + best.season[(n + static_cast<size_t>(i)) % kWeek]);
  }
  return f;
}

// One method's backtest: per origin, the relative errors (actual - forecast) / |forecast| of
// its 7 days, and the absolute percentage errors where the actual is not zero.
struct Backtest {
  std::vector<std::vector<double>> relative;  // per origin
  std::vector<std::vector<std::pair<double, double>>> pairs;  // per origin: (forecast, actual)
  double ape_sum = 0;
  int ape_days = 0;
  double Mape() const { return ape_days == 0 ? std::numeric_limits<double>::infinity() : ape_sum / ape_days; }
};

Backtest RunBacktest(const std::string& method, std::span<const double> h) {
  Backtest b;
  const int n = static_cast<int>(h.size());
  for (int k = 1; k <= kOrigins; ++k) {
    const int origin = n - kWeek * k;
    if (origin < kMinOrigin) break;
    const std::vector<double> f = ForecastWith(method, h.subspan(0, static_cast<size_t>(origin)), kWeek);
    auto& relative = b.relative.emplace_back();
    auto& pairs = b.pairs.emplace_back();
    for (int i = 0; i < kWeek; ++i) {
      const double actual = h[static_cast<size_t>(origin + i)];
      pairs.emplace_back(f[static_cast<size_t>(i)], actual);
      if (actual != 0) {
        b.ape_sum += std::abs(actual - f[static_cast<size_t>(i)]) / std::abs(actual);
        ++b.ape_days;
      }
      if (std::abs(f[static_cast<size_t>(i)]) > 1e-12) {
        relative.push_back((actual - f[static_cast<size_t>(i)]) / std::abs(f[static_cast<size_t>(i)]));
      }
    }
  }
  return b;
}

// The 0.9 quantile of Student's t with `df` degrees of freedom (linear between table rows).
double StudentT90(size_t df) {
  static constexpr std::pair<double, double> kTable[] = {
      {1, 3.078}, {2, 1.886}, {3, 1.638}, {4, 1.533}, {5, 1.476}, {6, 1.440},  {7, 1.415},
      {8, 1.397}, {9, 1.383}, {10, 1.372}, {12, 1.356}, {15, 1.341}, {20, 1.325}, {30, 1.310},
      {60, 1.296}, {120, 1.289}};
  const double x = static_cast<double>(std::max<size_t>(df, 1));
  for (size_t i = 1; i < std::size(kTable); ++i) {
    if (x <= kTable[i].first) {
      const auto [x0, y0] = kTable[i - 1];
      const auto [x1, y1] = kTable[i];
      return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
    }
  }
  return 1.2816;
}

// The 10% and 90% points of the relative error, from a sample of past relative errors: their
// center ± t × sd × sqrt(1 + 1/n), the prediction interval of a new error when errors are about
// normal. With the few errors a short history gives, raw percentiles of the sample are too
// narrow (7 errors cannot place a 10th percentile); Student's t widens them as they should be.
std::pair<double, double> ErrorBand(const std::vector<double>& errors) {
  if (errors.size() < 2) return {0.0, 0.0};
  // Errors further than 6 robust standard deviations (1.4826 × the median absolute deviation)
  // from the median are a past spike's, not the forecast's: they are left out, so that one
  // spike in the backtest does not widen every interval after it.
  const double center = Median(errors);
  std::vector<double> deviations;
  for (double e : errors) deviations.push_back(std::abs(e - center));
  const double robust_sd = 1.4826 * Median(std::move(deviations));
  std::vector<double> kept;
  for (double e : errors) {
    if (std::abs(e - center) <= 6 * robust_sd || robust_sd == 0) kept.push_back(e);
  }
  const size_t n = kept.size();
  if (n < 2) return {center, center};
  double mean = 0;
  for (double e : kept) mean += e / static_cast<double>(n);
  double ss = 0;
  for (double e : kept) ss += (e - mean) * (e - mean);
  const double sd = std::sqrt(ss / static_cast<double>(n - 1));
  const double half = StudentT90(n - 1) * sd * std::sqrt(1 + 1 / static_cast<double>(n));
  return {mean - half, mean + half};
}

// The interval of a forecast `f` at horizon day `i` from the relative-error band.
std::pair<double, double> Interval(double f, std::pair<double, double> band, int i) {
  const double widen = std::sqrt(std::max(1.0, (i + 1) / static_cast<double>(kWeek)));
  const double a = f + std::abs(f) * band.first * widen, b = f + std::abs(f) * band.second * widen;
  return {std::min(a, b), std::max(a, b)};
}

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2;
}

std::vector<double> ForecastWith(const std::string& method, std::span<const double> history,
                                 int horizon) {
  if (method == "weekday-median") return WeekdayMedian(history, horizon);
  if (method == "robust-trend") return RobustTrend(history, horizon);
  if (method == "holt-winters") return HoltWintersForecast(history, horizon);
  return SeasonalNaive(history, horizon);
}

SeriesForecast ForecastDaily(std::span<const double> history, int horizon) {
  SeriesForecast out;
  const int n = static_cast<int>(history.size());
  if (n < kMinHistory + kWeek) {
    // Too short to test a method on: last week's days again, or the mean of what there is.
    if (n >= kWeek) {
      out.method = "seasonal-naive";
      out.forecast = SeasonalNaive(history, horizon);
    } else {
      out.method = "mean";
      double mean = 0;
      for (double v : history) mean += n == 0 ? 0 : v / n;
      out.forecast.assign(static_cast<size_t>(horizon), mean);
    }
    out.lower = out.upper = out.forecast;
    return out;
  }
  Backtest best, naive;
  for (const char* method : kMethods) {
    Backtest b = RunBacktest(method, history);
    if (std::string(method) == "seasonal-naive") naive = b;
    if (out.method.empty() || b.Mape() < best.Mape()) {
      best = std::move(b);
      out.method = method;
    }
  }
  out.backtest_mape = best.Mape();
  out.naive_mape = naive.Mape();
  if (!std::isfinite(*out.backtest_mape)) out.backtest_mape.reset();
  if (!std::isfinite(*out.naive_mape)) out.naive_mape.reset();
  // Coverage: each origin against the percentiles of the others.
  int inside = 0, checked = 0;
  for (size_t k = 0; k < best.relative.size() && best.relative.size() > 1; ++k) {
    std::vector<double> others;
    for (size_t j = 0; j < best.relative.size(); ++j) {
      if (j != k) others.insert(others.end(), best.relative[j].begin(), best.relative[j].end());
    }
    const auto band = ErrorBand(others);
    for (size_t i = 0; i < best.pairs[k].size(); ++i) {
      const auto [f, actual] = best.pairs[k][i];
      const auto [low, high] = Interval(f, band, static_cast<int>(i));
      inside += actual >= low && actual <= high;
      ++checked;
    }
  }
  out.backtest_days = checked;
  if (checked > 0) out.coverage = static_cast<double>(inside) / checked;
  std::vector<double> all;
  for (const auto& r : best.relative) all.insert(all.end(), r.begin(), r.end());
  const auto band = ErrorBand(all);
  out.forecast = ForecastWith(out.method, history, horizon);
  for (int i = 0; i < horizon; ++i) {
    const auto [low, high] = Interval(out.forecast[static_cast<size_t>(i)], band, i);
    out.lower.push_back(low);
    out.upper.push_back(high);
  }
  return out;
}

}  // namespace tally
