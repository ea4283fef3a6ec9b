#include "ingest/telemetry/jobs/job_usage.h"

#include <algorithm>

namespace tally {
namespace {

constexpr int64_t kHourMs = 3'600'000;

int64_t HourOf(int64_t ms) { return (ms >= 0 ? ms / kHourMs : (ms - kHourMs + 1) / kHourMs); }

}  // namespace

uint32_t JobUsage::Kind(std::string_view resource, std::string_view unit) {
  for (uint32_t i = 0; i < kinds_.size(); ++i) {
    if (kinds_[i].first == resource && kinds_[i].second == unit) return i;
  }
  kinds_.emplace_back(resource, unit);
  return static_cast<uint32_t>(kinds_.size() - 1);
}

Status JobUsage::Add(Side side, Key key, Decimal amount_ms) {
  if (amounts_.size() >= max_facts_ && !amounts_.contains(key)) {
    return InvalidArgument("more than " + std::to_string(max_facts_) +
                           " hourly usage facts in one run (do the jobs' times span centuries?); "
                           "read fewer files at a time");
  }
  Amounts& a = amounts_[key];
  if (!(side == Side::kRequest ? a.request_ms : a.usage_ms).CheckedAdd(amount_ms)) {
    return InvalidArgument("a job's amount is out of range");
  }
  return Status::Ok();
}

Status JobUsage::Hold(Side side, uint32_t consumer, uint32_t asset, std::string_view resource,
                      std::string_view unit, Decimal rate, int64_t from_ms, int64_t to_ms) {
  if (to_ms <= from_ms || rate.is_zero()) return Status::Ok();
  const uint32_t kind = Kind(resource, unit);
  for (int64_t h = HourOf(from_ms); h * kHourMs < to_ms; ++h) {
    const int64_t overlap = std::min(to_ms, (h + 1) * kHourMs) - std::max(from_ms, h * kHourMs);
    TALLY_ASSIGN_OR_RETURN(Decimal amount, rate.Multiply(Decimal::FromUnits(overlap)));
    TALLY_RETURN_IF_ERROR(Add(side, Key{h * 3600, consumer, asset, kind}, amount));
  }
  return Status::Ok();
}

Status JobUsage::Spread(Side side, uint32_t consumer, uint32_t asset, std::string_view resource,
                        std::string_view unit, Decimal total, int64_t from_ms, int64_t to_ms) {
  if (total.is_zero()) return Status::Ok();
  const uint32_t kind = Kind(resource, unit);
  if (to_ms <= from_ms) return Add(side, Key{HourOf(from_ms) * 3600, consumer, asset, kind}, total);
  std::vector<Decimal> overlaps;
  const int64_t first = HourOf(from_ms);
  for (int64_t h = first; h * kHourMs < to_ms; ++h) {
    overlaps.push_back(Decimal::FromUnits(std::min(to_ms, (h + 1) * kHourMs) -
                                          std::max(from_ms, h * kHourMs)));
  }
  const std::vector<Decimal> parts = SplitProportionally(total, overlaps);
  for (size_t i = 0; i < parts.size(); ++i) {
    TALLY_RETURN_IF_ERROR(
        Add(side, Key{(first + static_cast<int64_t>(i)) * 3600, consumer, asset, kind}, parts[i]));
  }
  return Status::Ok();
}

Result<std::vector<UsageBatch>> JobUsage::Finish() const {
  const Decimal hour_ms = Decimal::FromUnits(kHourMs);
  std::vector<UsageBatch> batches;
  std::vector<uint32_t> consumer_in_batch, asset_in_batch;  // staging index -> batch index
  int64_t first_hour = 0, last_hour = 0;
  for (const auto& [key, amounts] : amounts_) {
    if (batches.empty() || key.hour > last_hour + 3600) {
      batches.emplace_back(staging_.source(), TimeWindow{});
      batches.back().set_replace(UsageReplace::kConsumers);
      first_hour = key.hour;
      consumer_in_batch.assign(staging_.consumers().size(), kNoAsset);
      asset_in_batch.assign(staging_.assets().size(), kNoAsset);
    }
    last_hour = key.hour;
    UsageBatch& batch = batches.back();
    batch.set_hours(TimeWindow{Timestamp::FromUnixSeconds(first_hour),
                               Timestamp::FromUnixSeconds(last_hour + 3600)});
    uint32_t& consumer = consumer_in_batch[key.consumer];
    if (consumer == kNoAsset) consumer = batch.AddConsumer(staging_.consumers()[key.consumer]);
    uint32_t asset = kNoAsset;
    if (key.asset != kNoAsset) {
      uint32_t& a = asset_in_batch[key.asset];
      if (a == kNoAsset) a = batch.AddAsset(staging_.assets()[key.asset]);
      asset = a;
    }
    TALLY_ASSIGN_OR_RETURN(Decimal request, amounts.request_ms.Divide(hour_ms));
    TALLY_ASSIGN_OR_RETURN(Decimal usage, amounts.usage_ms.Divide(hour_ms));
    batch.AddUsage(UsageFact{Timestamp::FromUnixSeconds(key.hour), consumer, asset,
                             kinds_[key.kind].first, kinds_[key.kind].second, request, usage});
  }
  return batches;
}

}  // namespace tally
