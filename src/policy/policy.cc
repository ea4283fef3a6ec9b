#include "policy/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/input_file.h"
#include "config/config.h"
#include "config/yaml_values.h"

namespace tally {
namespace {

using namespace config_yaml;  // NOLINT(google-build-using-namespace): the section helpers

struct ResourceInfo {
  PolicyResource resource;
  const char* name;
  std::vector<std::string> actions;  // what may be done to it
};

const std::vector<ResourceInfo>& Resources() {
  static const std::vector<ResourceInfo> kResources = {
      {PolicyResource::kWorkload,
       "workload",
       {"notify", "label", "annotate", "set-requests", "scale", "suspend", "throttle", "reclaim"}},
      {PolicyResource::kVolume, "volume", {"notify", "label", "annotate", "reclaim"}},
      {PolicyResource::kNode, "node", {"notify", "label", "annotate", "reclaim"}},
      {PolicyResource::kSlurmJob, "slurm-job", {"notify", "suspend"}},
      {PolicyResource::kSlurmAccount, "slurm-account", {"notify", "throttle"}},
      {PolicyResource::kOwner, "owner", {"notify"}},
  };
  return kResources;
}

const std::set<std::string> kOps = {"eq",  "ne", "gt",     "gte",     "lt",
                                    "lte", "in", "within", "present", "absent"};

Status ParseFilter(const YAML::Node& node, const std::string& where, PolicyFilter* out) {
  if (!node.IsMap() || node.size() == 0) {
    return InvalidArgument(At(node, where) +
                           ": a filter is a mapping ({kind: rightsizing}, "
                           "{key: savings, op: gte, value: 50}, {and|or: [...]}, "
                           "{not: {...}})");
  }
  for (const char* combinator : {"and", "or"}) {
    if (const YAML::Node list = node[combinator]) {
      if (node.size() != 1 || !list.IsSequence() || list.size() == 0) {
        return InvalidArgument(At(node, where) + ": " + combinator + " takes a list of filters");
      }
      out->kind = std::string_view(combinator) == "and" ? PolicyFilter::Kind::kAnd
                                                        : PolicyFilter::Kind::kOr;
      for (size_t i = 0; i < list.size(); ++i) {
        PolicyFilter child;
        TALLY_RETURN_IF_ERROR(
            ParseFilter(list[i], where + "." + combinator + "[" + std::to_string(i) + "]", &child));
        out->children.push_back(std::move(child));
      }
      return Status::Ok();
    }
  }
  if (const YAML::Node inner = node["not"]) {
    if (node.size() != 1) return InvalidArgument(At(node, where) + ": not stands alone");
    out->kind = PolicyFilter::Kind::kNot;
    out->children.emplace_back();
    return ParseFilter(inner, where + ".not", &out->children.back());
  }
  auto values_of = [&](const YAML::Node& v, const std::string& at) -> Status {
    if (v.IsSequence()) {
      for (size_t i = 0; i < v.size(); ++i) {
        TALLY_ASSIGN_OR_RETURN(std::string text, TextAt(v[i], at + "[" + std::to_string(i) + "]"));
        out->values.push_back(std::move(text));
      }
      return Status::Ok();
    }
    TALLY_ASSIGN_OR_RETURN(std::string text, TextAt(v, at));
    out->values.push_back(std::move(text));
    return Status::Ok();
  };
  if (node["key"]) {  // {key: savings, op: gte, value: 50}
    TALLY_RETURN_IF_ERROR(CheckKeys(node, where, {"key", "op", "value"}));
    TALLY_ASSIGN_OR_RETURN(out->key, TextAt(node["key"], where + ".key"));
    out->op = "eq";
    if (node["op"]) {
      TALLY_ASSIGN_OR_RETURN(out->op, TextAt(node["op"], where + ".op"));
    }
    if (!kOps.contains(out->op)) {
      return InvalidArgument(At(node["op"], where + ".op") + ": \"" + out->op +
                             "\" is not one of eq, ne, gt, gte, lt, lte, in, within, present, "
                             "absent");
    }
    if (out->op == "present" || out->op == "absent") {
      if (node["value"])
        return InvalidArgument(At(node, where) + ": " + out->op + " takes no value");
      return Status::Ok();
    }
    if (!node["value"]) return InvalidArgument(At(node, where) + ": missing value");
    TALLY_RETURN_IF_ERROR(values_of(node["value"], where + ".value"));
  } else {  // {kind: rightsizing} or {namespace: [a, b]}
    if (node.size() != 1) {
      return InvalidArgument(At(node, where) + ": one key per filter (or key/op/value)");
    }
    const auto it = node.begin();
    out->key = it->first.as<std::string>();
    out->op = it->second.IsSequence() ? "in" : "eq";
    TALLY_RETURN_IF_ERROR(values_of(it->second, where + "." + out->key));
  }
  if ((out->op == "gt" || out->op == "gte" || out->op == "lt" || out->op == "lte")) {
    if (out->values.size() != 1 || !Decimal::Parse(out->values[0]).ok()) {
      return InvalidArgument(At(node, where) + ": " + out->op + " compares with one number");
    }
  }
  return Status::Ok();
}

Status ParseAction(const YAML::Node& node, const std::string& where, const ResourceInfo& info,
                   PolicyAction* out) {
  if (node.IsScalar()) {
    out->type = node.Scalar();
  } else if (node.IsMap() && node["type"]) {
    TALLY_ASSIGN_OR_RETURN(out->type, TextAt(node["type"], where + ".type"));
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (key == "type") continue;
      TALLY_ASSIGN_OR_RETURN(out->params[key], TextAt(kv.second, where + "." + key));
    }
  } else {
    return InvalidArgument(At(node, where) + ": an action is a name or {type: NAME, ...}");
  }
  if (std::find(info.actions.begin(), info.actions.end(), out->type) == info.actions.end()) {
    std::string known;
    for (const std::string& a : info.actions) known += (known.empty() ? "" : ", ") + a;
    return InvalidArgument(At(node, where) + ": " + std::string(info.name) + " resources take " +
                           known + ", not \"" + out->type + "\"");
  }
  // Each action's keys, and what they must hold.
  static const std::map<std::string, std::vector<std::string>> kKeys = {
      {"notify", {"message"}},
      {"label", {"key", "value"}},
      {"annotate", {"key", "value"}},
      {"set-requests", {"cpu", "memory"}},
      {"scale", {"replicas"}},
      {"suspend", {}},
      {"throttle", {"cpu", "memory", "gpu"}},
      {"reclaim", {}}};
  for (const auto& [key, value] : out->params) {
    const auto& allowed = kKeys.at(out->type);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return InvalidArgument(At(node[key], where + "." + key) + ": unknown key for " + out->type);
    }
  }
  auto need = [&](const char* key) -> Status {
    if (!out->params.contains(key)) {
      return InvalidArgument(At(node, where) + ": " + out->type + " needs " + key);
    }
    return Status::Ok();
  };
  if (out->type == "label" || out->type == "annotate") {
    TALLY_RETURN_IF_ERROR(need("key"));
    TALLY_RETURN_IF_ERROR(need("value"));
  }
  if (out->type == "scale") {
    TALLY_RETURN_IF_ERROR(need("replicas"));
    const std::string& r = out->params["replicas"];
    if (r.empty() || r.size() > 6 || !std::all_of(r.begin(), r.end(), ::isdigit)) {
      return InvalidArgument(At(node, where) + ": replicas is a whole number >= 0");
    }
  }
  if (out->type == "throttle" && !out->params.contains("cpu") && !out->params.contains("memory") &&
      !out->params.contains("gpu")) {
    return InvalidArgument(At(node, where) + ": throttle needs cpu, memory or gpu");
  }
  return Status::Ok();
}

