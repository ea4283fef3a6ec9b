// Policies without a cluster: parsing and validation, filters, exemptions and caps, and the
// executor's state machine (grace periods, objections, approvals, no second action) against a
// recording fake actuator, a real SQLite policy state and audit log, and a fixed clock.
#include <gtest/gtest.h>

#include "access/access_control.h"
#include "access/audit_log.h"
#include "policy/candidates.h"
#include "policy/executor.h"
#include "policy/planner.h"
#include "testing/test_util.h"

namespace tally {
namespace {

const Timestamp kT0 = Timestamp::FromUnixSeconds(1'800'000'000);

// Records each action it is handed; fails those whose target is named in `failing`.
class RecordingActuator final : public Actuator {
 public:
  Result<ActionOutcome> Apply(const PlannedAction& a) override {
    applied.push_back(a.action.type + " " + a.target->id);
    if (a.target->id == failing) return Unavailable("refused");
    return ActionOutcome{"{\"replicas\":3}", "{\"replicas\":0}"};
  }
  std::vector<std::string> applied;
  std::string failing;
};

PolicySet Parse(const std::string& yaml) {
  PolicySet set;
  Status s = ParsePolicyText(yaml, "p.yaml", false, &set);
  EXPECT_TRUE(s.ok()) << s.message();
  return set;
}

PolicyCandidate Workload(std::string name, std::string owner, double savings,
                         std::vector<std::string> kinds = {"abandoned"}) {
  PolicyCandidate c;
  c.resource = PolicyResource::kWorkload;
  c.name = name;
  c.namespace_name = owner;
  c.id = owner + "/Deployment/" + name;
  c.workload_kind = "Deployment";
  c.owner = owner;
  c.kinds = std::move(kinds);
  c.savings = *Decimal::Parse(std::to_string(static_cast<int64_t>(savings)));
  return c;
}

TEST(PolicyParseTest, ErrorsNameTheFileLineAndKey) {
  struct Case {
    const char* yaml;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {"policies:\n  - name: a\n    resource: pods\n    actions: [notify]\n",
            "p.yaml: line 3: policies[0].resource: \"pods\" is not workload"},
           {"policies:\n  - name: a\n    resource: volume\n    actions: [scale]\n",
            "volume resources take notify, label, annotate, reclaim, not \"scale\""},
           {"policies:\n  - name: a\n    resource: workload\n    mode: yes-please\n    actions: "
            "[notify]\n",
            "line 4: policies[0].mode: dry-run or enforce"},
           {"policies:\n  - name: a\n    resource: workload\n    filters: [{key: savings, op: "
            "about, value: 1}]\n    actions: [notify]\n",
            "\"about\" is not one of"},
           {"policies:\n  - name: a\n    resource: workload\n    grace: 10m\n    actions: "
            "[notify]\n",
            "at least 1h"},
           {"policies:\n  - name: a\n    resource: workload\n    actions: []\n",
            "actions: a list of at least one action"},
           {"policies:\n  - name: a\n    resource: workload\n    actions: [notify]\n    colour: "
            "red\n",
            "colour"},
           {"sources: []\n", "the file"},
       }) {
    PolicySet set;
    Status s = ParsePolicyText(c.yaml, "p.yaml", false, &set);
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_NE(s.message().find(c.error), std::string::npos) << s.message();
  }
}

TEST(PolicyPlanTest, FiltersExemptionsAndCaps) {
  std::vector<PolicyCandidate> candidates = {Workload("a", "ads", 100), Workload("b", "ml", 40),
                                             Workload("c", "ml/training", 300),
                                             Workload("d", "search", 500, {"rightsizing"})};
  candidates[0].labels["tally.io/do-not-disrupt"] = "true";
  const PolicySet set = Parse(R"(policies:
  - name: big-abandoned
    resource: workload
    filters:
      - kind: abandoned
      - {or: [{key: savings, op: gte, value: 100}, {owner: ml}]}
      - {not: {key: owner, op: within, value: ml/training}}
    actions: [{type: scale, replicas: 0}]
  - name: capped
    resource: workload
    max-resources-percent: 50
    actions: [notify]
  - name: one
    resource: workload
    max-resources: 4
    exclude: {namespaces: [search]}
    actions: [notify, reclaim]
)");
  const std::vector<PolicyPlan> plans = PlanPolicies(set.policies, candidates);
  ASSERT_EQ(plans.size(), 3u);
  // a: exempt by its label; b: under 100 but ml's; c: within ml/training; d: not abandoned.
  ASSERT_EQ(plans[0].matched.size(), 1u);
  EXPECT_EQ(plans[0].matched[0]->name, "b");
  ASSERT_EQ(plans[0].exempt.size(), 1u);
  EXPECT_EQ(plans[0].exempt[0].first->name, "a");
  EXPECT_EQ(plans[0].savings, Decimal::FromUnits(40));
  // 3 of 4 candidates (a is exempt) is 75%: over 50%, so nothing is planned.
  EXPECT_NE(plans[1].aborted.find("75.0% of the 4 candidates"), std::string::npos)
      << plans[1].aborted;
  EXPECT_TRUE(plans[1].actions.empty());
  // Two actions per target, savings counted once, on reclaim.
  EXPECT_TRUE(plans[2].aborted.empty());
  EXPECT_EQ(plans[2].actions.size(), 4u);  // b and c (a exempt, d excluded)
  EXPECT_EQ(plans[2].savings, Decimal::FromUnits(340));
  EXPECT_EQ(plans[2].actions[0].savings, Decimal());
  EXPECT_EQ(plans[2].actions[1].savings, Decimal::FromUnits(40));
  EXPECT_EQ(plans[2].actions[0].target_id, plans[2].actions[1].target_id);
  EXPECT_NE(plans[2].actions[0].id, plans[2].actions[1].id);
}

TEST(PolicyCandidatesTest, ReplicasAreOneWorkloadWithTheLowestConfidence) {
  RecommendationReport report;
  for (const auto& [pod, confidence, savings] :
       {std::tuple{"svc-3-0", 0.5, "20"}, std::tuple{"svc-3-1", 1.0, "10"}}) {  // lowest first
    Recommendation r;
    r.kind = "rightsizing";
    r.consumer = std::string("ads/") + pod + "/main";
    r.owner = "ads";
    r.confidence = confidence;
    r.monthly_savings = *Decimal::Parse(savings);
    r.evidence = {{"cpu", {{"target", confidence == 1.0 ? "0.5" : "0.75"}}},
                  {"memory", {{"target", "1.25"}}}};
    report.rows.push_back(r);
  }
  std::vector<Consumer> consumers(2);
  consumers[0].name = "ads/svc-3-0/main";
  consumers[1].name = "ads/svc-3-1/main";
  for (Consumer& c : consumers) c.namespace_name = "ads";
  const std::vector<PolicyCandidate> all = PolicyCandidates(report, consumers, {});
  const PolicyCandidate* w = nullptr;
  for (const PolicyCandidate& c : all) {
    if (c.resource == PolicyResource::kWorkload) w = &c;
  }
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->id, "ads/Deployment/svc-3");
  EXPECT_EQ(w->confidence, 0.5);
  EXPECT_EQ(w->findings, 2);
  EXPECT_EQ(w->savings, Decimal::FromUnits(30));
  EXPECT_EQ(w->requests.at("main"), (std::pair<std::string, std::string>{"0.75", "1.25"}));
}

TEST(PolicyCandidatesTest, EveryWorkloadWithCostIsACandidateFindingsOrNot) {
  RecommendationReport report;
  Recommendation r;
  r.kind = "rightsizing";
  r.consumer = "ads/api-0/main";
  r.owner = "ads";
  r.monthly_savings = Decimal::FromUnits(7);
  r.monthly_cost = Decimal::FromUnits(99);  // a workload's cost is its replicas', not this
  report.rows.push_back(r);
  report.consumer_monthly = {{"ads/api-0/main", Decimal::FromUnits(20)},
                             {"ads/api-1/main", Decimal::FromUnits(30)},
                             {"search/web-0/main", Decimal::FromUnits(5)},
                             {"slurm/c1/42", Decimal::FromUnits(3)}};
  report.consumer_owner = {{"ads/api-0/main", "ads"},
                           {"ads/api-1/main", "ads"},
                           {"search/web-0/main", "search"},
                           {"slurm/c1/42", "hpc"}};
  std::vector<Consumer> consumers(4);
  consumers[0].name = "ads/api-0/main";
  consumers[1].name = "ads/api-1/main";
  consumers[2].name = "search/web-0/main";
  consumers[3].name = "slurm/c1/42";  // no namespace: not a Kubernetes workload
  consumers[0].namespace_name = consumers[1].namespace_name = "ads";
  consumers[2].namespace_name = "search";
  consumers[2].labels = {{"tier", "web"}};
  std::map<std::string, const PolicyCandidate*> workloads, owners;
  const std::vector<PolicyCandidate> all = PolicyCandidates(report, consumers, {});
  for (const PolicyCandidate& c : all) {
    if (c.resource == PolicyResource::kWorkload) workloads[c.id] = &c;
    if (c.resource == PolicyResource::kOwner) owners[c.id] = &c;
  }
  ASSERT_EQ(workloads.size(), 2u);
  const PolicyCandidate& api = *workloads.at("ads/Deployment/api");
  EXPECT_EQ(api.cost, Decimal::FromUnits(50));
  EXPECT_EQ(api.savings, Decimal::FromUnits(7));
  EXPECT_EQ(api.recommendations, std::vector<std::string>{"rightsizing:ads/api-0/main"});
  const PolicyCandidate& web = *workloads.at("search/Deployment/web");
  EXPECT_EQ(web.owner, "search");
  EXPECT_EQ(web.cost, Decimal::FromUnits(5));
  EXPECT_TRUE(web.kinds.empty());
  PolicyFilter tier;
  tier.key = "label.tier";
  tier.op = "eq";
  tier.values = {"web"};
  EXPECT_TRUE(FilterMatches(tier, web));
  EXPECT_EQ(owners.at("ads")->cost, Decimal::FromUnits(50));
  EXPECT_EQ(owners.at("hpc")->cost, Decimal::FromUnits(3));
}

class PolicyExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = OpenPolicyStateStore("sqlite:" + dir_.File("t.db"));
    auto access = OpenAccessStore("sqlite:" + dir_.File("t.db"));
    ASSERT_TRUE(state.ok() && access.ok());
    state_ = std::move(*state);
    audit_ = std::make_unique<AccessControl>(std::move(*access), clock_);
  }
  std::vector<ApplyStep> Apply(const PolicySet& set) {
    plans_ = PlanPolicies(set.policies, candidates_);
    PolicyExecutor executor(*state_, audit_.get(), fake_, clock_, "ops-bot");
    auto steps = executor.Apply(plans_);
    EXPECT_TRUE(steps.ok()) << steps.status().message();
    return steps.ok() ? *steps : std::vector<ApplyStep>{};
  }
  void At(int64_t hours) {
    clock_.Set(Timestamp::FromUnixSeconds(kT0.unix_seconds() + hours * 3600));
  }

  testing::TempDir dir_;
  FixedClock clock_{kT0};
  std::unique_ptr<PolicyStateStore> state_;
  std::unique_ptr<AccessControl> audit_;
  RecordingActuator fake_;
  std::vector<PolicyCandidate> candidates_ = {Workload("a", "ads", 100), Workload("b", "ml", 200)};
  std::vector<PolicyPlan> plans_;
};

