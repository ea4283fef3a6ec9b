#include "jobs/scheduler.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "jobs/allocation_job.h"
#include "jobs/bill_ingest_job.h"
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
  bill_fingerprints_.assign(options_.config.sources.size(), "");
  bill_seen_.assign(options_.config.sources.size(), "");
  source_errors_.assign(options_.config.sources.size(), "");
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
    const std::string error =
        source.kind == "prometheus"
            ? CollectPrometheus(source)
            : IngestBillsIfChanged(source, &bill_fingerprints_[i], &bill_seen_[i]);
    // A failure repeats every turn until someone fixes it: said once, and again when it changes.
    if (!error.empty() && error != source_errors_[i]) options_.log(error);
    source_errors_[i] = error;
  }
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
  auto summary = RunPrometheusCollect(*store_, job, Timestamp::Now());
  if (!summary.ok()) {
    return summary.status().code() == StatusCode::kCancelled
               ? ""
               : "collect " + source.name + ": " + summary.status().message();
  }
  if (summary->hours > 0) options_.log("collect " + source.name + ": " + summary->ToString());
  return "";
}

std::string Scheduler::IngestBillsIfChanged(const SourceConfig& source, std::string* fingerprint,
                                            std::string* seen) {
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
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(print));
  const std::string command = "tally serve: source " + source.name + " files " + hex;
  if (*fingerprint == command) return "";
  // An exporter may still be writing: read files only once they have settled, unchanged since
  // the last turn or untouched for a whole turn.
  const bool settled = *seen == command || std::filesystem::file_time_type::clock::now() - newest >=
                                               Seconds(source.every_seconds);
  *seen = command;
  if (!settled) return "";
  if (fingerprint->empty()) {
    // After a restart: the ingest log knows whether these very files were read.
    auto ingests = store_->ListIngests(200);
    if (ingests.ok()) {
      for (const IngestRecord& r : *ingests) {
        if (r.command == command) {
          *fingerprint = command;
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
  *fingerprint = command;
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
