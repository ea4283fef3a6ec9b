#include "jobs/prometheus_collect_job.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace tally {
namespace {

constexpr int64_t kHour = 3600;

// The hours of `window` not yet complete, as chunks of at most `chunk_hours`.
std::vector<TimeWindow> PlanChunks(TimeWindow window, const std::vector<Timestamp>& complete,
                                   int64_t chunk_hours) {
  std::vector<TimeWindow> chunks;
  size_t c = 0;
  for (int64_t h = window.start.unix_seconds(); h < window.end.unix_seconds(); h += kHour) {
    while (c < complete.size() && complete[c].unix_seconds() < h) ++c;
    if (c < complete.size() && complete[c].unix_seconds() == h) continue;
    const Timestamp hour = Timestamp::FromUnixSeconds(h);
    TimeWindow* last = chunks.empty() ? nullptr : &chunks.back();
    if (last != nullptr && last->end == hour && last->Seconds() < chunk_hours * kHour) {
      last->end = Timestamp::FromUnixSeconds(h + kHour);
    } else {
      chunks.push_back(TimeWindow{hour, Timestamp::FromUnixSeconds(h + kHour)});
    }
  }
  return chunks;
}

Status Failed(UsageStore& store, const std::string& source, Timestamp now, const Status& status) {
  (void)store.RecordUsageRun(source, now, status.message());
  return status;
}

}  // namespace

std::string HourText(Timestamp hour) {
  std::string s = hour.ToString();  // 2026-11-01T13:00:00Z
  return s.size() >= 13 ? s.substr(0, 13) + ":00Z" : s;
}

std::string PrometheusCollectSummary::ToString() const {
  char text[512];
  std::snprintf(text, sizeof text,
                "%lld hours in %zu chunks (%zu hours already complete), %lld usage facts, %lld "
                "queries, %lld retries, %.1f MiB in %.1f s; complete through %s",
                static_cast<long long>(hours), chunks, already_complete,
                static_cast<long long>(facts), static_cast<long long>(stats.queries),
                static_cast<long long>(stats.retries), static_cast<double>(stats.bytes) / (1 << 20),
                seconds, HourText(window.end).c_str());
  std::string out = text;
  if (stats.points_skipped > 0) {
    out += "; " + std::to_string(stats.points_skipped) + " NaN or Inf points skipped";
  }
  return out;
}

Result<PrometheusCollectSummary> RunPrometheusCollect(UsageStore& store, const PrometheusCollectJob& job,
                                                      Timestamp now) {
  if (job.chunk_hours <= 0 || job.lookback_hours <= 0) {
    return InvalidArgument("chunk and lookback hours must be positive");
  }
  // Only whole hours that have ended (with two minutes for the last scrapes to land).
  const Timestamp end = job.to ? job.to->StartOfHour()
                               : Timestamp::FromUnixSeconds(now.unix_seconds() - 120).StartOfHour();
  Timestamp start =
      job.from ? job.from->StartOfHour()
               : Timestamp::FromUnixSeconds(end.unix_seconds() - job.lookback_hours * kHour);
  if (!job.from) {
    // Resume: from the source's first complete hour, so gaps after it are filled too.
    auto known = store.ListUsageSources();
    if (!known.ok()) return Failed(store, job.source, now, known.status());
    for (const UsageSourceRecord& r : *known) {
      if (r.name == job.source && r.first_hour) start = std::min(start, *r.first_hour);
    }
  }
  PrometheusCollectSummary summary;
  summary.window = TimeWindow{start, std::max(start, end)};
  if (end <= start) return summary;
  auto complete = store.CompleteUsageHours(job.source, summary.window);
  if (!complete.ok()) return Failed(store, job.source, now, complete.status());
  summary.already_complete = complete->size();
  const std::vector<TimeWindow> chunks = PlanChunks(summary.window, *complete, job.chunk_hours);
  summary.chunks = chunks.size();

  KubeCollectOptions options = job.collect;
  if (job.on_message && !options.api.on_retry) options.api.on_retry = job.on_message;
  KubePrometheusCollector collector(options);
  const auto started = std::chrono::steady_clock::now();
  for (size_t i = 0; i < chunks.size(); ++i) {
    const TimeWindow& chunk = chunks[i];
    auto batch = collector.Collect(job.source, chunk);
    if (!batch.ok()) {
      return Failed(store, job.source, now,
                    Status(batch.status().code(),
                           batch.status().message() + " (hours from " + HourText(chunk.start) +
                               " on were not stored; " + std::to_string(summary.hours) +
                               " hours before them were)"));
    }
    auto commit = store.StoreUsage(std::span<const UsageBatch>(&*batch, 1));
    if (!commit.ok()) return Failed(store, job.source, now, commit.status());
    summary.hours += commit->hours;
    summary.facts += commit->facts_stored;
    if (job.on_message) {
      job.on_message(HourText(chunk.start) + " to " + HourText(chunk.end) + " (" +
                     std::to_string(i + 1) + "/" + std::to_string(chunks.size()) +
                     "): " + std::to_string(commit->facts_stored) + " usage facts");
    }
  }
  (void)store.RecordUsageRun(job.source, now, "");
  summary.stats = collector.stats();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace tally
