// tally policy on the demo platform (docs/policies.md): plan lists the planted waste's actions
// with their savings and changes nothing; apply acts on enforce policies only, against a FAKE
// Kubernetes API server (no API server can run here: this one records each request and answers
// as the API would), and the recorded requests are exactly the expected patches; a capped
// policy aborts before any request; approvals and the audit log (with --verify).
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tally/decimal.h"
#include "testing/process.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using Json = nlohmann::json;
using testing::RunTally;

// A fake Kubernetes API: every request recorded (method, path, content type, body); GET answers
// the object, PATCH and DELETE 200, POST 201.
class FakeKubernetesApi {
 public:
  struct Request {
    std::string method, path, content_type, body, authorization;
  };
  FakeKubernetesApi() {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        requests_.push_back({req.method, req.path, req.get_header_value("Content-Type"), req.body,
                             req.get_header_value("Authorization")});
      }
      res.status = req.method == "POST" ? 201 : 200;
      res.set_content(Json{{"fake", "kubernetes"}, {"path", req.path}}.dump(), "application/json");
    };
    server_.Get(".*", record);
    server_.Patch(".*", record);
    server_.Delete(".*", record);
    server_.Post(".*", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeKubernetesApi() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // The requests that change something (not the GETs of the state before).
  std::vector<Request> changes() {
    std::vector<Request> out;
    for (Request& r : requests()) {
      if (r.method != "GET") out.push_back(std::move(r));
    }
    return out;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Request> requests_;
};

class PolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto r = RunTally({"--store", Store(), "demo", "--out", dir_->File("demo"), "--start",
                       "2026-10-01", "--load"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string Store() { return "sqlite:" + dir_->File("t.db"); }
  testing::CommandResult Policy(std::vector<std::string> args, const std::string& folder,
                                const std::string& store = Store()) {
    args.insert(args.begin(), {"--store", store, "policy"});
    args.insert(args.end(), {"--config", dir_->File("demo/tally.yaml"), "--policies", folder});
    return RunTally(args);
  }
  // A policies folder with `text` as its one file, and the fake API as the Kubernetes actuator.
  std::string Folder(const std::string& name, const std::string& text) {
    const std::string folder = dir_->File(name);
    std::filesystem::create_directories(folder);
    testing::WriteFile(folder + "/token", "fake-token\n");
    testing::WriteFile(
        folder + "/p.yaml",
        "actuators:\n  kubernetes:\n    url: http://127.0.0.1:" + std::to_string(api_.port()) +
            "\n    token_file: " + folder + "/token\npolicies:\n" + text);
    return folder;
  }

  static testing::TempDir* dir_;
  FakeKubernetesApi api_;
};

testing::TempDir* PolicyTest::dir_ = nullptr;

const char* kWastePolicies = R"(  - name: rightsize
    resource: workload
    mode: enforce
    filters: [{kind: rightsizing}, {key: savings, op: gte, value: 50}]
    actions: [set-requests]
  - name: idle-gpus
    resource: workload
    filters: [{kind: idle_gpu}]
    actions: [{type: scale, replicas: 0}]
  - name: abandoned
    resource: workload
    filters: [{kind: abandoned}]
    actions: [reclaim]
  - name: orphaned-volumes
    resource: volume
    filters: [{kind: orphaned_volume}]
    actions: [reclaim]
  - name: left-over-nodes
    resource: node
    filters: [{kind: node_consolidation}]
    actions: [{type: label, key: tally.io/consolidate, value: "true"}]
)";

TEST_F(PolicyTest, PlanListsThePlantedWastesActionsAndChangesNothing) {
  const std::string folder = Folder("plan", kWastePolicies);
  const std::string before =
      RunTally({"--store", Store(), "report", "showback", "--format", "json"}).out;
  auto plan = Policy({"plan", "--format", "json"}, folder);
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const Json p = Json::parse(plan.out);
  std::map<std::string, Json> by_name;
  for (const Json& policy : p["policies"]) by_name[policy["name"]] = policy;
  // The planted waste (demo/truth.json), one action each.
  ASSERT_EQ(by_name.size(), 5u);
  EXPECT_EQ(by_name["rightsize"]["actions"].size(), 1u);  // three replicas, one Deployment
  EXPECT_EQ(by_name["rightsize"]["actions"][0]["target"], "identity/Deployment/svc-3");
  EXPECT_EQ(by_name["idle-gpus"]["actions"].size(), 1u);
  EXPECT_EQ(by_name["abandoned"]["actions"].size(), 1u);
  EXPECT_EQ(by_name["orphaned-volumes"]["actions"][0]["target"], "vol-orphan-0001");
  EXPECT_EQ(by_name["left-over-nodes"]["actions"].size(), 1u);
  // The plan's savings are the recommendations' (an independent sum of `tally recommend`).
  auto rec = RunTally({"--store", Store(), "recommend", "--no-save", "--format", "json"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  Decimal expected;
  const Json parsed1 = Json::parse(rec.out);
  for (const Json& r : parsed1["rows"]) {
    const std::string kind = r["kind"];
    if (kind == "rightsizing" || kind == "idle_gpu" || kind == "abandoned" ||
        kind == "orphaned_volume") {
      expected += *Decimal::Parse(r["monthly_savings"].get<std::string>());
    }
  }
  EXPECT_EQ(*Decimal::Parse(p["monthly_savings"].get<std::string>()), expected);
  EXPECT_GT(expected, Decimal::FromUnits(1000));
  // Nothing was changed: no request to Kubernetes, no state, the same showback.
  EXPECT_TRUE(api_.requests().empty());
  auto list = RunTally({"--store", Store(), "policy", "list", "--format", "json"});
  EXPECT_TRUE(Json::parse(list.out)["rows"].empty()) << list.out;
  EXPECT_EQ(RunTally({"--store", Store(), "report", "showback", "--format", "json"}).out, before);
}

TEST_F(PolicyTest, ApplyActsOnEnforcePoliciesWithExactlyTheExpectedPatches) {
  const std::string folder = Folder("apply", kWastePolicies);
  auto apply = Policy({"apply", "--format", "json"}, folder);
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  // Only `rightsize` is enforce: one GET of the Deployment, then one strategic merge patch.
  const auto requests = api_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/apis/apps/v1/namespaces/identity/deployments/svc-3");
  EXPECT_EQ(requests[0].authorization, "Bearer fake-token");
  const auto& patch = requests[1];
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(patch.path, "/apis/apps/v1/namespaces/identity/deployments/svc-3");
  EXPECT_EQ(patch.content_type, "application/strategic-merge-patch+json");
  // The largest replica's targets: cpu and memory rounded up to m and Mi, never below them.
  auto rec = RunTally(
      {"--store", Store(), "recommend", "--kind", "rightsizing", "--no-save", "--format", "json"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  Decimal cpu, memory;
  const Json parsed2 = Json::parse(rec.out);
  for (const Json& r : parsed2["rows"]) {
    cpu = std::max(cpu, *Decimal::Parse(r["evidence"]["cpu"]["target"].get<std::string>()));
    memory =
        std::max(memory, *Decimal::Parse(r["evidence"]["memory"]["target"].get<std::string>()));
  }
  const Json body = Json::parse(patch.body);
  const Json& requests_set =
      body["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"];
  EXPECT_EQ(body["spec"]["template"]["spec"]["containers"][0]["name"], "main");
  const std::string cpu_text = requests_set["cpu"], mem_text = requests_set["memory"];
  ASSERT_TRUE(cpu_text.ends_with("m") && mem_text.ends_with("Mi")) << patch.body;
  const Decimal cpu_m = *Decimal::Parse(cpu_text.substr(0, cpu_text.size() - 1));
  const Decimal mem_mi = *Decimal::Parse(mem_text.substr(0, mem_text.size() - 2));
  EXPECT_FALSE(cpu_m < *cpu.Multiply(Decimal::FromUnits(1000)));
  EXPECT_LT(cpu_m, *cpu.Multiply(Decimal::FromUnits(1000)) + Decimal::FromUnits(1));
  EXPECT_FALSE(mem_mi < *memory.Multiply(Decimal::FromUnits(1024)));
  EXPECT_LT(mem_mi, *memory.Multiply(Decimal::FromUnits(1024)) + Decimal::FromUnits(1));
  EXPECT_EQ(body.size(), 1u);  // nothing but the requests
  // A second apply does not act again.
  auto again = Policy({"apply", "--format", "json"}, folder);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(api_.requests().size(), 2u);
  EXPECT_EQ(Json::parse(again.out)["rows"][0]["state"], "done");
  // The audit log holds the plan and the action with the state before and after.
  auto audit = RunTally({"--store", Store(), "audit", "--format", "json"});
  bool acted = false;
  const Json parsed3 = Json::parse(audit.out);
  for (const Json& row : parsed3["rows"]) {
    if (row["action"] != "policy.action") continue;
    const Json detail = Json::parse(row["detail"].get<std::string>());
    acted =
        detail["step"]["before"]["fake"] == "kubernetes" &&
        detail["step"]["after"]["path"] == "/apis/apps/v1/namespaces/identity/deployments/svc-3";
  }
  EXPECT_TRUE(acted) << audit.out;
  EXPECT_EQ(RunTally({"--store", Store(), "audit", "--verify"}).exit_code, 0);
}

// Each svc-3 replica's container cost in showback over [from, to).
std::map<std::string, Decimal> Svc3Costs(const std::string& store, const std::string& from,
                                         const std::string& to) {
  auto r = RunTally({"--store", store, "report", "showback", "--by", "consumer", "--from", from,
                     "--to", to, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, Decimal> out;
  const Json rows = Json::parse(r.out)["rows"];
  for (const Json& row : rows) {
    const std::string consumer = row["consumer"];
    if (consumer.starts_with("identity/svc-3-") && consumer.ends_with("/main")) {
      out[consumer] += *Decimal::Parse(row["cost"].get<std::string>());
    }
  }
  return out;
}

TEST_F(PolicyTest, AnAppliedRightsizingRealizesItsSavingsAfterTheNextAllocation) {
  // A store of its own: this test changes the usage.
  const std::string store = "sqlite:" + dir_->File("realized.db");
  std::filesystem::copy_file(dir_->File("t.db"), dir_->File("realized.db"));
  const std::string folder = Folder("realized", R"(  - name: rightsize-and-measure
    resource: workload
    mode: enforce
    filters: [{kind: rightsizing}]
    actions: [set-requests]
)");
  auto before_rec = RunTally({"--store", store, "recommend", "--no-save", "--format", "json"});
  ASSERT_EQ(before_rec.exit_code, 0) << before_rec.err;
  const Json window = Json::parse(before_rec.out);
  const std::string from = window["from"], to = window["to"];
  const int64_t hours = window["hours"];
  const std::map<std::string, Decimal> before = Svc3Costs(store, from, to);
  ASSERT_EQ(before.size(), 3u);

  auto apply = Policy({"apply", "--format", "json"}, folder, store);
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  const auto changes = api_.changes();
  ASSERT_EQ(changes.size(), 1u);
  const Json patch = Json::parse(changes[0].body);
  const Json& set = patch["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"];
  const std::string cpu = set["cpu"], memory = set["memory"];
  // Applied, and measuring: the allocation has not seen the change yet.
  auto mine = [&](const testing::CommandResult& list) {
    const Json rows = Json::parse(list.out)["rows"];
    for (const Json& row : rows) {
      if (row["policy"] == "rightsize-and-measure") return row;
    }
    return Json();
  };
  auto listed = RunTally({"--store", store, "policy", "list", "--format", "json"});
  Json target = mine(listed);
  EXPECT_EQ(target["state"], "applied");
  EXPECT_EQ(target["realization"], "measuring") << listed.out;
  EXPECT_EQ(target["recommendations"].size(), 3u);  // one per replica

  // The cluster runs with the new requests: its usage, as the collector reports it again (the
  // demo's source, which a run replaces hour by hour), carries them for svc-3's containers (cpu
  // in cores from m, memory in GiB from Mi); usage and everything else is what it was.
  const Decimal cpu_cores =
      *Decimal::Parse(cpu.substr(0, cpu.size() - 1))->Divide(Decimal::FromUnits(1000));
  const Decimal memory_gib =
      *Decimal::Parse(memory.substr(0, memory.size() - 2))->Divide(Decimal::FromUnits(1024));
  std::ifstream in(dir_->File("demo/usage.csv"));
  std::ofstream out(dir_->File("after.csv"));
  int64_t rewritten = 0;
  for (std::string line; std::getline(in, line);) {
    // start,end,consumer,asset,resource,request,usage,unit,labels
    std::vector<size_t> commas;
    for (size_t at = line.find(','); at != std::string::npos && commas.size() < 6;
         at = line.find(',', at + 1)) {
      commas.push_back(at);
    }
    if (commas.size() == 6) {
      const std::string consumer = line.substr(commas[1] + 1, commas[2] - commas[1] - 1);
      const std::string resource = line.substr(commas[3] + 1, commas[4] - commas[3] - 1);
      if (consumer.starts_with("identity/svc-3-") && consumer.ends_with("/main") &&
          (resource == "cpu" || resource == "memory")) {
        line = line.substr(0, commas[4] + 1) +
               (resource == "cpu" ? cpu_cores : memory_gib).ToString() + line.substr(commas[5]);
        ++rewritten;
      }
    }
    out << line << "\n";
  }
  out.close();
  ASSERT_EQ(rewritten, 3 * 720 * 2);  // 3 replicas, 720 hours, cpu and memory
  auto ingest = RunTally({"--store", store, "ingest", "usage-csv", "--source", "demo-usage",
                          dir_->File("after.csv")});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  auto allocate =
      RunTally({"--store", store, "allocate", "--config", dir_->File("demo/tally.yaml")});
  ASSERT_EQ(allocate.exit_code, 0) << allocate.err;

  // The next policy run (as the daemon's) measures it; nothing is acted on twice.
  auto next = Policy({"apply", "--format", "json"}, folder, store);
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(api_.changes().size(), 1u);
  listed = RunTally({"--store", store, "policy", "list", "--format", "json"});
  target = mine(listed);
  EXPECT_EQ(target["realization"], "realized") << listed.out;
  // Independently: what showback charged the replicas before and after, a month of it.
  const std::map<std::string, Decimal> after = Svc3Costs(store, from, to);
  Decimal fell;
  for (const auto& [consumer, cost] : before) fell += cost - after.at(consumer);
  const Decimal expected =
      *fell.Multiply(Decimal::FromUnits(730))->Divide(Decimal::FromUnits(hours));
  const Decimal realized = *Decimal::Parse(target["realized_savings"].get<std::string>());
  EXPECT_GT(realized, Decimal::FromUnits(50));
  Decimal diff = realized - expected;
  if (diff < Decimal()) diff = Decimal() - diff;
  // The lifecycle keeps monthly figures in cents: three replicas, each within a cent.
  EXPECT_LE(diff, *Decimal::Parse("0.03")) << realized.ToString() << " vs "
                                           << expected.ToString();
  // And it is near what the plan promised (the targets are rounded up to m and Mi).
  const Decimal promised = *Decimal::Parse(target["monthly_savings"].get<std::string>());
  EXPECT_GT(realized, *promised.Multiply(*Decimal::Parse("0.9"))) << promised.ToString();
  EXPECT_LT(realized, *promised.Multiply(*Decimal::Parse("1.1"))) << promised.ToString();
}

TEST_F(PolicyTest, ACappedPolicyAbortsBeforeAnyAction) {
  // Every workload with waste matches; the cap allows one.
  const std::string folder = Folder("capped", R"(  - name: capped
    resource: workload
    mode: enforce
    filters: [{key: savings, op: gt, value: 0}]
    max-resources: 1
    actions: [{type: scale, replicas: 0}]
)");
  auto apply = Policy({"apply", "--format", "json"}, folder);
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_TRUE(api_.requests().empty());
  const Json rows = Json::parse(apply.out)["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "aborted");
  EXPECT_NE(rows[0]["note"].get<std::string>().find("more than max-resources 1"),
            std::string::npos);
}

TEST_F(PolicyTest, ExemptAndExcludedWorkloadsAreNeverTouched) {
  const std::string folder = Folder("exempt", R"(  - name: everything-but-ml
    resource: workload
    mode: enforce
    filters: [{or: [{kind: idle_gpu}, {kind: abandoned}]}]
    exclude: {owners: [ml]}
    actions: [{type: scale, replicas: 0}]
)");
  auto plan = Policy({"plan", "--format", "json"}, folder);
  const Json p = Json::parse(plan.out)["policies"][0];
  EXPECT_TRUE(p["actions"].empty()) << plan.out;
  EXPECT_EQ(p["exempt"].size(), 2u) << plan.out;  // both are ml's
  auto apply = Policy({"apply"}, folder);
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_TRUE(api_.requests().empty());
}

TEST_F(PolicyTest, AnApprovalRequiredPolicyWaitsForAnOperator) {
  const std::string folder = Folder("approval", R"(  - name: delete-orphans
    resource: volume
    mode: enforce
    approval: required
    filters: [{kind: orphaned_volume}]
    actions: [reclaim]
)");
  auto first = Policy({"apply", "--format", "json"}, folder);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Json row = Json::parse(first.out)["rows"][0];
  EXPECT_EQ(row["state"], "pending");
  EXPECT_TRUE(api_.requests().empty());
  const std::string id = row["target_id"];
  ASSERT_EQ(RunTally({"--store", Store(), "policy", "approve", id}).exit_code, 0);
  EXPECT_NE(RunTally({"--store", Store(), "policy", "approve", id}).exit_code, 0);  // not pending
  auto second = Policy({"apply", "--format", "json"}, folder);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(Json::parse(second.out)["rows"][0]["state"], "applied");
  const auto changes = api_.changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].method, "DELETE");
  EXPECT_EQ(changes[0].path, "/api/v1/persistentvolumes/vol-orphan-0001");
  auto audit = RunTally({"--store", Store(), "audit", "--format", "json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  std::vector<std::string> steps;
  const Json parsed4 = Json::parse(audit.out);
  for (const Json& row : parsed4["rows"]) {
    if (row["target"] == id) steps.push_back(row["action"]);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"policy.pending", "policy.approve", "policy.action"}));
}

TEST_F(PolicyTest, TheDaemonRunsPoliciesOnItsSchedule) {
  const std::string folder = Folder("daemon", R"(  - name: abandoned-stop
    resource: workload
    mode: enforce
    approval: required
    filters: [{kind: abandoned}]
    actions: [reclaim]
)");
  const int port = testing::FreePort();
  testing::ChildProcess serve(
      testing::TallyBinary(),
      {"--store", Store(), "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--config",
       dir_->File("demo/tally.yaml"), "--no-allocate", "--policies", folder, "--policy-every", "1"},
      dir_->File("daemon.log"));
  Json pending;
  for (int i = 0; i < 100 && pending.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto list =
        RunTally({"--store", Store(), "policy", "list", "--state", "pending", "--format", "json"});
    const Json listed = Json::parse(list.out);
    for (const Json& row : listed["rows"]) {
      if (row["policy"] == "abandoned-stop") pending = row;
    }
  }
  ASSERT_FALSE(pending.empty()) << testing::ReadFile(dir_->File("daemon.log"));
  EXPECT_EQ(pending["target"], "ml/Deployment/svc-5");
  EXPECT_TRUE(api_.requests().empty());  // it waits for an approval
  auto audit = RunTally({"--store", Store(), "audit", "--format", "json"});
  const Json log = Json::parse(audit.out);
  bool by_daemon = false;
  for (const Json& row : log["rows"]) {
    by_daemon |= row["action"] == "policy.pending" && row["actor"] == "system:serve";
  }
  EXPECT_TRUE(by_daemon) << audit.out;
}

TEST_F(PolicyTest, BadPoliciesAreRefusedWithFileLineAndKey) {
  const std::string folder = Folder("bad", R"(  - name: oops
    resource: workload
    actions: [{type: scale}]
)");
  auto plan = Policy({"plan"}, folder);
  EXPECT_EQ(plan.exit_code, 2);
  EXPECT_NE(plan.err.find("p.yaml"), std::string::npos) << plan.err;
  EXPECT_NE(plan.err.find("line 8"), std::string::npos) << plan.err;
  EXPECT_NE(plan.err.find("policies[0].actions[0]: scale needs replicas"), std::string::npos)
      << plan.err;
}

}  // namespace
}  // namespace tally
