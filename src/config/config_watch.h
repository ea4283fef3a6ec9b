// ConfigWatch: the tally.yaml a daemon runs under, read again when it changes or when asked
// (SIGHUP). A file that no longer parses, fails `check` or is gone keeps the running config:
// the error is kept for /api/v1/sources and said once, until the file changes again.
//
// Thread-safe: Poll from one thread (the daemon's signal thread); state() from any.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/config.h"
#include "tally/clock.h"
#include "tally/time.h"

namespace tally {

// What the daemon runs under, as /api/v1/sources shows it.
struct ConfigState {
  std::string path;
  std::string digest;  // the running policy's fingerprint
  std::optional<Timestamp> loaded_at;
  std::string error;  // why the file on disk is not running ("" when it is)
  std::optional<Timestamp> error_at;
  int64_t generation = 0;  // moves at every reload and every new error
};

struct ConfigPoll {
  std::optional<Config> config;  // a new config to run
  std::string message;           // what to log ("" when nothing happened)
};

class ConfigWatch {
 public:
  // `initial` was loaded from `path`; `check` may refuse a config that parses (e.g. a source
  // kind this binary does not read).
  ConfigWatch(std::string path, const Config& initial,
              std::function<Status(const Config&)> check = nullptr,
              const Clock& clock = SystemClock());

  // Reads the file; parses it when its text changed since the last poll, or when `force`.
  ConfigPoll Poll(bool force);
  ConfigState state() const;
  // The config now running: the initial one, or the last that loaded (for readers of the policy,
  // such as the API's owner grouping).
  std::shared_ptr<const Config> running() const;

 private:
  const std::string path_;
  const std::function<Status(const Config&)> check_;
  const Clock& clock_;
  std::string last_text_;  // the text at the last poll (or the load), read or not
  bool last_read_ok_ = true;
  mutable std::mutex mu_;
  ConfigState state_;
  std::shared_ptr<const Config> running_;
};

}  // namespace tally
