// tally policy plan|apply|approve|object|list: efficiency policies that act (docs/policies.md).
// plan changes nothing; apply acts on enforce policies only, through the actuators tally.yaml
// names, every step in the audit log as "cli:<user>".
#include <cstdio>
#include <filesystem>

#include "access/access_control.h"
#include "cli/cli.h"
#include "jobs/policy_job.h"

namespace tally::cli {
namespace {

struct PolicyFlags {
  std::string config;    // tally.yaml
  std::string policies;  // a folder of policy files
  std::string from, to;
  std::string format = "table";
  std::string state;
  std::string id;
};

// tally.yaml (--config, else ./tally.yaml) and the store, then one policy run. Prints the
// error and returns the exit code on failure.
int Run(const GlobalOptions& globals, const PolicyFlags& flags, bool apply,
        std::unique_ptr<PolicyRun>* out) {
  const std::string config_path = !flags.config.empty()
                                      ? flags.config
                                      : (std::filesystem::exists("tally.yaml") ? "tally.yaml" : "");
  auto config = LoadConfig(config_path);
  if (!config.ok()) {
    PrintError("policy: " + config.status().message());
    return 2;
  }
  if (!flags.policies.empty() && !std::filesystem::is_directory(flags.policies)) {
    PrintError("policy: --policies " + flags.policies + " is not a folder");
    return 2;
  }
  PolicyJob job;
  job.config_path = config_path;
  job.policies_dir = flags.policies.empty() ? "policies" : flags.policies;
  job.store_url = globals.store;
  job.actor = CliActor();
  job.apply = apply;
  Status window = ParseWindowFlags(flags.from, flags.to, &job.from, &job.to);
  if (!window.ok()) {
    PrintError("policy: " + window.message());
    return 2;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto run = RunPolicies(store->get(), *config, job, SystemClock());
  if (!run.ok()) {
    PrintError("policy: " + run.status().message());
    const StatusCode code = run.status().code();
    return code == StatusCode::kInvalidArgument || code == StatusCode::kFailedPrecondition ? 2 : 1;
  }
  *out = std::move(*run);
  return 0;
}

void Print(const nlohmann::ordered_json& json, const RecordTable& table, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    std::printf("%s\n", json.dump().c_str());
  } else {
    std::fputs(RenderRecordTable(table, format).c_str(), stdout);
  }
}

int RunPlan(const GlobalOptions& globals, const PolicyFlags& flags, bool apply) {
  auto format = ParseOutputFormat(flags.format);
  if (!format.ok()) {
    PrintError(format.status().message());
    return 2;
  }
  std::unique_ptr<PolicyRun> run;
  if (int code = Run(globals, flags, apply, &run); code != 0) return code;
  if (!apply) {
    const nlohmann::ordered_json plan = PlanJson(run->plans);
    Print(plan, PlanRecordTable(run->plans), *format);
    size_t actions = 0;
    for (const PolicyPlan& p : run->plans) actions += p.actions.size();
    PrintError("policy plan: " + std::to_string(run->plans.size()) + " policies, " +
               std::to_string(actions) + " actions, " + plan["monthly_savings"].get<std::string>() +
               " a month; nothing was changed (tally policy apply acts on enforce policies)");
    return 0;
  }
  Print(StepsJson(run->steps), StepsRecordTable(run->steps), *format);
  int failed = 0;
  for (const ApplyStep& s : run->steps) failed += s.state == "failed" ? 1 : 0;
  PrintError("policy apply: " + std::to_string(run->steps.size()) + " targets, " +
             std::to_string(failed) + " failed (tally audit lists every step)");
  return failed > 0 ? 1 : 0;
}

int RunDecide(const GlobalOptions& globals, const PolicyFlags& flags, bool approve) {
  auto state = OpenPolicyStateStore(globals.store);
  auto access_store = OpenAccessStore(globals.store);
  if (!state.ok() || !access_store.ok()) {
    PrintError((!state.ok() ? state.status() : access_store.status()).message());
    return 1;
  }
  AccessControl audit(std::move(*access_store));
  RoutingActuator none(nullptr, nullptr, nullptr);
  PolicyExecutor executor(**state, &audit, none, SystemClock(), CliActor());
  Status done = approve ? executor.Approve(flags.id) : executor.Object(flags.id);
  if (!done.ok()) {
    PrintError(std::string("policy ") + (approve ? "approve" : "object") + ": " + done.message());
    return done.code() == StatusCode::kInternal || done.code() == StatusCode::kIoError ? 1 : 2;
  }
  PrintError("policy: " + flags.id +
             (approve ? " is approved: the next apply acts on it"
                      : " is objected to: it will not be acted on"));
  return 0;
}

int RunList(const GlobalOptions& globals, const PolicyFlags& flags) {
  auto format = ParseOutputFormat(flags.format);
  if (!format.ok()) {
    PrintError(format.status().message());
    return 2;
  }
  auto state = OpenPolicyStateStore(globals.store);
  if (!state.ok()) {
    PrintError(state.status().message());
    return 1;
  }
  auto targets = (*state)->ListPolicyTargets(flags.state);
  if (!targets.ok()) {
    PrintError("policy list: " + targets.status().message());
    return 1;
  }
  auto store = OpenStore(globals.store, OpenMode::kMustExist);
  if (!store.ok()) {
    PrintError(store.status().message());
    return 1;
  }
  auto stored = IndexRecommendations(store->get());
  if (!stored.ok()) {
    PrintError("policy list: " + stored.status().message());
    return 1;
  }
  Print(TargetsJson(*targets, *stored), TargetsRecordTable(*targets, *stored), *format);
  return 0;
}

}  // namespace

void AddPolicyCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<PolicyFlags>();
  CLI::App* policy = app->add_subcommand(
      "policy",
      "efficiency policies that act: plan (a dry run), apply, approve, object, list "
      "(docs/policies.md)");
  policy->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--config", flags->config, "tally.yaml (default ./tally.yaml)");
    sub->add_option("--policies", flags->policies,
                    "a folder of policy files (*.yaml; default ./policies)");
    sub->add_option("--from", flags->from,
                    "recommendations' window start (default: 14 days "
                    "before the end of the data)");
    sub->add_option("--to", flags->to, "its end");
    sub->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  };
  CLI::App* plan =
      policy->add_subcommand("plan", "what each policy would do and save; changes nothing");
  common(plan);
  plan->callback([=]() { *exit_code = RunPlan(*globals, *flags, false); });
  CLI::App* apply = policy->add_subcommand(
      "apply",
      "act on the enforce policies: caps, exemptions, grace periods and approvals "
      "first; every step in the audit log");
  common(apply);
  apply->callback([=]() { *exit_code = RunPlan(*globals, *flags, true); });
  for (const auto& [name, approve, help] :
       {std::tuple{"approve", true, "approve a pending target: the next apply acts on it"},
        std::tuple{"object", false, "object to a marked target: it will not be acted on"}}) {
    CLI::App* sub = policy->add_subcommand(name, help);
    sub->add_option("id", flags->id, "the target's id (policy list, plan's target_id)")->required();
    const bool yes = approve;
    sub->callback([=]() { *exit_code = RunDecide(*globals, *flags, yes); });
  }
  CLI::App* list = policy->add_subcommand("list", "what policies did: marked, pending, applied");
  list->add_option("--state", flags->state, "marked, objected, pending, approved, applied, failed");
  list->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  list->callback([=]() { *exit_code = RunList(*globals, *flags); });
}

}  // namespace tally::cli
