// The JSON API under /api/v1: one table of routes that both registers the handlers and writes
// the OpenAPI document, so no route can be missing from it. Every figure comes from the same
// store query and the same rendering as the matching command (`tally costs`, `tally usage`,
// `tally report showback`, `tally reconcile`), so the API and the CLI always agree.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config_watch.h"
#include "tally/store.h"

namespace tally {

struct ApiParam {
  const char* name;
  const char* description;
};

struct ApiRoute {
  const char* method;  // "GET"
  const char* path;
  const char* summary;
  std::vector<ApiParam> params;
  std::function<void(const httplib::Request&, httplib::Response&)> handler;
};

// Answers by URL, valid while the store's DataVersion holds: the dashboard asks the same few
// questions again and again, and a 30-day showback scan should run once per change of data.
class ResponseCache {
 public:
  struct Answer {
    std::string body;
    std::string content_type;
  };
  // The cached answer of `key` if the store is still at the version it was cached under.
  std::optional<Answer> Find(const std::string& key, int64_t version);
  void Put(const std::string& key, int64_t version, Answer answer);
  std::mutex& compute_mu() { return compute_mu_; }

 private:
  std::mutex mu_;
  std::mutex compute_mu_;
  int64_t version_ = -1;
  std::unordered_map<std::string, Answer> bodies_;
  size_t bytes_ = 0;
};

// The store and its lock, shared with the rest of the server; the cache and the config watch
// (what /api/v1/sources says of tally.yaml) may be null.
struct ApiContext {
  Store* store;
  std::mutex* store_mu;
  ResponseCache* cache = nullptr;
  const ConfigWatch* config = nullptr;
  // How long one request may query the store before it is stopped with 503.
  std::chrono::milliseconds budget{15'000};
};

std::vector<ApiRoute> ApiRoutes(ApiContext context);

// The OpenAPI 3 document of `routes` plus the routes the server adds itself.
nlohmann::ordered_json OpenApiDocument(const std::vector<ApiRoute>& routes);

// The JSON envelope.
void ReplySuccess(httplib::Response& res, nlohmann::ordered_json data);
void ReplyError(httplib::Response& res, int status, const std::string& message);

}  // namespace tally
