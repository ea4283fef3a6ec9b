// tally budgets, tally kpis and tally alerts: the health of spend against tally.yaml's budgets
// (report/budgets.h), the platform's and each owner's KPIs (report/kpis.h), and the alerts
// that budgets and anomalies raise, delivered once to Alertmanager and webhooks
// (jobs/alert_job.h).
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "jobs/alert_job.h"
#include "insight/budgets.h"
#include "insight/kpis.h"
#include "report/output_format.h"
#include "tally/clock.h"
#include "tally/store.h"

namespace tally::cli {
namespace {

struct FinanceFlags {
  std::string config;
  std::string as_of;
  std::string from, to;
  bool dry_run = false;
  int64_t limit = 50;
  std::string format = "table";
};

// tally.yaml and the existing store; on an error prints it and returns the exit code.
int Open(const GlobalOptions& globals, const FinanceFlags& flags, const std::string& prefix,
         Config* config, std::unique_ptr<Store>* store, OutputFormat* format) {
  auto parsed = ParseOutputFormat(flags.format);
  if (!parsed.ok()) {
    PrintError(prefix + parsed.status().message());
    return 2;
  }
  *format = *parsed;
  auto loaded = LoadConfig(flags.config);
  if (!loaded.ok()) {
    PrintError(prefix + loaded.status().message());
    return 2;
  }
  *config = std::move(*loaded);
  auto opened = OpenStore(globals.store, OpenMode::kMustExist);
  if (!opened.ok()) {
    PrintError(opened.status().message());
    return 1;
  }
  *store = std::move(*opened);
  return 0;
}

Result<std::optional<Timestamp>> AsOf(const std::string& text) {
  if (text.empty()) return std::optional<Timestamp>();
  std::optional<Timestamp> as_of, unused;
  TALLY_RETURN_IF_ERROR(ParseWindowFlags(text, "", &as_of, &unused));
  return as_of;
}

int Fail(const std::string& prefix, const Status& status) {
  PrintError(prefix + status.message());
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int RunBudgets(const GlobalOptions& globals, const FinanceFlags& flags) {
  Config config;
  std::unique_ptr<Store> store;
  OutputFormat format;
  if (int code = Open(globals, flags, "budgets: ", &config, &store, &format)) return code;
  auto as_of = AsOf(flags.as_of);
  if (!as_of.ok()) return Fail("budgets: --as-of: ", as_of.status());
  if (config.budgets.empty()) {
    PrintError("budgets: no budgets in tally.yaml (see docs/budgets.md)");
    return 1;
  }
  auto report = BuildBudgets(store.get(), config.budgets, *as_of);
  if (!report.ok()) return Fail("budgets: ", report.status());
  for (const std::string& w : report->warnings) PrintError("budgets: " + w);
  if (format == OutputFormat::kJson) {
    std::printf("%s\n", BudgetJson(*report).dump().c_str());
  } else {
    Print(RenderRecordTable(BudgetRecordTable(*report), format, globals.exact));
  }
  return 0;
}

int RunKpis(const GlobalOptions& globals, const FinanceFlags& flags) {
  Config config;
  std::unique_ptr<Store> store;
  OutputFormat format;
  if (int code = Open(globals, flags, "kpis: ", &config, &store, &format)) return code;
  KpiQuery query;
  if (Status s = ParseWindowFlags(flags.from, flags.to, &query.from, &query.to); !s.ok()) {
    return Fail("kpis: ", s);
  }
  query.unit_metrics = config.unit_metrics;
  auto report = BuildKpis(store.get(), query);
  if (!report.ok()) return Fail("kpis: ", report.status());
  if (report->platform.total.is_zero()) {
    PrintError("kpis: no allocated cost in the window (run tally allocate)");
  }
  if (format == OutputFormat::kJson) {
    std::printf("%s\n", KpiJson(*report).dump().c_str());
  } else {
    Print(RenderRecordTable(KpiRecordTable(*report), format));
  }
  return 0;
}

RecordTable OutcomeTable(const std::vector<DeliveryOutcome>& outcomes) {
  RecordTable t;
  t.columns = {"alert", "receiver", "result", "attempts", "error"};
  t.numeric = {false, false, false, true, false};
  t.decimal = {false, false, false, false, false};
  t.money = t.decimal;
  for (const DeliveryOutcome& o : outcomes) {
    t.rows.push_back({o.alert, o.receiver, o.result, std::to_string(o.attempts),
                      o.error.empty() ? std::nullopt : std::optional<std::string>(o.error)});
  }
  return t;
}

int RunAlerts(const GlobalOptions& globals, const FinanceFlags& flags) {
  Config config;
  std::unique_ptr<Store> store;
  OutputFormat format;
  if (int code = Open(globals, flags, "alerts: ", &config, &store, &format)) return code;
  AlertJob job;
  auto as_of = AsOf(flags.as_of);
  if (!as_of.ok()) return Fail("alerts: --as-of: ", as_of.status());
  job.as_of = *as_of;
  job.delivery.dry_run = flags.dry_run;
  auto run = RunAlerts(store.get(), config, job, SystemClock());
  if (!run.ok()) return Fail("alerts: ", run.status());
  for (const std::string& w : run->warnings) PrintError("alerts: " + w);
  Print(RenderRecordTable(OutcomeTable(run->outcomes), format));
  int failed = 0, sent = 0;
  for (const DeliveryOutcome& o : run->outcomes) {
    failed += o.result == "failed" ? 1 : 0;
    sent += o.result == "sent" ? 1 : 0;
  }
  PrintError("alerts: " + std::to_string(run->alerts.size()) + " alerts, " +
             std::to_string(sent) + " deliveries sent, " + std::to_string(failed) + " failed" +
             (flags.dry_run ? " (dry run: nothing sent)" : ""));
  return failed > 0 ? 1 : 0;
}

int RunAlertLog(const GlobalOptions& globals, const FinanceFlags& flags) {
  auto format = ParseOutputFormat(flags.format);
  if (!format.ok()) return Fail("alerts list: ", format.status());
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) return Fail("", store.status());
  auto log = (*store)->ListNotifications(flags.limit);
  if (!log.ok()) return Fail("alerts list: ", log.status());
  RecordTable t;
  t.columns = {"at", "alert", "receiver", "state", "attempts", "error"};
  t.numeric = {false, false, false, false, true, false};
  t.decimal = {false, false, false, false, false, false};
  t.money = t.decimal;
  for (const NotificationRecord& n : *log) {
    t.rows.push_back({n.at.ToString(), n.alert, n.receiver, n.state, std::to_string(n.attempts),
                      n.error.empty() ? std::nullopt : std::optional<std::string>(n.error)});
  }
  Print(RenderRecordTable(t, *format));
  return 0;
}

}  // namespace

void AddFinanceCommands(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto budgets = std::make_shared<FinanceFlags>();
  CLI::App* b = app->add_subcommand(
      "budgets", "each budget of tally.yaml: actual spend, forecast, thresholds crossed, burn-down");
  b->add_option("--config", budgets->config, "tally.yaml (default ./tally.yaml)");
  b->add_option("--as-of", budgets->as_of,
                "evaluate as of this day (default: the last day with cost data)");
  b->add_option("--format", budgets->format, "table, csv or json (json has the burn-down)")
      ->capture_default_str();
  b->footer("Owner budgets count the allocated cost of the owner path and everything below it; "
            "budgets with where: read the bill directly. See docs/budgets.md.");
  b->callback([=]() { *exit_code = RunBudgets(*globals, *budgets); });

  auto kpis = std::make_shared<FinanceFlags>();
  CLI::App* k = app->add_subcommand(
      "kpis", "allocation coverage, idle share, efficiency, GPU utilization, unit costs, "
              "commitments: for the platform and per owner");
  k->add_option("--config", kpis->config, "tally.yaml, for kpis.unit_metrics");
  k->add_option("--from", kpis->from, "window start (date or RFC 3339)");
  k->add_option("--to", kpis->to, "window end, exclusive");
  k->add_option("--format", kpis->format, "table, csv or json")->capture_default_str();
  k->footer("Definitions in docs/kpis.md.");
  k->callback([=]() { *exit_code = RunKpis(*globals, *kpis); });

  auto alerts = std::make_shared<FinanceFlags>();
  CLI::App* a = app->add_subcommand(
      "alerts", "send the alerts of budgets crossing thresholds and of open anomalies, once, to "
                "Alertmanager and webhooks");
  a->add_option("--config", alerts->config, "tally.yaml (budgets: and alerts:)");
  a->add_option("--as-of", alerts->as_of, "evaluate budgets as of this day");
  a->add_flag("--dry-run", alerts->dry_run, "show what would be sent; send and record nothing");
  a->add_option("--format", alerts->format, "table, csv or json")->capture_default_str();
  a->footer("An alert already sent to a receiver is never sent to it again; failures are retried "
            "with backoff, then at the next run. Exit 1 when a delivery failed.");
  a->callback([=]() {
    if (a->get_subcommands().empty()) *exit_code = RunAlerts(*globals, *alerts);
  });
  CLI::App* list = a->add_subcommand("list", "the last deliveries, newest first");
  list->add_option("--limit", alerts->limit, "how many")->capture_default_str();
  list->add_option("--format", alerts->format, "table, csv or json")->capture_default_str();
  list->callback([=]() { *exit_code = RunAlertLog(*globals, *alerts); });
}

}  // namespace tally::cli
