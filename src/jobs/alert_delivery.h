// Alert delivery (docs/alerts.md): alerts go to an Alertmanager's v2 API (POST /api/v2/alerts,
// one batch per run) and to webhooks (POST of {"version", "source", "alerts":[...]} JSON), each
// tried 1 + retries times with a backoff that doubles from backoff_seconds when the receiver
// is down, times out or answers 5xx or 429 (another answer outside 2xx, or one over 1 MiB,
// fails at once). Every
// outcome is recorded per alert key and receiver (AlertStateStore), and an alert already sent
// to a receiver is never sent to it again, across runs and restarts; a failed one is tried
// again at the next run. Each delivery is claimed in the store before it is sent, so two
// processes alerting at once (the daemon and a cron job) never both send it.
//
// Runs on the caller's thread, one HTTP client per call.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "tally/alert_state.h"
#include "tally/clock.h"

namespace tally {

struct Alert {
  std::string key;  // unique and stable: "budget:<name>:<period>:<actual|forecast>:<percent>"
  std::map<std::string, std::string> labels;       // alertname first among them
  std::map<std::string, std::string> annotations;  // summary, description
  Timestamp starts_at;
};

struct DeliveryOutcome {
  std::string alert, receiver;
  std::string result;  // "sent", "already sent", "failed", "dry run", "sending elsewhere"
  int attempts = 0;
  std::string error;
};

struct DeliveryOptions {
  bool dry_run = false;  // decide what would be sent, send and record nothing
  const std::atomic<bool>* cancel = nullptr;
};

// The receivers of `routing` by name: "alertmanager:<url>" and "webhook:<url>", each URL
// redacted (RedactedUrl).
std::vector<std::string> Receivers(const AlertRouting& routing);

// A URL without its secrets, as receivers are named in the store, outcomes and logs: webhook
// URLs carry a token in their path or query (Slack, Teams) or user:password@ before the host.
// scheme://host[:port], and when there is more, "/...#" and 8 hex digits of a hash of the
// whole URL, which keeps two webhooks of one host apart.
std::string RedactedUrl(const std::string& url);

// Errors: the state store's. A receiver's failure is an outcome, not an error.
Result<std::vector<DeliveryOutcome>> DeliverAlerts(const std::vector<Alert>& alerts,
                                                   const AlertRouting& routing,
                                                   AlertStateStore* state, const Clock& clock,
                                                   const DeliveryOptions& options = {});

}  // namespace tally
