#include "jobs/scheduler.h"

#include <algorithm>

#include "jobs/allocation_job.h"
#include "jobs/prometheus_collect_job.h"

namespace tally {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

Scheduler::Scheduler(std::unique_ptr<Store> store, SchedulerOptions options)
    : store_(std::move(store)), options_(std::move(options)) {
  if (!options_.log) options_.log = [](const std::string&) {};
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  next_collect_.assign(options_.config.sources.size(), Clock::now());
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  while (!stopping_) {
    CollectDue(Clock::now());
    if (stopping_) break;
    if (options_.allocate) AllocateIfChanged();
    Clock::time_point wake = Clock::now() + Seconds(options_.allocate_check_seconds);
    for (Clock::time_point due : next_collect_) wake = std::min(wake, due);
    std::unique_lock lock(mu_);
    wake_.wait_until(lock, wake, [this] { return stopping_.load(); });
  }
}

void Scheduler::CollectDue(Clock::time_point now) {
  for (size_t i = 0; i < options_.config.sources.size() && !stopping_; ++i) {
    if (next_collect_[i] > now) continue;
    const SourceConfig& source = options_.config.sources[i];
    next_collect_[i] = now + Seconds(source.every_seconds);
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
    auto summary = RunPrometheusCollect(*store_, job, Timestamp::Now());
    if (!summary.ok()) {
      if (summary.status().code() != StatusCode::kCancelled) {
        options_.log("collect " + source.name + ": " + summary.status().message());
      }
    } else if (summary->hours > 0) {
      options_.log("collect " + source.name + ": " + summary->ToString());
    }
  }
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
    if (summary.status().code() == StatusCode::kCancelled) return;
    // Tried again at the next check; said once.
    if (summary.status().message() != allocate_error_) {
      allocate_error_ = summary.status().message();
      options_.log("allocate: " + allocate_error_);
    }
    return;
  }
  allocate_error_.clear();
  // The allocation's own writes change the version once more; the next check finds every hour
  // current and settles.
  allocated_version_ = *version;
  if (summary->recomputed > 0) options_.log("allocate: " + summary->ToString());
}

}  // namespace tally
