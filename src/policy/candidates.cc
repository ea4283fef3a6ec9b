#include "policy/candidates.h"

#include <algorithm>
#include <cctype>

#include "insight/recommendation_lifecycle.h"

namespace tally {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); });
}

// The workload a consumer belongs to: (kind, name).
std::pair<std::string, std::string> WorkloadOf(const Consumer& c) {
  const size_t slash = c.controller.find('/');
  if (slash != std::string::npos) {
    const std::string kind = c.controller.substr(0, slash);
    std::string name = c.controller.substr(slash + 1);
    const size_t dash = name.rfind('-');
    if (kind == "ReplicaSet" && dash != std::string::npos)
      return {"Deployment", name.substr(0, dash)};
    if (kind == "Job" && dash != std::string::npos && AllDigits(name.substr(dash + 1))) {
      return {"CronJob", name.substr(0, dash)};  // a CronJob's Jobs carry its schedule time
    }
    return {kind, name};
  }
  // No controller: a pod named like a replica ("svc-3-1") belongs to "svc-3".
  std::string pod = c.pod;
  if (pod.empty()) {  // "namespace/pod/container"
    const size_t first = c.name.find('/'), second = c.name.find('/', first + 1);
    pod = first == std::string::npos ? c.name : c.name.substr(first + 1, second - first - 1);
  }
  const size_t dash = pod.rfind('-');
  if (dash != std::string::npos && AllDigits(pod.substr(dash + 1))) pod = pod.substr(0, dash);
  return {"Deployment", pod};
}

// "0.866" cores and "2.365" GiB from a rightsizing's evidence.
std::string Target(const nlohmann::ordered_json& evidence, const char* resource) {
  if (!evidence.contains(resource) || !evidence[resource].contains("target")) return "";
  const auto& t = evidence[resource]["target"];
  return t.is_string() ? t.get<std::string>() : "";
}

// A finding of `c`. Workloads and owners have their cost from the whole inventory instead.
void Merge(PolicyCandidate& c, const Recommendation& r) {
  if (std::find(c.kinds.begin(), c.kinds.end(), r.kind) == c.kinds.end()) c.kinds.push_back(r.kind);
  c.confidence = c.findings == 0 ? r.confidence : std::min(c.confidence, r.confidence);
  ++c.findings;
  c.savings += r.monthly_savings;
  if (c.resource != PolicyResource::kWorkload && c.resource != PolicyResource::kOwner) {
    c.cost += r.monthly_cost;
  }
  c.recommendations.push_back(RecommendationId(r));
}

}  // namespace

