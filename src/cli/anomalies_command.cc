// tally anomalies: finds days (or hours) of cost far from their seasonal baseline, per group of
// the bill or the allocation, with impact and root cause (report/anomalies.h); stores each once
// (AlertStateStore), so that `tally anomalies ack ID` can mark it and alerts go out once.
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "common/strings.h"
#include "insight/anomalies.h"
#include "report/output_format.h"
#include "tally/clock.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct AnomaliesFlags {
  std::string by;
  std::vector<std::string> where;
  std::string from, to;
  std::string step = "day";
  std::string metric = "EffectiveCost";
  double k = 5;
  std::string floor = "10";
  bool drops = false;
  bool no_save = false;
  std::string format = "table";
  std::string id;  // ack / resolve / reopen
};

Result<AnomalyQuery> BuildQuery(const AnomaliesFlags& flags) {
  AnomalyQuery q;
  q.by = SplitList(flags.by, ',');
  q.where = flags.where;
  TALLY_RETURN_IF_ERROR(ParseWindowFlags(flags.from, flags.to, &q.from, &q.to));
  TALLY_ASSIGN_OR_RETURN(q.step, ParseCostStep(flags.step));
  if (q.step != CostStep::kDay && q.step != CostStep::kHour) {
    return InvalidArgument("--step must be day or hour");
  }
  TALLY_ASSIGN_OR_RETURN(q.metric, ParseCostMetric(flags.metric));
  if (!(flags.k > 0) || flags.k > 1000) return InvalidArgument("--k must be between 0 and 1000");
  TALLY_ASSIGN_OR_RETURN(q.options.floor, Decimal::Parse(flags.floor));
  if (q.options.floor < Decimal()) return InvalidArgument("--floor must not be negative");
  q.options.k = flags.k;
  q.options.drops = flags.drops;
  return q;
}

int RunAnomalies(const GlobalOptions& globals, const AnomaliesFlags& flags) {
  auto query = BuildQuery(flags);
  auto format = ParseOutputFormat(flags.format);
  if (!query.ok() || !format.ok()) {
    PrintError("anomalies: " +
               (!query.ok() ? query.status().message() : format.status().message()));
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto report = FindAnomalies(store->get(), *query);
  if (!report.ok()) {
    PrintError("anomalies: " + report.status().message());
    return report.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  const std::vector<AnomalyRecord> found = AnomalyRecords(*report, SystemClock().Now());
  if (!flags.no_save) {
    auto fresh = (*store)->SaveAnomalies(found);
    if (!fresh.ok()) {
      PrintError("anomalies: " + fresh.status().message());
      return 1;
    }
    PrintError("anomalies: " + std::to_string(found.size()) + " found in " +
               std::to_string(report->series) + " series, " + std::to_string(*fresh) + " new");
  }
  auto stored = (*store)->ListAnomalies(std::nullopt, std::nullopt);
  if (!stored.ok()) {
    PrintError("anomalies: " + stored.status().message());
    return 1;
  }
  if (*format == OutputFormat::kJson) {
    std::printf("%s\n", AnomalyJson(*report, *stored).dump().c_str());
    return 0;
  }
  const std::string text =
      RenderRecordTable(AnomalyRecordTable(*report, *stored), *format, globals.exact);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

int SetState(const GlobalOptions& globals, const std::string& id, const char* state) {
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  std::string before;
  if (auto known = (*store)->ListAnomalies(std::nullopt, std::nullopt); known.ok()) {
    for (const AnomalyRecord& a : *known) {
      if (a.id == id) before = a.state;
    }
  }
  Status set = (*store)->SetAnomalyState(id, state, SystemClock().Now());
  if (!set.ok()) {
    PrintError("anomalies: " + set.message());
    return set.code() == StatusCode::kNotFound ? 2 : 1;
  }
  RecordCliAction(globals, "anomaly.state", id,
                  "{\"before\":\"" + before + "\",\"after\":\"" + state + "\"}");
  PrintError("anomalies: " + id + " is " + state);
  return 0;
}

}  // namespace

void AddAnomaliesCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<AnomaliesFlags>();
  CLI::App* sub = app->add_subcommand(
      "anomalies", "find cost anomalies with their impact and root cause, and store them");
  sub->add_option("--by", flags->by,
                  "per group of the bill (ServiceName, Tags.team, ...) or of the allocation "
                  "(owner, namespace, ...); default: the total");
  sub->add_option("--where", flags->where, "KEY=v1,v2: only these (repeatable)");
  sub->add_option("--from", flags->from, "report anomalies from this time (history before counts)");
  sub->add_option("--to", flags->to, "report anomalies before this time");
  sub->add_option("--step", flags->step, "day or hour")->capture_default_str();
  sub->add_option("--metric", flags->metric, "EffectiveCost, BilledCost, ListCost or ContractedCost")
      ->capture_default_str();
  sub->add_option("--k", flags->k, "threshold in robust standard deviations of the residuals")
      ->capture_default_str();
  sub->add_option("--floor", flags->floor, "smallest impact reported, in the bill's currency")
      ->capture_default_str();
  sub->add_flag("--drops", flags->drops, "also report cost falling below its baseline");
  sub->add_flag("--no-save", flags->no_save, "do not store what is found");
  sub->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  sub->footer(
      "Baseline: the median of the same weekday over the 4 weeks before (for --step hour, the "
      "same hour over the 7 days before). A period is anomalous when its residual exceeds k "
      "times the robust spread of the series' recent residuals and the floor. Each anomaly is "
      "stored once under a stable id; `tally anomalies ack ID` acknowledges it.");
  sub->callback([=]() {
    if (sub->get_subcommands().empty()) *exit_code = RunAnomalies(*globals, *flags);
  });
  struct Verb {
    const char* name;
    const char* state;
    const char* help;
  };
  for (const Verb& verb : {Verb{"ack", "acknowledged", "acknowledge an anomaly"},
                           Verb{"resolve", "resolved", "mark an anomaly resolved"},
                           Verb{"reopen", "open", "open an anomaly again"}}) {
    CLI::App* v = sub->add_subcommand(verb.name, verb.help);
    v->add_option("id", flags->id, "the anomaly's id (the id column)")->required();
    const char* state = verb.state;
    v->callback([=]() { *exit_code = SetState(*globals, flags->id, state); });
  }
}

}  // namespace tally::cli
