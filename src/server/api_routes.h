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

#include "access/access_control.h"
#include "access/caller.h"
#include "config/config_watch.h"
#include "tally/store.h"

namespace tally {

struct ApiParam {
  const char* name;
  const char* description;
};

// What a route shows a caller scoped to owner subtrees (docs/security.md, "Scoping").
enum class Scoping : uint8_t {
  kOwners,    // the handler keeps only the caller's owners (ctx.caller->Sees)
  kPlatform,  // the whole platform's figures: a scoped caller gets 403
  kNone,      // nothing any owner has (the data version)
};

struct ApiRoute {
  const char* method;  // "GET"
  const char* path;
  const char* summary;
  std::vector<ApiParam> params;
  std::function<void(const Caller&, const httplib::Request&, httplib::Response&)> handler;
  Scoping scoping = Scoping::kPlatform;
  Role role = Role::kViewer;  // the least role that may call it
  bool expensive = true;      // counted by the caller's rate limit
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
  // Who asks: set for each request (never null inside a handler).
  const Caller* caller = nullptr;
  // Where mutations are recorded (null: nowhere), and how tally.yaml is read again (null: it
  // cannot be; POST /api/v1/config/reload answers 409).
  AccessControl* access = nullptr;
  std::function<std::string()> reload_config = nullptr;
  // Collects every source now (null: nothing is scheduled; POST /api/v1/runs answers 409).
  std::function<void()> run_now = nullptr;
  // The store's URL (policy state opens its own connection) and the policies folder.
  std::string store_url = {};
  std::string policies_dir = {};
};

std::vector<ApiRoute> ApiRoutes(ApiContext context);
// The routes that change state or tell who asks (api_actions.cc): whoami, audit, config
// reload, runs, anomaly states. ApiRoutes includes them.
std::vector<ApiRoute> ActionRoutes(ApiContext context);
// GET /api/v1/policies and POST /api/v1/policies/approve|object (api_policies.cc).
std::vector<ApiRoute> PolicyRoutes(ApiContext context);

// The OpenAPI 3 document of `routes` plus the routes the server adds itself.
nlohmann::ordered_json OpenApiDocument(const std::vector<ApiRoute>& routes);

// The JSON envelope.
void ReplySuccess(httplib::Response& res, nlohmann::ordered_json data);
void ReplyError(httplib::Response& res, int status, const std::string& message);

}  // namespace tally