std::vector<PolicyCandidate> PolicyCandidates(const RecommendationReport& report,
                                              const std::vector<Consumer>& consumers,
                                              const OwnerFacts& owners) {
  std::map<std::string, const Consumer*> by_name;
  for (const Consumer& c : consumers) by_name[c.name] = &c;
  std::map<std::pair<PolicyResource, std::string>, PolicyCandidate> out;
  auto add = [&](PolicyResource resource, const std::string& id) -> PolicyCandidate& {
    PolicyCandidate& c = out[{resource, id}];
    c.resource = resource;
    c.id = id;
    return c;
  };
  // Every Kubernetes workload and every owner with cost in the window, findings or not (a
  // label policy reaches them all), with its monthly cost.
  auto workload = [&](const Consumer& con, const std::string& owner) -> PolicyCandidate& {
    const auto [kind, name] = WorkloadOf(con);
    PolicyCandidate& c =
        add(PolicyResource::kWorkload, con.namespace_name + "/" + kind + "/" + name);
    c.name = name;
    c.workload_kind = kind;
    c.namespace_name = con.namespace_name;
    if (c.owner.empty()) c.owner = owner;
    for (const auto& [k, v] : con.labels) c.labels[k] = v;
    return c;
  };
  for (const auto& [name, monthly] : report.consumer_monthly) {
    auto owner = report.consumer_owner.find(name);
    const std::string owner_name = owner == report.consumer_owner.end() ? "" : owner->second;
    if (!owner_name.empty()) {
      PolicyCandidate& o = add(PolicyResource::kOwner, owner_name);
      o.name = o.owner = owner_name;
      o.cost += monthly;
    }
    auto consumer = by_name.find(name);
    if (consumer == by_name.end() || consumer->second->namespace_name.empty()) continue;
    workload(*consumer->second, owner_name).cost += monthly;
  }
  for (const Recommendation& r : report.rows) {
    auto consumer = by_name.find(r.consumer);
    const Consumer* con = consumer == by_name.end() ? nullptr : consumer->second;
    if (r.kind == "rightsizing" || r.kind == "abandoned" || r.kind == "idle_gpu") {
      if (con == nullptr) continue;
      PolicyCandidate& c = workload(*con, r.owner);
      Merge(c, r);
      if (r.kind == "rightsizing") {
        // Replicas of one workload share a spec: the largest target fits them all.
        std::string container = con->container;
        if (container.empty()) container = con->name.substr(con->name.rfind('/') + 1);
        auto& [cpu, memory] = c.requests[container];
        auto larger = [](std::string& into, const std::string& v) {
          auto a = Decimal::Parse(into), b = Decimal::Parse(v);
          if (!b.ok()) return;
          if (!a.ok() || *a < *b) into = v;
        };
        larger(cpu, Target(r.evidence, "cpu"));
        larger(memory, Target(r.evidence, "memory"));
      }
    } else if (r.kind == "orphaned_volume" || r.kind == "cold_storage") {
      PolicyCandidate& c = add(PolicyResource::kVolume, r.asset);
      c.name = r.asset;
      c.owner = r.owner;
      Merge(c, r);
    } else if (r.kind == "node_consolidation") {
      PolicyCandidate& c = add(PolicyResource::kNode, r.asset);
      c.name = r.asset;
      c.owner = r.owner;
      Merge(c, r);
    } else if (r.kind == "slurm_job") {
      const std::string job = r.consumer.substr(r.consumer.rfind('/') + 1);
      PolicyCandidate& c = add(PolicyResource::kSlurmJob, r.consumer);
      c.name = job;
      c.owner = r.owner;
      if (con != nullptr) c.labels = con->labels;
      Merge(c, r);
      if (auto account = c.labels.find("account"); account != c.labels.end()) {
        PolicyCandidate& a = add(PolicyResource::kSlurmAccount, account->second);
        a.name = account->second;
        a.owner = r.owner;
        Merge(a, r);
      }
    }
    if (!r.owner.empty()) {
      PolicyCandidate& o = add(PolicyResource::kOwner, r.owner);
      o.name = r.owner;
      o.owner = r.owner;
      Merge(o, r);
    }
  }
  // Owners with anomalies or budgets but no waste are candidates too (a notify policy).
  for (const auto& [owner, count] : owners.open_anomalies) {
    PolicyCandidate& o = add(PolicyResource::kOwner, owner);
    o.name = o.owner = owner;
  }
  for (const auto& [owner, pct] : owners.budget_percent) {
    PolicyCandidate& o = add(PolicyResource::kOwner, owner);
    o.name = o.owner = owner;
  }
  std::vector<PolicyCandidate> result;
  for (auto& [key, c] : out) {
    // Every candidate carries its owner's anomalies and budget use.
    if (auto a = owners.open_anomalies.find(c.owner); a != owners.open_anomalies.end()) {
      c.anomalies = a->second;
    }
    if (auto b = owners.budget_percent.find(c.owner); b != owners.budget_percent.end()) {
      c.budget_percent = b->second;
    }
    result.push_back(std::move(c));
  }
  return result;
}

std::vector<std::string> CandidateValues(const PolicyCandidate& c, const std::string& key) {
  if (key == "kind") return c.kinds;
  if (key == "savings") return {c.savings.ToString()};
  if (key == "cost") return {c.cost.ToString()};
  if (key == "confidence") return {std::to_string(c.confidence)};
  if (key == "owner") return c.owner.empty() ? std::vector<std::string>{} : std::vector{c.owner};
  if (key == "namespace") {
    return c.namespace_name.empty() ? std::vector<std::string>{} : std::vector{c.namespace_name};
  }
  if (key == "name") return {c.name};
  if (key == "workload_kind") return {c.workload_kind};
  if (key == "anomalies") return {std::to_string(c.anomalies)};
  if (key == "budget_percent") {
    return c.budget_percent ? std::vector{std::to_string(*c.budget_percent)}
                            : std::vector<std::string>{};
  }
  if (key.starts_with("label.")) {
    auto it = c.labels.find(key.substr(6));
    return it == c.labels.end() ? std::vector<std::string>{} : std::vector{it->second};
  }
  return {};
}

}  // namespace tally
