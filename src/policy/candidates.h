// What policies can act on, as seen from tally's data: every Kubernetes workload and every owner
// with cost in the window; the volumes, nodes, Slurm jobs and accounts that `tally recommend`
// finds waste in; owners with open anomalies or a budget. Each with the fields filters read
// (kinds of waste, monthly savings and cost, confidence, owner, namespace, labels, open
// anomalies, budget use) and the recommendations it gathers (their realized savings are the
// policy's, once applied: policy_report.h).
//
// Pure functions over a RecommendationReport and the stored consumers. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "insight/recommendations.h"
#include "policy/policy.h"
#include "tally/usage.h"

namespace tally {

struct PolicyCandidate {
  PolicyResource resource = PolicyResource::kWorkload;
  std::string id;             // unique within its resource kind: "ns/Deployment/api", a volume, ...
  std::string name;           // the object's name (workload, volume, node, job id, account, owner)
  std::string workload_kind;  // Deployment, StatefulSet, CronJob, Job (workloads)
  std::string namespace_name;
  std::string owner;
  Labels labels;
  std::vector<std::string> kinds;  // the kinds of waste found in it
  Decimal savings;                 // monthly, of its recommendations
  Decimal cost;                    // monthly: all of it (workloads, owners) or its findings'
  std::vector<std::string> recommendations;  // their ids (recommendation_lifecycle.h)
  double confidence = 0;           // the lowest of its recommendations'
  int64_t findings = 0;            // recommendations merged into it
  // Rightsizing targets per container: {cpu in cores, memory in GiB} as decimal text.
  std::map<std::string, std::pair<std::string, std::string>> requests;
  int64_t anomalies = 0;                 // open anomalies of its owner
  std::optional<double> budget_percent;  // the highest actual % of a budget on its owner
};

// Extra facts about owners for owner candidates and filters.
struct OwnerFacts {
  std::map<std::string, int64_t> open_anomalies;  // owner -> count
  std::map<std::string, double> budget_percent;   // owner -> highest actual %
};

// The candidates of every resource kind. Workloads are found through their consumers'
// controller ("ReplicaSet/api-7c9f" is the Deployment api), else their pod's name without
// its replica index; one workload gathers its replicas' cost and recommendations. A consumer
// is a Kubernetes workload's when it has a namespace.
std::vector<PolicyCandidate> PolicyCandidates(const RecommendationReport& report,
                                              const std::vector<Consumer>& consumers,
                                              const OwnerFacts& owners);

// A candidate's value of a filter key: "kind" may hold several (any matches). Empty when the
// candidate has no such field.
std::vector<std::string> CandidateValues(const PolicyCandidate& c, const std::string& key);

}  // namespace tally