Status ParsePolicy(const YAML::Node& node, const std::string& where, const std::string& file,
                   Policy* p) {
  TALLY_RETURN_IF_ERROR(
      CheckKeys(node, where,
                {"name", "resource", "mode", "description", "filters", "actions", "max-resources",
                 "max-resources-percent", "grace", "approval", "exclude"}));
  p->file = file;
  p->line = node.Mark().line + 1;
  if (!node["name"]) return InvalidArgument(At(node, where) + ": missing name");
  TALLY_ASSIGN_OR_RETURN(p->name, TextAt(node["name"], where + ".name"));
  if (!node["resource"]) return InvalidArgument(At(node, where) + ": missing resource");
  TALLY_ASSIGN_OR_RETURN(std::string resource, TextAt(node["resource"], where + ".resource"));
  const ResourceInfo* info = nullptr;
  for (const ResourceInfo& r : Resources()) {
    if (resource == r.name) info = &r;
  }
  if (info == nullptr) {
    return InvalidArgument(At(node["resource"], where + ".resource") + ": \"" + resource +
                           "\" is not workload, volume, node, slurm-job, slurm-account or owner");
  }
  p->resource = info->resource;
  if (node["mode"]) {
    TALLY_ASSIGN_OR_RETURN(std::string mode, TextAt(node["mode"], where + ".mode"));
    if (mode != "dry-run" && mode != "enforce") {
      return InvalidArgument(At(node["mode"], where + ".mode") + ": dry-run or enforce");
    }
    p->enforce = mode == "enforce";
  }
  if (node["description"]) {
    TALLY_ASSIGN_OR_RETURN(p->description, TextAt(node["description"], where + ".description"));
  }
  if (const YAML::Node filters = node["filters"]) {
    if (!filters.IsSequence()) return InvalidArgument(At(filters, where + ".filters") + ": a list");
    for (size_t i = 0; i < filters.size(); ++i) {
      PolicyFilter f;
      TALLY_RETURN_IF_ERROR(
          ParseFilter(filters[i], where + ".filters[" + std::to_string(i) + "]", &f));
      p->filters.push_back(std::move(f));
    }
  }
  const YAML::Node actions = node["actions"];
  if (!actions || !actions.IsSequence() || actions.size() == 0) {
    return InvalidArgument(At(node, where) + ": actions: a list of at least one action");
  }
  for (size_t i = 0; i < actions.size(); ++i) {
    PolicyAction a;
    TALLY_RETURN_IF_ERROR(
        ParseAction(actions[i], where + ".actions[" + std::to_string(i) + "]", *info, &a));
    p->actions.push_back(std::move(a));
  }
  if (node["max-resources"]) {
    TALLY_ASSIGN_OR_RETURN(p->max_resources,
                           WholeAt(node["max-resources"], where + ".max-resources", 0));
  }
  if (node["max-resources-percent"]) {
    TALLY_ASSIGN_OR_RETURN(
        Decimal pct, DecimalAt(node["max-resources-percent"], where + ".max-resources-percent"));
    if (Decimal::FromUnits(100) < pct) {
      return InvalidArgument(At(node["max-resources-percent"], where + ".max-resources-percent") +
                             ": a percent from 0 to 100");
    }
    p->max_resources_percent = std::stod(pct.ToString());
  }
  if (node["grace"]) {
    TALLY_ASSIGN_OR_RETURN(std::string text, TextAt(node["grace"], where + ".grace"));
    auto seconds = ParseDuration(text);
    if (!seconds.ok() || *seconds < 3600) {
      return InvalidArgument(At(node["grace"], where + ".grace") +
                             ": a duration of at least 1h (48h, 7d)");
    }
    p->grace_hours = static_cast<int64_t>(*seconds / 3600);
  }
  if (node["approval"]) {
    TALLY_ASSIGN_OR_RETURN(std::string approval, TextAt(node["approval"], where + ".approval"));
    if (approval != "required" && approval != "none") {
      return InvalidArgument(At(node["approval"], where + ".approval") + ": required or none");
    }
    p->approval = approval == "required";
  }
  if (const YAML::Node exclude = node["exclude"]) {
    TALLY_RETURN_IF_ERROR(CheckKeys(exclude, where + ".exclude", {"owners", "namespaces"}));
    for (const auto& [key, list] : {std::pair{"owners", &p->exclude_owners},
                                    std::pair{"namespaces", &p->exclude_namespaces}}) {
      const YAML::Node items = exclude[key];
      if (!items) continue;
      if (!items.IsSequence()) {
        return InvalidArgument(At(items, where + ".exclude." + key) + ": a list");
      }
      for (size_t i = 0; i < items.size(); ++i) {
        TALLY_ASSIGN_OR_RETURN(std::string item, TextAt(items[i], where + ".exclude." + key));
        list->push_back(std::move(item));
      }
    }
  }
  return Status::Ok();
}

