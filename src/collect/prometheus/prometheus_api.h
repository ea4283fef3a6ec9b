// PrometheusApi: range queries against Prometheus's HTTP API (/api/v1/query_range), with a
// timeout per query and retries with exponential backoff for answers worth retrying (the
// server down, slow, overloaded or failing with 5xx).
//
// Not thread-safe: use one per thread.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "tally/usage.h"

namespace tally {

struct PrometheusApiOptions {
  std::string url;               // e.g. http://127.0.0.1:9090 (a path prefix is kept)
  double timeout_seconds = 120;  // per query, also sent to Prometheus as its own timeout
  int retries = 4;               // after the first attempt
  double backoff_seconds = 1;    // doubled after each retry, at most 30 s
  // Told about each retry, e.g. "...: connection refused; retry 1 of 4 in 1 s".
  std::function<void(const std::string&)> on_retry;
  // When it becomes true, queries and backoff waits stop with kCancelled. May be null.
  const std::atomic<bool>* cancel = nullptr;
};

struct MatrixSeries {
  Labels metric;
  std::vector<std::pair<double, std::string>> values;  // (unix seconds, value text)
};

struct QueryStats {
  int64_t queries = 0;  // attempts that got an answer or failed
  int64_t retries = 0;
  int64_t bytes = 0;
  int64_t points_skipped = 0;  // NaN or ±Inf points: no amount to count, so not counted
};

class PrometheusApi {
 public:
  explicit PrometheusApi(PrometheusApiOptions options) : options_(std::move(options)) {}

  // Evaluates `query` at start, start + step, ... up to end. Errors: kUnavailable when
  // retries ran out; kInvalidArgument when Prometheus refuses the query; kIoError for an
  // answer that is not what the API documents, or that carries warnings (partial data).
  Result<std::vector<MatrixSeries>> QueryRange(const std::string& query, double start, double end,
                                               int64_t step_seconds);

  const QueryStats& stats() const { return stats_; }

 private:
  Result<std::vector<MatrixSeries>> QueryOnce(const std::string& query, double start, double end,
                                              int64_t step_seconds);
  PrometheusApiOptions options_;
  HttpClient http_;
  QueryStats stats_;
};

}  // namespace tally
