// RemoteWriteSources: one remote_write receiver per source name, so that several Prometheus
// servers (clusters) can push side by side, each to its own source
// (POST /api/v1/write?source=NAME; the default is --remote-write-source). A token's write scope
// names the sources it may push (docs/security.md). Who pushed how much is kept until the next
// flush, which records it in the audit log: one entry per source and pusher per flush, not one
// per request.
//
// Bounded: at most 64 sources. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "access/access_control.h"
#include "server/remote_write_receiver.h"

namespace tally {

class RemoteWriteSources {
 public:
  static constexpr size_t kMaxSources = 64;
  explicit RemoteWriteSources(std::string default_source);

  const std::string& default_source() const { return default_source_; }

  // Observes one request to `source` from `pusher`. Errors: kInvalidArgument for a malformed
  // body or source name; kUnavailable past kMaxSources.
  Status Accept(const std::string& source, const std::string& pusher, std::string_view body,
                const RemoteWriteLimits& limits);

  // Flushes every source; records the pushes since the last flush in `audit` (if set). Returns
  // the errors, one line per failed source ("" when all stored).
  std::string Flush(Store* store, AccessControl* audit, bool final);

  // The counters: summed, and per source.
  nlohmann::ordered_json StatsJson() const;

 private:
  RemoteWriteReceiver* ReceiverOf(const std::string& source, Status* error);

  const std::string default_source_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<RemoteWriteReceiver>> receivers_;
  struct Pushes {
    int64_t requests = 0, bytes = 0;
  };
  std::map<std::pair<std::string, std::string>, Pushes> pushes_;  // (source, pusher)
};

}  // namespace tally
