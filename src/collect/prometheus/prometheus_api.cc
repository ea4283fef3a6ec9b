#include "collect/prometheus/prometheus_api.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

namespace tally {
namespace {

std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string ApiError(const nlohmann::json& body) {
  std::string message = body.value("errorType", "error");
  if (body.contains("error") && body["error"].is_string()) {
    message += ": " + body["error"].get<std::string>();
  }
  return message;
}

}  // namespace

Result<std::vector<MatrixSeries>> PrometheusApi::QueryRange(const std::string& query, double start,
                                                            double end, int64_t step_seconds) {
  double backoff = options_.backoff_seconds;
  for (int attempt = 0;; ++attempt) {
    auto result = QueryOnce(query, start, end, step_seconds);
    if (result.ok() || result.status().code() != StatusCode::kUnavailable ||
        attempt >= options_.retries) {
      if (!result.ok() && result.status().code() == StatusCode::kUnavailable) {
        return Unavailable(result.status().message() + " (gave up after " +
                           std::to_string(attempt + 1) + " attempts)");
      }
      return result;
    }
    ++stats_.retries;
    if (options_.on_retry) {
      options_.on_retry(result.status().message() + "; retry " + std::to_string(attempt + 1) +
                        " of " + std::to_string(options_.retries) + " in " +
                        FormatSeconds(backoff) + " s");
    }
    const auto wake = std::chrono::steady_clock::now() + std::chrono::duration<double>(backoff);
    while (std::chrono::steady_clock::now() < wake) {
      if (options_.cancel != nullptr && options_.cancel->load()) return Cancelled("cancelled");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    backoff = std::min(backoff * 2, 30.0);
  }
}

Result<std::vector<MatrixSeries>> PrometheusApi::QueryOnce(const std::string& query, double start,
                                                           double end, int64_t step_seconds) {
  std::string url = options_.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v1/query_range";
  const std::string form =
      "query=" + http_.Escape(query) + "&start=" + FormatSeconds(start) +
      "&end=" + FormatSeconds(end) + "&step=" + std::to_string(step_seconds) +
      "&timeout=" + std::to_string(static_cast<int64_t>(options_.timeout_seconds)) + "s";
  ++stats_.queries;
  TALLY_ASSIGN_OR_RETURN(HttpResponse response,
                         http_.PostForm(url, form, options_.timeout_seconds, options_.cancel));
  stats_.bytes += static_cast<int64_t>(response.body.size());
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return IoError(url + ": HTTP " + std::to_string(response.status) +
                   ": not a Prometheus API answer: " + response.body.substr(0, 200));
  }
  if (body.value("status", "") != "success") {
    // Prometheus answers 503 for timeouts and cancellations (already kUnavailable above);
    // 400 and 422 mean the query itself is wrong or too big.
    return InvalidArgument(url + ": HTTP " + std::to_string(response.status) + ": " +
                           ApiError(body) + " (query: " + query + ")");
  }
  if (body.contains("warnings") && !body["warnings"].empty()) {
    return IoError(url + ": Prometheus answered with warnings, so the data may be partial: " +
                   body["warnings"].dump());
  }
  const nlohmann::json& data = body["data"];
  if (!data.is_object() || data.value("resultType", "") != "matrix" || !data["result"].is_array()) {
    return IoError(url + ": expected a matrix result");
  }
  std::vector<MatrixSeries> out;
  out.reserve(data["result"].size());
  for (const nlohmann::json& s : data["result"]) {
    MatrixSeries series;
    for (const auto& [k, v] : s["metric"].items()) {
      if (v.is_string()) series.metric.emplace(k, v.get<std::string>());
    }
    for (const nlohmann::json& point : s["values"]) {
      if (!point.is_array() || point.size() != 2 || !point[0].is_number() ||
          !point[1].is_string()) {
        return IoError(url + ": malformed sample in a matrix result");
      }
      series.values.emplace_back(point[0].get<double>(), point[1].get<std::string>());
    }
    out.push_back(std::move(series));
  }
  return out;
}

}  // namespace tally
