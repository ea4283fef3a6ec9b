#include "policy/slurm_actuator.h"

#include <nlohmann/json.hpp>

#include "collect/command_runner.h"

namespace tally {
namespace {

// The value of `key=` in scontrol's "key=value key=value" text.
std::string Field(const std::string& text, const std::string& key) {
  const size_t at = text.find(key + "=");
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() + 1;
  const size_t end = text.find_first_of(" \n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool ValidName(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") ==
             std::string::npos;
}

}  // namespace

Result<std::string> SlurmActuator::Run(std::vector<std::string> argv) {
  CommandOptions options;
  options.timeout_seconds = 30;
  options.max_output = 1 << 20;
  if (!slurm_conf_.empty()) options.env.push_back("SLURM_CONF=" + slurm_conf_);
  return RunCommand(argv, options);
}

Result<std::string> SlurmActuator::JobState(const std::string& job_id) {
  TALLY_ASSIGN_OR_RETURN(std::string text, Run({"scontrol", "show", "job", job_id}));
  const std::string state = Field(text, "JobState");
  const std::string reason = Field(text, "Reason");
  return state + (reason.find("Held") != std::string::npos ? " (held)" : "");
}

Result<std::string> SlurmActuator::AccountLimits(const std::string& account) {
  TALLY_ASSIGN_OR_RETURN(std::string text,
                         Run({"sacctmgr", "-n", "-P", "show", "association", "where",
                              "account=" + account, "user=", "format=GrpTRES"}));
  // The account's own association (user empty) first; trim the newline.
  const size_t end = text.find('\n');
  return text.substr(0, end);
}

Result<ActionOutcome> SlurmActuator::Apply(const PlannedAction& a) {
  const PolicyCandidate& t = *a.target;
  if (!ValidName(t.name))
    return InvalidArgument("slurm: \"" + t.name + "\" is not a job or account");
  using Json = nlohmann::json;
  if (a.action.type == "suspend" && t.resource == PolicyResource::kSlurmJob) {
    TALLY_ASSIGN_OR_RETURN(std::string before, JobState(t.name));
    const bool pending = before.starts_with("PENDING");
    TALLY_RETURN_IF_ERROR(Run({"scontrol", pending ? "hold" : "suspend", t.name}).status());
    TALLY_ASSIGN_OR_RETURN(std::string after, JobState(t.name));
    return ActionOutcome{Json{{"job", t.name}, {"state", before}}.dump(),
                         Json{{"job", t.name}, {"state", after}}.dump()};
  }
  if (a.action.type == "throttle" && t.resource == PolicyResource::kSlurmAccount) {
    std::string tres;
    for (const auto& [k, v] : a.action.params) {
      if (!ValidName(v)) return InvalidArgument("slurm: throttle " + k + " \"" + v + "\"");
      tres += (tres.empty() ? "" : ",") +
              (k == "gpu"      ? "gres/gpu"
               : k == "memory" ? "mem"
                               : k) +
              "=" + v;
    }
    TALLY_ASSIGN_OR_RETURN(std::string before, AccountLimits(t.name));
    TALLY_RETURN_IF_ERROR(Run({"sacctmgr", "-i", "modify", "account", "where", "name=" + t.name,
                               "set", "GrpTRES=" + tres})
                              .status());
    TALLY_ASSIGN_OR_RETURN(std::string after, AccountLimits(t.name));
    return ActionOutcome{Json{{"account", t.name}, {"GrpTRES", before}}.dump(),
                         Json{{"account", t.name}, {"GrpTRES", after}}.dump()};
  }
  return InvalidArgument("slurm: no action " + a.action.type + " on a " +
                         std::string(PolicyResourceName(t.resource)));
}

}  // namespace tally
