// tally recommend: waste and savings, each with its monthly savings, evidence and action
// (insight/recommendations.h).
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "insight/recommendation_lifecycle.h"
#include "insight/recommendations.h"
#include "report/output_format.h"
#include "tally/clock.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct RecommendFlags {
  std::string kind, owner, from, to;
  double cpu_percentile = 0.9, memory_percentile = 0.9, margin = 0.15;
  std::string min_savings = "5";
  bool no_save = false;
  std::string state;  // history
  std::string format = "table";
};

int RunHistory(const GlobalOptions& globals, const RecommendFlags& flags) {
  auto format = ParseOutputFormat(flags.format);
  if (!format.ok() || (!flags.state.empty() && flags.state != "open" && flags.state != "applied" &&
                       flags.state != "gone")) {
    PrintError("recommend history: " + (format.ok() ? std::string("--state is open, applied or gone")
                                                    : format.status().message()));
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto records = (*store)->ListRecommendations(flags.state);
  if (!records.ok()) {
    PrintError("recommend history: " + records.status().message());
    return 1;
  }
  const std::string text = RenderRecordTable(RecommendationHistoryTable(*records), *format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

int RunRecommend(const GlobalOptions& globals, const RecommendFlags& flags) {
  RecommendQuery q;
  q.kind = flags.kind;
  q.owner = flags.owner;
  auto format = ParseOutputFormat(flags.format);
  auto min_savings = Decimal::Parse(flags.min_savings);
  Status window = ParseWindowFlags(flags.from, flags.to, &q.from, &q.to);
  std::string bad;
  if (!format.ok()) bad = format.status().message();
  if (!min_savings.ok() || (min_savings.ok() && *min_savings < Decimal())) {
    bad = "--min-savings must be an amount of money, 0 or more";
  }
  if (!window.ok()) bad = window.message();
  for (double p : {flags.cpu_percentile, flags.memory_percentile}) {
    if (!(p > 0 && p <= 1)) bad = "percentiles are between 0 (excluded) and 1";
  }
  if (!(flags.margin >= 0 && flags.margin <= 10)) bad = "--margin is between 0 and 10";
  if (!bad.empty()) {
    PrintError("recommend: " + bad);
    return 2;
  }
  q.min_monthly_savings = *min_savings;
  q.rightsizing.cpu_percentile = flags.cpu_percentile;
  q.rightsizing.memory_percentile = flags.memory_percentile;
  q.rightsizing.margin = flags.margin;
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto report = BuildRecommendations(store->get(), q);
  if (!report.ok()) {
    PrintError("recommend: " + report.status().message());
    return report.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (report->hours == 0) {
    PrintError("recommend: nothing allocated yet (tally allocate): no cost to save");
    return 1;
  }
  // The lifecycle follows the whole picture only: a filtered run would archive what it left out.
  const bool whole = q.kind.empty() && q.owner.empty() && !q.from && !q.to;
  if (!flags.no_save && whole) {
    auto tracked = TrackRecommendations(store->get(), *report, SystemClock().Now());
    if (!tracked.ok()) {
      PrintError("recommend: " + tracked.status().message());
      return 1;
    }
    PrintError("recommend: " + std::to_string(tracked->open) + " open (" +
               std::to_string(tracked->fresh) + " new); archived " +
               std::to_string(tracked->applied) + " applied (realizing " +
               tracked->realized.Round(2).ToString() + " a month) and " +
               std::to_string(tracked->gone) + " no longer true (tally recommend history)");
  }
  if (*format == OutputFormat::kJson) {
    std::printf("%s\n", RecommendationJson(*report).dump().c_str());
    return 0;
  }
  const std::string text = RenderRecordTable(RecommendationRecordTable(*report), *format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  PrintError("recommend: " + std::to_string(report->rows.size()) + " recommendations, " +
             report->total.ToString() + " a month, from " + report->from + " to " + report->to);
  return 0;
}

}  // namespace

void AddRecommendCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<RecommendFlags>();
  CLI::App* sub = app->add_subcommand(
      "recommend", "waste and savings: idle GPUs, abandoned workloads, rightsizing, orphaned "
                   "volumes, Slurm jobs, Spark applications, cold storage, commitments; each "
                   "with its monthly savings, evidence and action");
  sub->add_option("--kind", flags->kind,
                  "idle_gpu, abandoned, rightsizing, orphaned_volume, slurm_job, spark_app, "
                  "cold_storage, commitment or node_consolidation");
  sub->add_option("--owner", flags->owner, "only this owner path and those below it");
  sub->add_option("--from", flags->from, "window start (default: 14 days before its end)");
  sub->add_option("--to", flags->to, "window end (default: the end of the allocated data)");
  sub->add_option("--cpu-percentile", flags->cpu_percentile, "rightsizing's CPU percentile")
      ->capture_default_str();
  sub->add_option("--memory-percentile", flags->memory_percentile,
                  "rightsizing's percentile of daily memory peaks")
      ->capture_default_str();
  sub->add_option("--margin", flags->margin, "rightsizing's safety margin")->capture_default_str();
  sub->add_option("--min-savings", flags->min_savings,
                  "leave out rightsizing and volumes saving less a month")
      ->capture_default_str();
  sub->add_flag("--no-save", flags->no_save,
                "do not store the recommendations nor archive those no longer found");
  sub->add_option("--format", flags->format, "table, csv or json (json has the evidence)")
      ->capture_default_str();
  sub->footer("A month is 730 hours. One recommendation per workload: the first of idle GPU, "
              "abandoned, rightsizing that applies, so no saving counts twice. Without filters "
              "the recommendations are stored, and those no longer found archived as applied "
              "(with the savings realized) or gone. See docs/recommendations.md.");
  sub->callback([=]() {
    if (sub->get_subcommands().empty()) *exit_code = RunRecommend(*globals, *flags);
  });
  CLI::App* history = sub->add_subcommand(
      "history", "stored recommendations: open, applied (with the realized savings) or gone");
  history->add_option("--state", flags->state, "open, applied or gone (default: all)");
  history->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  history->callback([=]() { *exit_code = RunHistory(*globals, *flags); });
}

}  // namespace tally::cli