TEST_F(PolicyExecutorTest, AGracePeriodMarksFirstAndActsOnlyAfterItExpires) {
  const PolicySet set = Parse(R"(policies:
  - name: stop
    resource: workload
    mode: enforce
    grace: 48h
    actions: [notify, {type: scale, replicas: 0}]
)");
  std::vector<ApplyStep> steps = Apply(set);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].state, "marked");
  EXPECT_EQ(fake_.applied,
            (std::vector<std::string>{"notify ads/Deployment/a", "notify ml/Deployment/b"}));
  // The owner of b objects.
  {
    PolicyExecutor owner(*state_, audit_.get(), fake_, clock_, "ml-lead");
    ASSERT_TRUE(owner.Object(steps[1].target_id).ok());
    EXPECT_EQ(owner.Object(steps[1].target_id).code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(owner.Object("nope").code(), StatusCode::kNotFound);
  }
  At(47);
  steps = Apply(set);
  EXPECT_EQ(steps[0].state, "waiting");
  EXPECT_EQ(fake_.applied.size(), 2u);  // nothing new before the grace period ends
  At(48);
  steps = Apply(set);
  EXPECT_EQ(steps[0].state, "applied");
  EXPECT_EQ(steps[1].state, "done");  // objected: never acted on
  EXPECT_EQ(fake_.applied.back(), "scale ads/Deployment/a");
  EXPECT_EQ(fake_.applied.size(), 3u);  // notify is not sent twice
  At(100);
  Apply(set);
  EXPECT_EQ(fake_.applied.size(), 3u);  // applied once
}

