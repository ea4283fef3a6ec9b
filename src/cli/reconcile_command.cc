// tally reconcile: per billing source, the bill against allocated + idle + unallocated. Exits 1
// unless every difference is exactly zero and every hour of the window that holds bill cost is
// allocated.
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "report/allocation_views.h"
#include "report/showback.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct ReconcileFlags {
  std::string from, to;
  std::string format = "table";
};

int RunReconcile(const GlobalOptions& globals, const ReconcileFlags& flags) {
  std::optional<Timestamp> from, to;
  Status window = ParseWindowFlags(flags.from, flags.to, &from, &to);
  auto format = ParseOutputFormat(flags.format);
  if (!window.ok() || !format.ok()) {
    PrintError("reconcile: " + (window.ok() ? format.status() : window).message());
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto rows = Reconcile(**store, from, to);
  if (!rows.ok()) {
    PrintError("reconcile: " + rows.status().message());
    return 1;
  }
  bool exact = true;
  for (const ReconcileRow& r : *rows) exact &= r.difference().is_zero();
  const RecordTable t = ReconcileRecordTable(*rows);
  const std::string text = RenderRecordTable(t, *format, globals.exact);
  std::fwrite(text.data(), 1, text.size(), stdout);
  auto missing = (*store)->UnallocatedBillHours(from, to);
  if (!missing.ok()) {
    PrintError("reconcile: " + missing.status().message());
    return 1;
  }
  if (!missing->empty()) {
    PrintError("reconcile: " + std::to_string(missing->size()) +
               " hours of the window hold bill cost but are not allocated, or changed since (" +
               missing->front().ToString() + " to " +
               Timestamp::FromUnixSeconds(missing->back().unix_seconds() + 3600).ToString() +
               "): the figures above leave them out; run `tally allocate`");
    return 1;
  }
  if (rows->empty()) {
    auto status = (*store)->GetAllocationStatus();
    const bool allocated = status.ok() && status->allocated_hours > 0;
    PrintError(allocated ? "reconcile: the allocated hours hold no cost in the window: no bill "
                           "line, rate card or asset capacity to estimate from"
                         : "reconcile: nothing allocated in the window; run `tally allocate`");
    return 1;
  }
  if (!exact) {
    PrintError("reconcile: allocated + idle + unallocated differs from the bill");
    return 1;
  }
  std::string estimate;
  for (const ReconcileRow& r : *rows) {
    if (r.source == kEstimateSource) estimate = MoneyText(r.bill, globals.exact);
  }
  PrintError("reconcile: every billed amount is allocated, idle or unallocated, exactly" +
             (estimate.empty() ? std::string()
                               : "; " + estimate +
                                     " more is estimated (assets no bill line names, at "
                                     "reference prices: the row \"estimate\", not in TOTAL)"));
  return 0;
}

}  // namespace

void AddReconcileCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<ReconcileFlags>();
  CLI::App* sub = app->add_subcommand(
      "reconcile", "prove allocated + idle + unallocated = bill per source (exit 1 otherwise)");
  sub->add_option("--from", flags->from, "first hour (inclusive)");
  sub->add_option("--to", flags->to, "end (exclusive)");
  sub->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  sub->callback([=]() { *exit_code = RunReconcile(*globals, *flags); });
}

}  // namespace tally::cli
