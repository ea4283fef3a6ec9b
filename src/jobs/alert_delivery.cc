#include "jobs/alert_delivery.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/http_client.h"

namespace tally {
namespace {

using Json = nlohmann::ordered_json;

// A claim older than this was made by a process that died before it said how the delivery
// went (a delivery takes at most (1 + retries) × timeout plus the backoff, about 2 minutes by
// default): the alert may be claimed again.
constexpr int64_t kStaleClaimSeconds = 600;

Json AlertmanagerBody(const std::vector<const Alert*>& alerts) {
  Json body = Json::array();
  for (const Alert* a : alerts) {
    Json labels(a->labels);
    labels["tally_key"] = a->key;
    body.push_back({{"labels", std::move(labels)},
                    {"annotations", Json(a->annotations)},
                    {"startsAt", a->starts_at.ToString()}});
  }
  return body;
}

Json WebhookBody(const std::vector<const Alert*>& alerts) {
  Json list = Json::array();
  for (const Alert* a : alerts) {
    list.push_back({{"key", a->key},
                    {"labels", Json(a->labels)},
                    {"annotations", Json(a->annotations)},
                    {"startsAt", a->starts_at.ToString()}});
  }
  return {{"version", "1"}, {"source", "tally"}, {"alerts", std::move(list)}};
}

struct Attempt {
  bool ok = false;
  int attempts = 0;
  std::string error;
};

// POSTs with retries: transport errors, timeouts, 5xx and 429 are retried after a backoff that
// doubles; other answers outside 2xx fail at once.
Attempt PostWithRetries(HttpClient* http, const std::string& url, const std::string& body,
                        const AlertRouting& routing, const std::atomic<bool>* cancel) {
  Attempt out;
  double wait = routing.backoff_seconds;
  for (int64_t i = 0; i <= routing.retries; ++i) {
    ++out.attempts;
    auto response = http->PostJson(url, body, routing.timeout_seconds, cancel);
    if (response.ok() && response->status >= 200 && response->status < 300) {
      out.ok = true;
      out.error.clear();
      return out;
    }
    if (response.ok()) {
      out.error = url + ": HTTP " + std::to_string(response->status) + ": " +
                  response->body.substr(0, 200);
      return out;
    }
    out.error = response.status().message();
    if (response.status().code() != StatusCode::kUnavailable) return out;
    if (i == routing.retries || (cancel != nullptr && cancel->load())) break;
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    wait = std::min(wait * 2, 60.0);
  }
  return out;
}

struct Receiver {
  std::string name;  // as the store, outcomes and logs show it: no secret in it
  std::string url;   // where to POST
};

std::vector<Receiver> ReceiverList(const AlertRouting& routing) {
  std::vector<Receiver> out;
  if (!routing.alertmanager.empty()) {
    out.push_back({"alertmanager:" + RedactedUrl(routing.alertmanager),
                   routing.alertmanager + "/api/v2/alerts"});
  }
  for (const std::string& url : routing.webhooks) out.push_back({"webhook:" + RedactedUrl(url), url});
  return out;
}

}  // namespace

std::string RedactedUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  std::string host = url.substr(start, end - start);
  if (const size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  const std::string base = url.substr(0, start) + host;
  const std::string rest = url.substr(end);
  if (rest.empty() || rest == "/" ) return base;
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a: keeps two paths of one host apart
  for (unsigned char c : url) hash = (hash ^ c) * 1099511628211ULL;
  char tag[17];
  std::snprintf(tag, sizeof tag, "%08llx", static_cast<unsigned long long>(hash >> 32));
  return base + "/...#" + tag;
}

std::vector<std::string> Receivers(const AlertRouting& routing) {
  std::vector<std::string> out;
  for (const Receiver& r : ReceiverList(routing)) out.push_back(r.name);
  return out;
}

Result<std::vector<DeliveryOutcome>> DeliverAlerts(const std::vector<Alert>& alerts,
                                                   const AlertRouting& routing,
                                                   AlertStateStore* state, const Clock& clock,
                                                   const DeliveryOptions& options) {
  std::vector<DeliveryOutcome> outcomes;
  HttpClient http;
  http.set_max_body_bytes(1 << 20);  // receivers answer a line or two
  for (const auto& [receiver, url] : ReceiverList(routing)) {
    std::vector<const Alert*> fresh;
    for (const Alert& a : alerts) {
      TALLY_ASSIGN_OR_RETURN(bool sent, state->WasSent(a.key, receiver));
      if (sent) {
        outcomes.push_back({a.key, receiver, "already sent", 0, ""});
      } else if (options.dry_run) {
        outcomes.push_back({a.key, receiver, "dry run", 0, ""});
      } else {
        // Claimed for this run, or being sent by another process right now.
        TALLY_ASSIGN_OR_RETURN(bool mine, state->ClaimNotification(a.key, receiver, clock.Now(),
                                                                   kStaleClaimSeconds));
        if (mine) {
          fresh.push_back(&a);
        } else {
          outcomes.push_back({a.key, receiver, "sending elsewhere", 0, ""});
        }
      }
    }
    if (fresh.empty()) continue;
    const bool alertmanager = receiver.starts_with("alertmanager:");
    const Json body = alertmanager ? AlertmanagerBody(fresh) : WebhookBody(fresh);
    Attempt attempt = PostWithRetries(&http, url, body.dump(), routing, options.cancel);
    // libcurl's messages name the URL: say the receiver's name instead.
    for (size_t at; (at = attempt.error.find(url)) != std::string::npos;) {
      attempt.error.replace(at, url.size(), receiver);
    }
    for (const Alert* a : fresh) {
      NotificationRecord record{a->key,        receiver,      attempt.ok ? "sent" : "failed",
                                attempt.attempts, attempt.error, clock.Now()};
      TALLY_RETURN_IF_ERROR(state->RecordNotification(record));
      outcomes.push_back({a->key, receiver, record.state, attempt.attempts, attempt.error});
    }
  }
  return outcomes;
}

}  // namespace tally
