#include "server/remote_write_receiver.h"

#include <vector>

namespace tally {
namespace {

constexpr int64_t kHourMs = 3'600'000;

int64_t FloorHourMs(int64_t t) { return t - (((t % kHourMs) + kHourMs) % kHourMs); }

}  // namespace

class RemoteWriteReceiver::Visitor : public RemoteWriteVisitor {
 public:
  explicit Visitor(RemoteWriteReceiver* r) : r_(r) {}
  void OnSample(std::string_view name, std::span<const Label> labels, double value,
                int64_t timestamp_ms) override {
    ++r_->stats_.samples;
    if (timestamp_ms < r_->complete_before_ms_) {
      ++r_->stats_.samples_late;
      return;
    }
    r_->newest_ms_ = std::max(r_->newest_ms_, timestamp_ms);
    r_->observations_.Observe(name, labels, value, timestamp_ms);
  }

 private:
  RemoteWriteReceiver* r_;
};

Status RemoteWriteReceiver::Accept(std::string_view body, const RemoteWriteLimits& limits) {
  std::lock_guard lock(mu_);
  ++stats_.requests;
  Visitor visitor(this);
  Status status = DecodeRemoteWrite(body, limits, &visitor);
  if (!status.ok()) ++stats_.bad_requests;
  return status;
}

Result<UsageCommit> RemoteWriteReceiver::Flush(UsageStore* store, bool final) {
  std::lock_guard lock(mu_);
  ++stats_.flushes;
  if (newest_ms_ == INT64_MIN) return UsageCommit{};
  observations_.CloseIdle(final ? INT64_MAX : newest_ms_ - max_hold_ms_);
  const int64_t complete_before = FloorHourMs(newest_ms_ - max_hold_ms_);
  const Timestamp boundary = Timestamp::FromUnixSeconds(complete_before / 1000);
  std::vector<UsageBatch> batches;
  for (const TimeWindow& run : builder_.HourRuns()) {
    const TimeWindow done{run.start, std::min(run.end, std::max(run.start, boundary))};
    const TimeWindow open{std::max(run.start, boundary), run.end};
    for (const auto& [window, complete] : {std::pair{done, true}, std::pair{open, false}}) {
      if (window.end <= window.start) continue;
      TALLY_ASSIGN_OR_RETURN(UsageBatch batch, builder_.Build(source_, window));
      batch.set_complete(complete);
      batches.push_back(std::move(batch));
    }
  }
  TALLY_ASSIGN_OR_RETURN(UsageCommit commit, store->StoreUsage(batches));
  builder_.DropHoursBefore(boundary);
  complete_before_ms_ = std::max(complete_before_ms_, complete_before);
  stats_.facts_stored += commit.facts_stored;
  return commit;
}

RemoteWriteStats RemoteWriteReceiver::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace tally
