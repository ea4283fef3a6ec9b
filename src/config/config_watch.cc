#include "config/config_watch.h"

#include "common/input_file.h"

namespace tally {

ConfigWatch::ConfigWatch(std::string path, const Config& initial,
                         std::function<Status(const Config&)> check, const Clock& clock)
    : path_(std::move(path)),
      check_(std::move(check)),
      clock_(clock),
      running_(std::make_shared<const Config>(initial)) {
  auto text = ReadWholeFile(path_);
  last_text_ = text.ok() ? *text : "";
  state_.path = path_;
  state_.digest = initial.digest;
  state_.loaded_at = clock_.Now();
}

ConfigPoll ConfigWatch::Poll(bool force) {
  auto text = ReadWholeFile(path_);
  const bool read_ok = text.ok();
  const std::string now_text = read_ok ? *text : "";
  if (!force && read_ok == last_read_ok_ && now_text == last_text_) return {};
  last_text_ = now_text;
  last_read_ok_ = read_ok;
  Result<Config> config = read_ok ? LoadConfig(path_) : Result<Config>(text.status());
  if (config.ok() && check_) {
    Status checked = check_(*config);
    if (!checked.ok()) config = checked.WithContext(path_);
  }
  std::lock_guard lock(mu_);
  ++state_.generation;
  if (!config.ok()) {
    state_.error = config.status().message();
    state_.error_at = clock_.Now();
    return {std::nullopt, "config reload failed, keeping the running config: " + state_.error};
  }
  state_.error.clear();
  state_.error_at.reset();
  state_.loaded_at = clock_.Now();
  const bool policy_changed = config->digest != state_.digest;
  state_.digest = config->digest;
  running_ = std::make_shared<const Config>(*config);
  std::string message = "config reloaded from " + path_ +
                        (policy_changed ? " (policy changed: hours are reallocated)" : "");
  for (const std::string& warning : config->warnings) message += "; warning: " + warning;
  return {std::move(*config), std::move(message)};
}

std::shared_ptr<const Config> ConfigWatch::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

ConfigState ConfigWatch::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

}  // namespace tally
