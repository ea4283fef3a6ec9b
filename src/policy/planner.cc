#include "policy/planner.h"

#include <algorithm>
#include <cmath>

#include "common/owner_path.h"

namespace tally {
namespace {

// Labels that exempt a target, as Kubernetes writes them and as Prometheus's label_ names do.
constexpr const char* kDoNotDisrupt[] = {"tally.io/do-not-disrupt", "tally_io_do_not_disrupt"};

bool Compare(const std::string& op, const std::string& got, const std::string& want) {
  if (op == "eq" || op == "in") return got == want;
  if (op == "ne") return got != want;
  if (op == "within") return IsOwnerWithin(got, want);
  auto a = Decimal::Parse(got), b = Decimal::Parse(want);
  if (!a.ok() || !b.ok()) return false;
  if (op == "gt") return *b < *a;
  if (op == "gte") return !(*a < *b);
  if (op == "lt") return *a < *b;
  if (op == "lte") return !(*b < *a);
  return false;
}

}  // namespace

std::string ShortId(std::string_view text) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

bool FilterMatches(const PolicyFilter& f, const PolicyCandidate& c) {
  switch (f.kind) {
    case PolicyFilter::Kind::kAnd:
      return std::all_of(f.children.begin(), f.children.end(),
                         [&](const PolicyFilter& child) { return FilterMatches(child, c); });
    case PolicyFilter::Kind::kOr:
      return std::any_of(f.children.begin(), f.children.end(),
                         [&](const PolicyFilter& child) { return FilterMatches(child, c); });
    case PolicyFilter::Kind::kNot:
      return !FilterMatches(f.children.front(), c);
    case PolicyFilter::Kind::kLeaf:
      break;
  }
  const std::vector<std::string> got = CandidateValues(c, f.key);
  if (f.op == "present") return !got.empty();
  if (f.op == "absent") return got.empty();
  if (f.op == "ne") {
    return std::none_of(got.begin(), got.end(), [&](const std::string& g) {
      return std::find(f.values.begin(), f.values.end(), g) != f.values.end();
    });
  }
  // Any value of the candidate against any value of the filter.
  return std::any_of(got.begin(), got.end(), [&](const std::string& g) {
    return std::any_of(f.values.begin(), f.values.end(),
                       [&](const std::string& want) { return Compare(f.op, g, want); });
  });
}

std::string Exemption(const Policy& policy, const PolicyCandidate& c) {
  for (const char* label : kDoNotDisrupt) {
    auto it = c.labels.find(label);
    if (it != c.labels.end() && it->second != "false") return std::string(label) + " is set";
  }
  for (const std::string& owner : policy.exclude_owners) {
    if (IsOwnerWithin(c.owner, owner)) return "owner " + c.owner + " is excluded";
  }
  for (const std::string& ns : policy.exclude_namespaces) {
    if (c.namespace_name == ns) return "namespace " + ns + " is excluded";
  }
  return "";
}

std::string DescribeAction(const PolicyAction& a, const PolicyCandidate& t) {
  const std::string what = std::string(PolicyResourceName(t.resource)) + " " + t.id;
  if (a.type == "set-requests") {
    std::string text = "set the requests of " + what + ":";
    if (t.requests.empty()) {
      text += " cpu " + (a.params.contains("cpu") ? a.params.at("cpu") : std::string("-")) +
              ", memory " +
              (a.params.contains("memory") ? a.params.at("memory") : std::string("-"));
    }
    for (const auto& [container, req] : t.requests) {
      text += " " + container + " cpu " +
              (a.params.contains("cpu") ? a.params.at("cpu") : req.first) + ", memory " +
              (a.params.contains("memory") ? a.params.at("memory") : req.second + " GiB");
    }
    return text;
  }
  if (a.type == "scale") return "scale " + what + " to " + a.params.at("replicas") + " replicas";
  if (a.type == "label" || a.type == "annotate") {
    return a.type + " " + what + " " + a.params.at("key") + "=" + a.params.at("value");
  }
  if (a.type == "suspend") return "suspend " + what;
  if (a.type == "reclaim") {
    return t.resource == PolicyResource::kWorkload ? "stop " + what + " (scale to zero)"
                                                   : "delete " + what;
  }
  if (a.type == "throttle") {
    std::string limits;
    for (const auto& [k, v] : a.params) limits += (limits.empty() ? "" : ", ") + k + " " + v;
    return "throttle " + what + " to " + limits;
  }
  return "notify " + (t.owner.empty() ? what : "the owner " + t.owner + " of " + what);
}

std::vector<PolicyPlan> PlanPolicies(const std::vector<Policy>& policies,
                                     const std::vector<PolicyCandidate>& candidates) {
  std::vector<PolicyPlan> plans;
  for (const Policy& policy : policies) {
    PolicyPlan plan;
    plan.policy = &policy;
    for (const PolicyCandidate& c : candidates) {
      if (c.resource != policy.resource) continue;
      ++plan.candidates;
      if (!std::all_of(policy.filters.begin(), policy.filters.end(),
                       [&](const PolicyFilter& f) { return FilterMatches(f, c); })) {
        continue;
      }
      if (std::string why = Exemption(policy, c); !why.empty()) {
        plan.exempt.emplace_back(&c, std::move(why));
        continue;
      }
      plan.matched.push_back(&c);
    }
    const size_t matched = plan.matched.size();
    if (policy.max_resources && static_cast<int64_t>(matched) > *policy.max_resources) {
      plan.aborted = std::to_string(matched) + " resources match, more than max-resources " +
                     std::to_string(*policy.max_resources);
    } else if (policy.max_resources_percent && plan.candidates > 0 &&
               100.0 * static_cast<double>(matched) / static_cast<double>(plan.candidates) >
                   *policy.max_resources_percent) {
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.1f%%",
                    100.0 * static_cast<double>(matched) / static_cast<double>(plan.candidates));
      plan.aborted = std::string(pct) + " of the " + std::to_string(plan.candidates) +
                     " candidates match, more than max-resources-percent";
    }
    if (plan.aborted.empty()) {
      for (const PolicyCandidate* c : plan.matched) {
        bool counted = false;
        for (size_t i = 0; i < policy.actions.size(); ++i) {
          PlannedAction a;
          a.policy = &policy;
          a.target = c;
          a.index = i;
          a.action = policy.actions[i];
          a.target_id = ShortId(policy.name + "\n" + std::string(PolicyResourceName(c->resource)) +
                                "\n" + c->id);
          a.id = ShortId(a.target_id + "\n" + std::to_string(i));
          const bool changes =
              a.action.type != "notify" && a.action.type != "label" && a.action.type != "annotate";
          if (changes && !counted) {
            a.savings = c->savings;
            counted = true;
          }
          a.description = DescribeAction(a.action, *c);
          plan.savings += a.savings;
          plan.actions.push_back(std::move(a));
        }
      }
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace tally