Status UrlList(const YAML::Node& node, const std::string& key, std::vector<std::string>* out) {
  if (!node) return Status::Ok();
  if (!node.IsSequence()) return InvalidArgument(At(node, key) + ": a list of URLs");
  for (size_t i = 0; i < node.size(); ++i) {
    TALLY_ASSIGN_OR_RETURN(std::string url, TextAt(node[i], key));
    out->push_back(std::move(url));
  }
  return Status::Ok();
}

Status ParseActuators(const YAML::Node& node, ActuatorConfig* out) {
  TALLY_RETURN_IF_ERROR(CheckKeys(node, "actuators", {"kubernetes", "slurm", "notify"}));
  if (const YAML::Node k = node["kubernetes"]) {
    TALLY_RETURN_IF_ERROR(CheckKeys(k, "actuators.kubernetes", {"url", "token_file", "ca_file"}));
    if (!k["url"]) return InvalidArgument(At(k, "actuators.kubernetes") + ": missing url");
    TALLY_ASSIGN_OR_RETURN(out->kubernetes_url, TextAt(k["url"], "actuators.kubernetes.url"));
    if (k["token_file"]) {
      TALLY_ASSIGN_OR_RETURN(out->kubernetes_token_file,
                             TextAt(k["token_file"], "actuators.kubernetes.token_file"));
    }
    if (k["ca_file"]) {
      TALLY_ASSIGN_OR_RETURN(out->kubernetes_ca_file,
                             TextAt(k["ca_file"], "actuators.kubernetes.ca_file"));
    }
  }
  if (const YAML::Node s = node["slurm"]) {
    TALLY_RETURN_IF_ERROR(CheckKeys(s, "actuators.slurm", {"slurm_conf"}));
    if (s["slurm_conf"]) {
      TALLY_ASSIGN_OR_RETURN(out->slurm_conf,
                             TextAt(s["slurm_conf"], "actuators.slurm.slurm_conf"));
    }
  }
  if (const YAML::Node n = node["notify"]) {
    TALLY_RETURN_IF_ERROR(
        CheckKeys(n, "actuators.notify", {"alertmanager", "webhooks", "owners"}));
    if (n["alertmanager"]) {
      TALLY_ASSIGN_OR_RETURN(out->alertmanager,
                             TextAt(n["alertmanager"], "actuators.notify.alertmanager"));
    }
    TALLY_RETURN_IF_ERROR(UrlList(n["webhooks"], "actuators.notify.webhooks", &out->webhooks));
    if (const YAML::Node owners = n["owners"]) {
      if (!owners.IsMap()) {
        return InvalidArgument(At(owners, "actuators.notify.owners") +
                               ": a map of owner paths to lists of webhook URLs");
      }
      for (const auto& entry : owners) {
        TALLY_ASSIGN_OR_RETURN(std::string owner,
                               TextAt(entry.first, "actuators.notify.owners"));
        TALLY_RETURN_IF_ERROR(UrlList(entry.second, "actuators.notify.owners." + owner,
                                      &out->owner_webhooks[owner]));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view PolicyResourceName(PolicyResource r) {
  for (const ResourceInfo& info : Resources()) {
    if (info.resource == r) return info.name;
  }
  return "workload";
}

std::optional<PolicyResource> ParsePolicyResource(std::string_view name) {
  for (const ResourceInfo& info : Resources()) {
    if (name == info.name) return info.resource;
  }
  return std::nullopt;
}

const std::vector<std::string>& PolicyActionTypes() {
  static const std::vector<std::string> kTypes = {"notify", "label",   "annotate", "set-requests",
                                                  "scale",  "suspend", "throttle", "reclaim"};
  return kTypes;
}

Status ParsePolicyText(std::string_view text, const std::string& file, bool whole_config,
                       PolicySet* out) {
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return Status::Ok();
    if (!root.IsMap()) return InvalidArgument(file + ": expected a mapping with policies:");
    if (!whole_config) {
      TALLY_RETURN_IF_ERROR(
          CheckKeys(root, "the file", {"policies", "actuators"}).WithContext(file));
    }
    if (const YAML::Node actuators = root["actuators"]) {
      TALLY_RETURN_IF_ERROR(ParseActuators(actuators, &out->actuators).WithContext(file));
    }
    const YAML::Node policies = root["policies"];
    if (!policies) return Status::Ok();
    if (!policies.IsSequence()) {
      return InvalidArgument(file + ": " + At(policies, "policies") + ": a list of policies");
    }
    for (size_t i = 0; i < policies.size(); ++i) {
      Policy p;
      TALLY_RETURN_IF_ERROR(
          ParsePolicy(policies[i], "policies[" + std::to_string(i) + "]", file, &p)
              .WithContext(file));
      out->policies.push_back(std::move(p));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file + ": " + e.what());
  }
  return Status::Ok();
}

Result<PolicySet> LoadPolicies(const std::string& config_path, const std::string& dir) {
  PolicySet set;
  std::error_code ec;
  if (!config_path.empty() && std::filesystem::exists(config_path, ec)) {
    TALLY_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(config_path));
    TALLY_RETURN_IF_ERROR(ParsePolicyText(text, config_path, true, &set));
  }
  if (!dir.empty() && std::filesystem::is_directory(dir, ec)) {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
        files.push_back(entry.path().string());
      }
    }
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      TALLY_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(f));
      TALLY_RETURN_IF_ERROR(ParsePolicyText(text, f, false, &set));
    }
  }
  std::set<std::string> names;
  for (const Policy& p : set.policies) {
    if (!names.insert(p.name).second) {
      return InvalidArgument(p.file + ": line " + std::to_string(p.line) + ": policy \"" + p.name +
                             "\" is defined twice");
    }
  }
  return set;
}

}  // namespace tally