TEST_F(PolicyExecutorTest, DryRunPoliciesNeverActAndFailuresAreRecorded) {
  Apply(Parse("policies:\n  - name: look\n    resource: workload\n    actions: [reclaim]\n"));
  EXPECT_TRUE(fake_.applied.empty());
  fake_.failing = "ml/Deployment/b";
  const std::vector<ApplyStep> steps =
      Apply(Parse("policies:\n  - name: act\n    resource: workload\n    mode: enforce\n"
                  "    actions: [reclaim]\n"));
  EXPECT_EQ(steps[0].state, "applied");
  EXPECT_EQ(steps[1].state, "failed");
  EXPECT_EQ(steps[1].note, "refused");
  auto failed = state_->ListPolicyTargets("failed");
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_NE((*failed)[0].detail.find("refused"), std::string::npos);
}

TEST_F(PolicyExecutorTest, ApprovalsAndTheAuditChain) {
  const PolicySet set = Parse(R"(policies:
  - name: careful
    resource: workload
    mode: enforce
    approval: required
    actions: [reclaim]
)");
  std::vector<ApplyStep> steps = Apply(set);
  EXPECT_EQ(steps[0].state, "pending");
  EXPECT_TRUE(fake_.applied.empty());
  Apply(set);  // still pending: recorded once
  PolicyExecutor approver(*state_, audit_.get(), fake_, clock_, "alice");
  ASSERT_TRUE(approver.Approve(steps[0].target_id).ok());
  steps = Apply(set);
  EXPECT_EQ(steps[0].state, "applied");
  EXPECT_EQ(steps[1].state, "pending");
  EXPECT_EQ(fake_.applied, std::vector<std::string>{"reclaim ads/Deployment/a"});
  std::vector<std::string> log;
  AuditChainCheck check;
  ASSERT_TRUE(audit_
                  ->ForEachAudit([&](const AuditEntry& e) {
                    EXPECT_FALSE(check.Next(e));
                    if (e.target == steps[0].target_id) log.push_back(e.actor + " " + e.action);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(log, (std::vector<std::string>{"ops-bot policy.pending", "alice policy.approve",
                                           "ops-bot policy.action"}));
}

}  // namespace
}  // namespace tally
