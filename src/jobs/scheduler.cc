#include "jobs/scheduler.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "jobs/alert_job.h"
#include "jobs/allocation_job.h"
#include "jobs/bill_ingest_job.h"
#include "jobs/policy_job.h"
#include "jobs/prometheus_collect_job.h"
#include "jobs/redis_collect_job.h"
#include "jobs/slurm_collect_job.h"

namespace tally {
namespace {

using Ticks = std::chrono::steady_clock;  // for intervals, not the time of day

Ticks::duration Seconds(double s) {
  return std::chrono::duration_cast<Ticks::duration>(std::chrono::duration<double>(s));
}

}  // namespace

Scheduler::Scheduler(std::unique_ptr<Store> store, SchedulerOptions options)
    : store_(std::move(store)), options_(std::move(options)) {
  if (!options_.log) options_.log = [](const std::string&) {};
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  sources_.assign(options_.config.sources.size(), SourceState{Ticks::now(), "", "", ""});
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  store_->SetDeadline(std::chrono::steady_clock::now());  // a query or a wait for a writer
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::ApplyConfig(Config config) {
  {
    std::lock_guard lock(mu_);
    new_config_ = std::move(config);
  }
  wake_.notify_all();
}

void Scheduler::RunNow() {
  {
    std::lock_guard lock(mu_);
    run_now_ = true;
  }
  wake_.notify_all();
}

void Scheduler::TakeNewConfig() {
  std::optional<Config> config;
  {
    std::lock_guard lock(mu_);
    config.swap(new_config_);
  }
  if (!config) return;
  std::vector<SourceState> states;
  for (const SourceConfig& source : config->sources) {
    SourceState state{Ticks::now(), "", "", ""};
    for (size_t i = 0; i < options_.config.sources.size(); ++i) {
      const SourceConfig& old = options_.config.sources[i];
      if (old.name == source.name && old.kind == source.kind) state = sources_[i];
    }
    states.push_back(std::move(state));
  }
  options_.config = std::move(*config);
  sources_ = std::move(states);
  allocated_version_ = -1;  // a new policy: look for hours it allocates differently
}

void Scheduler::Loop() {
  while (!stopping_) {
    TakeNewConfig();
    {
      std::lock_guard lock(mu_);
      if (run_now_) {
        for (SourceState& state : sources_) state.next = Ticks::now();
        run_now_ = false;
      }
    }
    CollectDue(Ticks::now());
    if (stopping_) break;
    if (options_.allocate) AllocateIfChanged();
    if (stopping_) break;
    ApplyPoliciesIfDue(Ticks::now());
    Ticks::time_point wake = Ticks::now() + Seconds(options_.allocate_check_seconds);
    for (const SourceState& state : sources_) wake = std::min(wake, state.next);
    if (options_.policy_every_seconds > 0) wake = std::min(wake, policies_due_);
    std::unique_lock lock(mu_);
    wake_.wait_until(lock, wake,
                     [this] { return stopping_.load() || new_config_.has_value() || run_now_; });
  }
}

void Scheduler::CollectDue(Ticks::time_point now) {
  for (size_t i = 0; i < options_.config.sources.size() && !stopping_; ++i) {
    SourceState& state = sources_[i];
    if (state.next > now) continue;
    const SourceConfig& source = options_.config.sources[i];
    state.next = now + Seconds(source.every_seconds);
    LogOnce(source.kind == "prometheus" ? CollectPrometheus(source)
            : source.kind == "slurm"    ? CollectSlurm(source)
            : source.kind == "redis"    ? CollectRedis(source)
                                        : IngestBillsIfChanged(source, &state),
            &state.error);
  }
}

void Scheduler::LogOnce(const std::string& error, std::string* last) {
  if (!error.empty() && error != *last) options_.log(error);
  *last = error;
}

std::string Scheduler::CollectPrometheus(const SourceConfig& source) {
  PrometheusCollectJob job;
  job.source = source.name;
  job.lookback_hours = source.lookback_hours;
  job.collect.api.url = source.url;
  job.collect.api.timeout_seconds = source.timeout_seconds;
  job.collect.api.retries = source.retries;
  job.collect.api.cancel = &stopping_;
  job.collect.api.on_retry = [&](const std::string& m) {
    options_.log("collect " + source.name + ": " + m);
  };
  job.collect.concurrency = source.concurrency;
  auto summary = RunPrometheusCollect(*store_, job, options_.clock->Now());
  if (!summary.ok()) {
    return summary.status().code() == StatusCode::kCancelled
               ? ""
               : "collect " + source.name + ": " + summary.status().message();
  }
  if (summary->hours > 0) options_.log("collect " + source.name + ": " + summary->ToString());
  return "";
}

std::string Scheduler::CollectSlurm(const SourceConfig& source) {
  SlurmCollectJob job;
  job.source = source.name;
  job.slurm_conf = source.slurm_conf;
  job.lookback_hours = source.lookback_hours;
  job.timeout_seconds = source.timeout_seconds;
  auto summary = RunSlurmCollect(*store_, job, options_.clock->Now());
  if (!summary.ok()) return "collect " + source.name + ": " + summary.status().message();
  if (summary->jobs > 0) options_.log("collect " + source.name + ": " + summary->ToString());
  return "";
}

std::string Scheduler::CollectRedis(const SourceConfig& source) {
  RedisCollectJob job;
  job.url = source.url;
  job.source = source.name;
  job.resource_id = source.resource_id;
  job.options.time_budget_seconds = source.timeout_seconds;
  const Timestamp now = options_.clock->Now();
  auto summary = RunRedisCollect(*store_, options_.config, job, now);
  (void)store_->RecordUsageRun(source.name, now, summary.ok() ? "" : summary.status().message());
  if (!summary.ok()) return "collect " + source.name + ": " + summary.status().message();
  return "";
}

std::string Scheduler::IngestBillsIfChanged(const SourceConfig& source, SourceState* state) {
  const BillFormat* format = FindBillFormat(source.kind);
  auto files = format == nullptr ? Result<std::vector<std::string>>(InvalidArgument(
                                       "\"" + source.kind + "\" is not a bill format tally reads"))
                                 : BillFiles(*format, source.paths);
  if (!files.ok()) return "ingest " + source.name + ": " + files.status().message();
  // The files as they are now: when they match the last ingest, there is nothing to read.
  std::string print;
  auto newest = std::filesystem::file_time_type::min();
  for (const std::string& path : *files) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    const auto mtime = std::filesystem::last_write_time(path, error);
    newest = std::max(newest, mtime);
    print += path + '\0' + std::to_string(size) + '\0' +
             std::to_string(mtime.time_since_epoch().count()) + '\n';
  }
  // zlib's CRC-32: the same on every build, so a restarted server recognises its fingerprint.
  char hex[9];
  std::snprintf(
      hex, sizeof hex, "%08lx",
      crc32(0, reinterpret_cast<const Bytef*>(print.data()), static_cast<uInt>(print.size())));
  const std::string command =
      "tally serve: source " + source.name + " files " + std::to_string(files->size()) + "-" + hex;
  if (state->ingested == command) return "";
  // An exporter may still be writing: read files only once they have settled, unchanged since
  // the last turn or untouched for a whole turn.
  const bool settled =
      state->seen == command ||
      std::filesystem::file_time_type::clock::now() - newest >= Seconds(source.every_seconds);
  state->seen = command;
  if (!settled) return "";
  if (state->ingested.empty()) {
    // After a restart: the ingest log knows whether these very files were read.
    auto ingests = store_->ListIngests(200);
    if (ingests.ok()) {
      for (const IngestRecord& r : *ingests) {
        if (r.command == command) {
          state->ingested = command;
          return "";
        }
      }
    }
  }
  BillIngestJob job;
  job.format = format;
  job.paths = source.paths;
  job.command = command;
  auto result = RunBillIngest(*store_, job);
  if (!result.ok()) {
    return "ingest " + source.name + ": " + result.status().message() +
           " (nothing was stored; tried again every turn)";
  }
  state->ingested = command;
  options_.log("ingest " + source.name + ": " + result->Summary());
  return "";
}

void Scheduler::AllocateIfChanged() {
  auto version = store_->DataVersion();
  Result<AllocationSummary> summary = version.status();
  if (version.ok()) {
    if (*version == allocated_version_) return;
    AllocationJob job;
    job.cancel = &stopping_;
    summary = RunAllocation(*store_, options_.config, job);
  }
  if (!summary.ok()) {
    // Tried again at the next check.
    if (summary.status().code() != StatusCode::kCancelled) {
      LogOnce("allocate: " + summary.status().message(), &allocate_error_);
    }
    return;
  }
  allocate_error_.clear();
  // The allocation's own writes change the version once more; the next check finds every hour
  // current and settles.
  allocated_version_ = *version;
  if (summary->recomputed > 0) options_.log("allocate: " + summary->ToString());
  AlertIfConfigured();
}

void Scheduler::ApplyPoliciesIfDue(Ticks::time_point now) {
  if (options_.policy_every_seconds <= 0 || now < policies_due_) return;
  policies_due_ = now + Seconds(options_.policy_every_seconds);
  PolicyJob job;
  job.config_path = options_.config_path;
  job.policies_dir = options_.policies_dir;
  job.store_url = options_.store_url;
  job.actor = "system:serve";
  job.apply = true;
  auto run = RunPolicies(store_.get(), options_.config, job, *options_.clock);
  if (!run.ok()) {
    // No policies is the usual case, not an error to repeat.
    if (run.status().code() != StatusCode::kFailedPrecondition) {
      LogOnce("policies: " + run.status().message(), &policy_error_);
    }
    return;
  }
  LogOnce("", &policy_error_);
  std::map<std::string, int> states;
  for (const ApplyStep& s : (*run)->steps) ++states[s.state];
  if (states.empty()) return;
  std::string summary;
  for (const auto& [state, count] : states) {
    summary += (summary.empty() ? "" : ", ") + std::to_string(count) + " " + state;
  }
  options_.log("policies: " + summary + " (tally policy list, tally audit)");
}

void Scheduler::AlertIfConfigured() {
  if (Receivers(options_.config.alerts).empty()) return;
  std::string error;
  if (options_.config.alerts.anomalies) {
    auto fresh = DetectAndSaveAnomalies(store_.get(), {"owner"}, *options_.clock);
    if (!fresh.ok()) error = "anomalies: " + fresh.status().message();
  }
  AlertJob job;
  job.delivery.cancel = &stopping_;
  auto run = RunAlerts(store_.get(), options_.config, job, *options_.clock);
  if (!run.ok()) {
    if (run.status().code() != StatusCode::kCancelled) {
      LogOnce("alerts: " + run.status().message(), &alert_error_);
    }
    return;
  }
  int64_t sent = 0, already = 0;
  for (const DeliveryOutcome& o : run->outcomes) {
    sent += o.result == "sent" ? 1 : 0;
    already += o.result == "already sent" ? 1 : 0;
    if (o.result == "failed" && error.empty()) error = "alerts: " + o.receiver + ": " + o.error;
  }
  if (!run->alerts.empty()) {
    options_.log("alerts: " + std::to_string(run->alerts.size()) + " alerts, " +
                 std::to_string(sent) + " deliveries sent, " + std::to_string(already) +
                 " sent before");
  }
  LogOnce(error, &alert_error_);
}

}  // namespace tally
