// tally allocate: computes and stores allocations for the hours whose inputs or policy changed.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "allocate/allocator.h"
#include "allocate/cost_spreader.h"
#include "cli/cli.h"
#include "config/config.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct AllocateFlags {
  std::string from, to;
  std::string config;
  bool quiet = false;
};

Timestamp CeilHour(Timestamp t) {
  return t == t.StartOfHour() ? t
                              : Timestamp::FromUnixSeconds(t.StartOfHour().unix_seconds() + 3600);
}

int RunAllocate(const GlobalOptions& globals, const AllocateFlags& flags) {
  std::optional<Timestamp> from, to;
  Status window_flags = ParseWindowFlags(flags.from, flags.to, &from, &to);
  if (!window_flags.ok()) {
    PrintError("allocate: " + window_flags.message());
    return 2;
  }
  auto config = LoadConfig(flags.config);
  if (!config.ok()) {
    PrintError("allocate: " + config.status().message());
    return 1;
  }
  auto opened = OpenStore(globals.store, OpenMode::kMustExist);
  if (!opened.ok()) {
    PrintError(opened.status().message());
    return 1;
  }
  Store& store = **opened;
  auto data = store.DataWindow();
  if (!data.ok()) {
    PrintError("allocate: " + data.status().message());
    return 1;
  }
  if (!*data && (!from || !to)) {
    std::printf("allocate: no usage or bills in the store; nothing to allocate\n");
    return 0;
  }
  TimeWindow window{from ? from->StartOfHour() : (*data)->start, to ? CeilHour(*to) : (*data)->end};
  auto hours = store.HoursToAllocate(window, config->digest);
  if (!hours.ok()) {
    PrintError("allocate: " + hours.status().message());
    return 1;
  }
  const auto started = std::chrono::steady_clock::now();
  const int64_t total_hours = window.Seconds() / 3600;
  if (hours->empty()) {
    std::printf("allocate: all %lld hours from %s to %s are current\n",
                static_cast<long long>(total_hours), window.start.ToString().c_str(),
                window.end.ToString().c_str());
    return 0;
  }
  auto inputs = store.LoadAllocationInputs(window);
  if (!inputs.ok()) {
    PrintError("allocate: " + inputs.status().message());
    return 1;
  }
  const CostSpreader spreader(inputs->lines, window);
  Allocator allocator(*config, *inputs);
  const bool progress = !flags.quiet && isatty(STDERR_FILENO) != 0;
  std::vector<AllocatedHour> batch;
  int64_t rows = 0, done = 0;
  std::map<std::string, Decimal> bill;
  auto flush = [&]() -> Status {
    TALLY_RETURN_IF_ERROR(store.StoreAllocations(batch, config->digest));
    batch.clear();
    return Status::Ok();
  };
  Status status =
      store.ForEachUsageHour(*hours, *inputs,
                             [&](Timestamp hour, std::span<const UsageFact> usage,
                                 std::span<const CapacityFact> capacity) -> Status {
                               AllocatedHour out{hour, {}, {}};
                               const auto& parts = spreader.PartsInHour(hour);
                               TALLY_RETURN_IF_ERROR(allocator.AllocateHour(
                                   HourInputs{hour, usage, capacity, parts}, &out.rows, &out.bill));
                               rows += static_cast<int64_t>(out.rows.size());
                               for (const auto& [source, amount] : out.bill) bill[source] += amount;
                               batch.push_back(std::move(out));
                               if (++done % 24 == 0) {
                                 TALLY_RETURN_IF_ERROR(flush());
                                 if (progress) {
                                   std::fprintf(stderr, "\rallocate: %lld/%zu hours",
                                                static_cast<long long>(done), hours->size());
                                 }
                               }
                               return Status::Ok();
                             });
  if (status.ok()) status = flush();
  if (progress && done >= 24) std::fprintf(stderr, "\n");
  if (!status.ok()) {
    PrintError("allocate: " + status.message() + " (hours stored before the error stay)");
    return 1;
  }
  Decimal total;
  for (const auto& [source, amount] : bill) total += amount;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("allocate: %zu of %lld hours recomputed (%s to %s), %lld rows, bill %s, in %.2f s\n",
              hours->size(), static_cast<long long>(total_hours), window.start.ToString().c_str(),
              window.end.ToString().c_str(), static_cast<long long>(rows), total.ToString().c_str(),
              seconds);
  if (spreader.lines_without_period() > 0) {
    PrintError("allocate: warning: " + std::to_string(spreader.lines_without_period()) +
               " bill lines have no charge period and cannot be placed in hours");
  }
  return 0;
}

}  // namespace

void AddAllocateCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<AllocateFlags>();
  CLI::App* sub = app->add_subcommand(
      "allocate", "split every asset's cost to the consumers that used it, hour by hour");
  sub->add_option("--from", flags->from, "first hour (default: the first hour with data)");
  sub->add_option("--to", flags->to, "end, exclusive (default: the end of the data)");
  sub->add_option("--config", flags->config, "policy file (default: ./tally.yaml if present)");
  sub->add_flag("-q,--quiet", flags->quiet, "no progress");
  sub->footer(
      "Only hours never allocated, allocated under another policy, or whose usage or bills "
      "changed since are recomputed. See docs/allocation.md.");
  sub->callback([=]() { *exit_code = RunAllocate(*globals, *flags); });
}

}  // namespace tally::cli
