// Scheduler: the background work of `tally serve`. Every `every` seconds (the first time at
// start) it collects from each Prometheus, Slurm and Redis source in tally.yaml and ingests each
// bill source whose files changed; and it allocates whenever the store's data changed, whoever
// changed it: its own runs, remote_write, or a `tally ingest` run by cron. After each such
// allocation, when tally.yaml names alert receivers, it finds anomalies per owner and sends the
// alerts of budgets and anomalies not sent before (alert_job.h). Every `policy_every_seconds` it
// runs the efficiency policies (policy_job.h: enforce policies act, as "system:serve"). It
// works on its own store connection, so the API keeps answering while it runs.
//
// Thread-safe: Start and Stop from one thread; the work runs on one thread of its own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/config.h"
#include "tally/clock.h"
#include "tally/store.h"

namespace tally {

struct SchedulerOptions {
  Config config;         // the allocation policy and the sources to collect from
  bool allocate = true;  // false: collect only
  // How often to look for changed data to allocate. Allocation also follows every collection.
  double allocate_check_seconds = 5;
  // Told what happened: a collection or allocation that did something, and every error.
  std::function<void(const std::string&)> log;
  const Clock* clock = &SystemClock();  // where collection windows end
  // Policies: tally.yaml's (config_path) and a folder's, run every policy_every_seconds (0:
  // never); their state and audit log in the store at store_url.
  std::string config_path, policies_dir, store_url;
  double policy_every_seconds = 0;
};

class Scheduler {
 public:
  Scheduler(std::unique_ptr<Store> store, SchedulerOptions options);
  ~Scheduler();  // stops
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  // Cancels a collection in flight and waits for the thread.
  void Stop();
  // Runs under `config` from the next turn on (any thread): sources kept by name keep their
  // state, new ones are due at once, and a changed policy reallocates what it changes.
  void ApplyConfig(Config config);
  // Makes every source due at once and wakes the loop (any thread): what an operator asks with
  // POST /api/v1/runs. Changed data is then allocated as after any collection.
  void RunNow();

 private:
  void Loop();
  // Takes a config handed to ApplyConfig, if any (the loop's thread).
  void TakeNewConfig();
  void CollectDue(std::chrono::steady_clock::time_point now);
  // Each returns "" or the error of its run, for CollectDue to log once.
  std::string CollectPrometheus(const SourceConfig& source);
  std::string CollectSlurm(const SourceConfig& source);
  std::string CollectRedis(const SourceConfig& source);
  struct SourceState {
    std::chrono::steady_clock::time_point next;  // when the source is due
    std::string ingested;  // bills: the fingerprint of the files last ingested
    std::string seen;      // bills: the fingerprint of the files at the last turn
    std::string error;     // the last error logged
  };
  // Ingests a bill source's files when they differ (paths, sizes, times) from its last ingest
  // and have settled (the same at the previous turn, or untouched for a turn).
  std::string IngestBillsIfChanged(const SourceConfig& source, SourceState* state);
  void AllocateIfChanged();
  // After an allocation that found changed data, with alert receivers in tally.yaml: finds and
  // stores anomalies per owner, then sends budget and anomaly alerts not sent before.
  void AlertIfConfigured();
  // Runs the policies when due and there are any.
  void ApplyPoliciesIfDue(std::chrono::steady_clock::time_point now);
  // A failure repeats every turn until someone fixes it: said once, and again when it changes.
  void LogOnce(const std::string& error, std::string* last);

  std::unique_ptr<Store> store_;
  SchedulerOptions options_;
  std::vector<SourceState> sources_;  // as options_.config.sources
  int64_t allocated_version_ = -1;    // the store's DataVersion the last allocation started at
  std::string allocate_error_;        // the last allocation error logged
  std::string alert_error_;           // the last alerting error logged
  std::string policy_error_;          // the last policy error logged
  std::chrono::steady_clock::time_point policies_due_{};  // the first run is at start
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  std::optional<Config> new_config_;  // guarded by mu_
  bool run_now_ = false;              // guarded by mu_
  std::thread thread_;
};

}  // namespace tally
