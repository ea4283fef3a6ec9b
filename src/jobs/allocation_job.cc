#include "jobs/allocation_job.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "allocate/allocator.h"
#include "allocate/cost_spreader.h"

namespace tally {
namespace {

constexpr int64_t kHoursPerCommit = 24;

Timestamp CeilHour(Timestamp t) {
  return t == t.StartOfHour() ? t
                              : Timestamp::FromUnixSeconds(t.StartOfHour().unix_seconds() + 3600);
}

}  // namespace

std::string AllocationSummary::ToString() const {
  char text[512];
  if (no_data) return "no usage or bills in the store; nothing to allocate";
  if (recomputed == 0) {
    std::snprintf(text, sizeof text, "all %lld hours from %s to %s are current",
                  static_cast<long long>(window_hours()), window.start.ToString().c_str(),
                  window.end.ToString().c_str());
  } else {
    std::snprintf(text, sizeof text, "%lld of %lld hours recomputed (%s to %s), %lld rows, ",
                  static_cast<long long>(recomputed), static_cast<long long>(window_hours()),
                  window.start.ToString().c_str(), window.end.ToString().c_str(),
                  static_cast<long long>(rows));
  }
  std::string line = text;
  if (recomputed == 0) return line;
  // Each source's cost apart: sources may bill in different currencies, and estimates are not
  // bills.
  std::string billed, estimated;
  for (const auto& [source, amount] : bill) {
    std::string& into = source == kEstimateSource ? estimated : billed;
    if (source != kEstimateSource) {
      into += (into.empty() ? "" : ", ") + (source.empty() ? "(no provider)" : source) + " ";
    }
    into += amount.ToString();
  }
  line += "bill " + (billed.empty() ? std::string("none") : billed);
  if (!estimated.empty()) {
    line += "; estimated " + estimated + " for assets no bill line names (docs/estimates.md)";
  }
  std::snprintf(text, sizeof text, ", in %.2f s", seconds);
  return line + text;
}

Result<AllocationSummary> RunAllocation(AllocationStore& store, const Config& config,
                                        const AllocationJob& job) {
  AllocationSummary summary;
  TALLY_ASSIGN_OR_RETURN(std::optional<TimeWindow> data, store.DataWindow());
  if (!data && (!job.from || !job.to)) {
    summary.no_data = true;
    return summary;
  }
  summary.window = TimeWindow{job.from ? job.from->StartOfHour() : data->start,
                              job.to ? CeilHour(*job.to) : data->end};
  TALLY_ASSIGN_OR_RETURN(std::vector<Timestamp> hours,
                         store.HoursToAllocate(summary.window, config.digest));
  if (hours.empty()) return summary;
  const auto started = std::chrono::steady_clock::now();
  // Only the span of the hours to recompute is loaded: one new hour costs one hour's work.
  const auto [first, last] = std::minmax_element(hours.begin(), hours.end());
  const TimeWindow span{*first, Timestamp::FromUnixSeconds(last->unix_seconds() + 3600)};
  TALLY_ASSIGN_OR_RETURN(AllocationInputs inputs, store.LoadAllocationInputs(span));
  const CostSpreader spreader(inputs.lines, span);
  summary.lines_without_period = spreader.lines_without_period();
  for (const AllocationCostLine& line : inputs.lines) {
    if (!line.currency.empty()) summary.currencies.insert(line.currency);
  }
  Allocator allocator(config, inputs);
  std::vector<AllocatedHour> batch;
  std::map<std::string, Decimal> bill;
  const int64_t total = static_cast<int64_t>(hours.size());
  auto flush = [&]() -> Status {
    TALLY_RETURN_IF_ERROR(store.StoreAllocations(batch, config.digest));
    summary.recomputed += static_cast<int64_t>(batch.size());
    batch.clear();
    if (job.on_progress) job.on_progress(summary.recomputed, total);
    return Status::Ok();
  };
  TALLY_RETURN_IF_ERROR(store.ForEachUsageHour(
      hours, inputs,
      [&](Timestamp hour, std::span<const UsageFact> usage,
          std::span<const CapacityFact> capacity) -> Status {
        if (job.cancel != nullptr && job.cancel->load()) return Cancelled("allocation cancelled");
        AllocatedHour out{hour, {}, {}};
        TALLY_RETURN_IF_ERROR(allocator.AllocateHour(
            HourInputs{hour, usage, capacity, spreader.PartsInHour(hour)}, &out.rows, &out.bill));
        summary.rows += static_cast<int64_t>(out.rows.size());
        for (const auto& [source, amount] : out.bill) bill[source] += amount;
        batch.push_back(std::move(out));
        if (static_cast<int64_t>(batch.size()) == kHoursPerCommit) TALLY_RETURN_IF_ERROR(flush());
        return Status::Ok();
      }));
  if (!batch.empty()) TALLY_RETURN_IF_ERROR(flush());
  summary.bill = std::move(bill);
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace tally
