// tally serve --auth required on the demo platform (docs/security.md): no token, a wrong, an
// expired or a revoked one gets 401; a viewer scoped to one team sees that team's owners only,
// on every route, and another team's owner reads as one that does not exist; an admin sees all;
// remote_write needs a write scope for the source pushed to (the cost-shifting push of issue 19
// is refused); HTTPS with a self-signed certificate; OIDC JWTs; rate limits; the audit log.
#include <gtest/gtest.h>
#include <httplib.h>
#include <snappy.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "access/test_jwt.h"
#include "remote_write.pb.h"
#include "server/api_routes.h"
#include "store/sqlite/sqlite_db.h"
#include "testing/process.h"

namespace tally {
namespace {

using nlohmann::json;
using testing::ChildProcess;
using testing::RunTally;

// The push that moved cost from search to ads before authentication existed: a pod labelled
// team=ads requesting 1000 cores.
std::string CostShiftingPush() {
  prompb::WriteRequest request;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  auto series = [&](std::vector<std::pair<std::string, std::string>> labels, double value) {
    prompb::TimeSeries* ts = request.add_timeseries();
    for (const auto& [name, v] : labels) {
      prompb::Label* l = ts->add_labels();
      l->set_name(name);
      l->set_value(v);
    }
    prompb::Sample* s = ts->add_samples();
    s->set_value(value);
    s->set_timestamp(now_ms);
  };
  series({{"__name__", "kube_pod_labels"},
          {"namespace", "search"},
          {"pod", "evil-0"},
          {"label_team", "ads"}},
         1);
  series({{"__name__", "kube_pod_container_resource_requests"},
          {"namespace", "search"},
          {"pod", "evil-0"},
          {"container", "main"},
          {"node", "node-1"},
          {"resource", "cpu"},
          {"unit", "core"}},
         1000);
  std::string raw, compressed;
  request.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &compressed);
  return compressed;
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto demo = RunTally({"--store", Store(), "demo", "--out", dir_->File("demo"), "--teams", "4",
                          "--workloads", "16", "--days", "2", "--start", "2026-06-01", "--load"});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    auto owners = Cli({"report", "showback", "--by", "owner", "--format", "json"});
    for (const json& row : owners["rows"]) {
      const std::string owner = row["owner"];
      if (!owner.starts_with("__")) owners_.push_back(owner);
    }
    ASSERT_GE(owners_.size(), 3u);
    team_ = owners_[0];
    admin_ = Token({"--role", "admin", "--name", "alice"});
    viewer_ = Token({"--role", "viewer", "--owner", team_, "--name", "team-viewer"});
    operator_ = Token({"--role", "operator", "--owner", team_, "--name", "team-operator"});
    ops_ = Token({"--role", "operator", "--name", "ops"});
    writer_ = Token({"--role", "viewer", "--write", "edge-a", "--name", "pusher-a"});
    expiring_ = Token({"--role", "admin", "--name", "brief", "--expires", "1s"});
    revoked_ = Token({"--role", "admin", "--name", "gone"});
    const std::string id = revoked_.substr(4, 12);
    ASSERT_EQ(RunTally({"--store", Store(), "tokens", "revoke", id}).exit_code, 0);
    port_ = testing::FreePort();
    server_ = new ChildProcess(
        testing::TallyBinary(),
        {"--store", Store(), "serve", "--listen", "127.0.0.1:" + std::to_string(port_), "--auth",
         "required", "--config", dir_->File("demo/tally.yaml"), "--no-allocate", "--flush-interval",
         "0.3"},
        dir_->File("serve.log"));
    ASSERT_TRUE(testing::WaitForHttp(port_, "/readyz", 20))
        << testing::ReadFile(dir_->File("serve.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // `brief` has expired
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string Store() { return dir_->File("t.db"); }
  static json Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", Store()});
    auto r = RunTally(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
  static std::string Token(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", Store(), "tokens", "create"});
    auto r = RunTally(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string token = r.out;
    while (!token.empty() && token.back() == '\n') token.pop_back();
    return token;
  }
  struct Answer {
    int status = 0;
    std::string body;
  };
  static Answer Call(const std::string& method, const std::string& path, const std::string& token,
                     const std::string& body = "", httplib::Headers headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto res = method == "POST" ? client.Post(path, headers, body, "application/json")
                                : client.Get(path, headers);
    return res ? Answer{res->status, res->body} : Answer{};
  }
  // GET paths of every route of the API table and the server's own.
  static std::vector<std::string> GetPaths() {
    std::mutex mu;
    std::vector<std::string> paths;
    for (const ApiRoute& r : ApiRoutes(ApiContext{nullptr, &mu})) {
      if (std::string_view(r.method) == "GET") paths.push_back(r.path);
    }
    paths.push_back("/api/v1/remote-write");
    paths.push_back("/api/v1/openapi.json");
    return paths;
  }

  static testing::TempDir* dir_;
  static ChildProcess* server_;
  static int port_;
  static std::vector<std::string> owners_;
  static std::string team_, admin_, viewer_, operator_, ops_, writer_, expiring_, revoked_;
};

testing::TempDir* SecurityTest::dir_ = nullptr;
ChildProcess* SecurityTest::server_ = nullptr;
int SecurityTest::port_ = 0;
std::vector<std::string> SecurityTest::owners_;
std::string SecurityTest::team_, SecurityTest::admin_, SecurityTest::viewer_,
    SecurityTest::operator_, SecurityTest::ops_, SecurityTest::writer_, SecurityTest::expiring_,
    SecurityTest::revoked_;

TEST_F(SecurityTest, ServingBeyondLoopbackNeedsAuthentication) {
  for (const std::string listen : {"0.0.0.0:", "[::]:"}) {
    auto r = RunTally(
        {"--store", Store(), "serve", "--listen", listen + std::to_string(testing::FreePort())});
    EXPECT_EQ(r.exit_code, 2) << listen << r.err;
    EXPECT_NE(r.err.find("--auth required"), std::string::npos) << r.err;
  }
}

TEST_F(SecurityTest, EveryRouteNeedsAValidToken) {
  std::string wrong = admin_;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::string& path : GetPaths()) {
    for (const std::string& token : {std::string(), wrong, expiring_, revoked_,
                                     std::string("garbage"), std::string("a.b.c")}) {
      const Answer a = Call("GET", path, token);
      EXPECT_EQ(a.status, 401) << path << " with \"" << token.substr(0, 8) << "\": " << a.body;
    }
    EXPECT_NE(Call("GET", path, admin_).status, 401) << path;
  }
  EXPECT_EQ(Call("POST", "/api/v1/config/reload", "").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/write", "", CostShiftingPush()).status, 401);
  // Health checks and the dashboard's files stay open.
  for (const char* path : {"/healthz", "/readyz", "/"})
    EXPECT_EQ(Call("GET", path, "").status, 200);
}

TEST_F(SecurityTest, AScopedViewerSeesOnlyItsTeam) {
  std::vector<std::string> others(owners_.begin() + 1, owners_.end());
  int answered = 0;
  for (const std::string& path : GetPaths()) {
    const Answer a = Call("GET", path, viewer_);
    ASSERT_TRUE(a.status == 200 || a.status == 403) << path << ": " << a.status << " " << a.body;
    if (a.status == 403) continue;
    ++answered;
    for (const std::string& other : others) {
      for (const std::string& needle :
           {"\"" + other + "\"", "\"" + other + "/", "=\"" + other + "\"", "\"" + other + "|"}) {
        EXPECT_EQ(a.body.find(needle), std::string::npos)
            << path << " shows " << needle << ": " << a.body.substr(0, 400);
      }
    }
  }
  EXPECT_GE(answered, 10);
  // The needles do find another team where it is shown: the admin's answer has them.
  const std::string everyone = Call("GET", "/api/v1/owners", admin_).body;
  for (const std::string& other : others) {
    EXPECT_NE(everyone.find("\"" + other + "\""), std::string::npos) << other;
  }
  // Its own team is there, with the admin's figure.
  const json mine = json::parse(Call("GET", "/api/v1/owners", viewer_).body);
  ASSERT_EQ(mine["data"]["rows"].size(), 1u) << mine.dump();
  EXPECT_EQ(mine["data"]["rows"][0]["owner"], team_);
  const json all = json::parse(Call("GET", "/api/v1/owners", admin_).body);
  bool found = false;
  for (const json& row : all["data"]["rows"]) {
    if (row["owner"] == team_) {
      EXPECT_EQ(row["cost"], mine["data"]["rows"][0]["cost"]);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  // Asking for another team reads exactly as asking for a team that does not exist.
  for (const std::string& query : {std::string("/api/v1/showback?by=owner&where=owner%3D"),
                                   std::string("/api/v1/recommendations?owner="),
                                   std::string("/api/v1/forecast?where=owner%3D"),
                                   std::string("/api/v1/anomalies?by=owner&where=owner%3D")}) {
    const Answer other = Call("GET", query + others[0], viewer_);
    const Answer none = Call("GET", query + "no-such-team", viewer_);
    EXPECT_EQ(other.status, none.status) << query;
    EXPECT_EQ(other.body, none.body) << query;
  }
  // Bill dimensions are everyone's.
  EXPECT_EQ(Call("GET", "/api/v1/forecast?by=ServiceName", viewer_).status, 403);
}

TEST_F(SecurityTest, AScopedViewerGetsTheBillLinesItsTeamOwns) {
  // The demo owns lines by their team tag: the viewer's bill is its team's tagged lines.
  const json mine = json::parse(Call("GET", "/api/v1/costs?by=Tags.team", viewer_).body)["data"];
  ASSERT_EQ(mine["rows"].size(), 1u) << mine.dump();
  EXPECT_EQ(mine["rows"][0]["Tags.team"], team_);
  ASSERT_TRUE(mine["rows"][0].contains("EffectiveCost")) << mine.dump();
  const json theirs = json::parse(
      Call("GET", "/api/v1/costs?by=Tags.team&where=Tags.team%3D" + team_, admin_).body)["data"];
  ASSERT_EQ(theirs["rows"].size(), 1u) << theirs.dump();
  EXPECT_EQ(mine["rows"][0]["EffectiveCost"], theirs["rows"][0]["EffectiveCost"]);
  EXPECT_EQ(mine["total"], theirs["total"]);
  const json all = json::parse(Call("GET", "/api/v1/costs", admin_).body)["data"];
  EXPECT_NE(all["total"], mine["total"]);
  // Grouped another way, the same lines.
  const json by_service =
      json::parse(Call("GET", "/api/v1/costs?by=ServiceName", viewer_).body)["data"];
  EXPECT_EQ(by_service["total"], mine["total"]);
}

TEST_F(SecurityTest, AScopedViewerGetsItsTeamsUsage) {
  const json mine = json::parse(Call("GET", "/api/v1/usage?by=namespace", viewer_).body)["data"];
  const json all = json::parse(Call("GET", "/api/v1/usage?by=namespace", admin_).body)["data"];
  ASSERT_FALSE(mine["rows"].empty()) << mine.dump();
  std::map<std::string, std::string> admin_usage;
  for (const json& row : all["rows"]) {
    admin_usage[row["namespace"].get<std::string>() + "|" + row["resource"].get<std::string>()] =
        row["usage"];
  }
  for (const json& row : mine["rows"]) {
    EXPECT_EQ(row["namespace"], team_) << row.dump();
    // The same figure the admin sees for that namespace.
    EXPECT_EQ(row["usage"], admin_usage[team_ + "|" + row["resource"].get<std::string>()]);
  }
  EXPECT_GT(all["rows"].size(), mine["rows"].size());
}

TEST_F(SecurityTest, AnAdminSeesEverything) {
  const json api = json::parse(Call("GET", "/api/v1/showback?by=owner", admin_).body)["data"];
  const json cli = Cli({"report", "showback", "--by", "owner", "--format", "json"});
  EXPECT_EQ(api["total"], cli["total"]);
  std::set<std::string> seen;
  for (const json& row : api["rows"]) seen.insert(row["owner"].get<std::string>());
  for (const std::string& owner : owners_) EXPECT_TRUE(seen.contains(owner)) << owner;
  for (const char* path : {"/api/v1/sources", "/api/v1/reconcile", "/api/v1/audit"}) {
    EXPECT_EQ(Call("GET", path, admin_).status, 200) << path;
  }
  // The viewer may not read them.
  EXPECT_EQ(Call("GET", "/api/v1/sources", viewer_).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/audit", viewer_).status, 403);
}

TEST_F(SecurityTest, RemoteWriteNeedsTheSourcesWriteScope) {
  const std::string push = CostShiftingPush();
  const httplib::Headers snappy{{"Content-Encoding", "snappy"}};
  auto write = [&](const std::string& path, const std::string& token) {
    return Call("POST", path, token, push, snappy).status;
  };
  EXPECT_EQ(write("/api/v1/write", ""), 401);
  EXPECT_EQ(write("/api/v1/write", viewer_), 403);  // a viewer has no write scope
  EXPECT_EQ(write("/api/v1/write", admin_), 403);   // nor has an admin without --write
  EXPECT_EQ(write("/api/v1/write", writer_), 403);  // the default source is not its own
  EXPECT_EQ(write("/api/v1/write?source=edge-b", writer_), 403);
  EXPECT_EQ(write("/api/v1/write?source=edge-a", writer_), 204);
  const json stats = json::parse(Call("GET", "/api/v1/remote-write", admin_).body)["data"];
  EXPECT_EQ(stats["requests"], 1) << stats.dump();
  for (const json& s : stats["sources"]) {
    EXPECT_EQ(s["requests"], s["source"] == "edge-a" ? 1 : 0) << s.dump();
  }
  // The accepted push is in the audit log, with who pushed, after the next flush.
  bool audited = false;
  for (int i = 0; i < 50 && !audited; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto log = RunTally({"--store", Store(), "audit", "--format", "json"});
    const json rows = json::parse(log.out, nullptr, false)["rows"];
    for (const json& row : rows) {
      audited |= row["action"] == "remote_write" && row["actor"] == "pusher-a" &&
                 row["target"] == "edge-a";
    }
  }
  EXPECT_TRUE(audited);
}

TEST_F(SecurityTest, AuditListsTokenCreationReloadsAndStateChangesWithTheActor) {
  EXPECT_EQ(Call("POST", "/api/v1/config/reload", viewer_).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/config/reload", operator_).status, 403);
  const Answer reload = Call("POST", "/api/v1/config/reload", admin_);
  EXPECT_EQ(reload.status, 200) << reload.body;
  // An operator acts only within its owners: an unknown anomaly and another team's read alike.
  const Answer state =
      Call("POST", "/api/v1/anomalies/state", operator_, R"({"id":"0000","state":"ack"})");
  EXPECT_EQ(state.status, 404) << state.body;
  EXPECT_EQ(
      Call("POST", "/api/v1/anomalies/state", viewer_, R"({"id":"0000","state":"ack"})").status,
      403);
  EXPECT_EQ(Call("POST", "/api/v1/anomalies/state", operator_, "[").status, 400);
  // Runs are the whole platform's: not for an operator scoped to a team, nor for a viewer.
  EXPECT_EQ(Call("POST", "/api/v1/runs", operator_).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/runs", viewer_).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/runs", admin_).status, 200);

  auto log = RunTally({"--store", Store(), "audit", "--format", "json"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  const json rows = json::parse(log.out)["rows"];
  bool created = false, reloaded = false, ran = false;
  for (const json& row : rows) {
    ran |= row["action"] == "run.trigger" && row["actor"] == "alice";
    created |= row["action"] == "token.create" &&
               row["actor"].get<std::string>().starts_with("cli:") &&
               row["detail"].get<std::string>().find("team-viewer") != std::string::npos;
    reloaded |= row["action"] == "config.reload" && row["actor"] == "alice";
  }
  EXPECT_TRUE(created) << log.out;
  EXPECT_TRUE(reloaded) << log.out;
  EXPECT_TRUE(ran) << log.out;
  auto verify = RunTally({"--store", Store(), "audit", "--verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  // The API pages the log, checking the whole chain; the pages put together are the log.
  json paged = json::array();
  std::string cursor = "0";
  for (int i = 0; i < 100 && !cursor.empty(); ++i) {
    const json page =
        json::parse(Call("GET", "/api/v1/audit?limit=2&cursor=" + cursor, admin_).body)["data"];
    EXPECT_TRUE(page["verified"].get<bool>());
    EXPECT_LE(page["rows"].size(), 2u);
    for (const json& row : page["rows"]) paged.push_back(row["seq"]);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
  }
  ASSERT_GE(paged.size(), rows.size());
  for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], i + 1);
}

TEST_F(SecurityTest, APolicyApprovalIsAnOperatorsAndIsAudited) {
  // The demo's ml budget makes ml an owner candidate; a policy that waits for approval.
  std::filesystem::create_directories(dir_->File("policies"));
  testing::WriteFile(dir_->File("policies/approve.yaml"),
                     "policies:\n  - name: tell-ml\n    resource: owner\n    mode: enforce\n"
                     "    approval: required\n    filters: [{owner: ml}]\n    actions: [notify]\n");
  auto apply =
      RunTally({"--store", Store(), "policy", "apply", "--config", dir_->File("demo/tally.yaml"),
                "--policies", dir_->File("policies"), "--format", "json"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  const json rows = json::parse(apply.out)["rows"];
  ASSERT_EQ(rows.size(), 1u) << apply.out;
  EXPECT_EQ(rows[0]["state"], "pending");
  const std::string id = rows[0]["target_id"];
  const std::string body = json{{"id", id}}.dump();
  EXPECT_EQ(Call("POST", "/api/v1/policies/approve", "", body).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/policies/approve", viewer_, body).status, 403);
  // An operator of another team does not find ml's target.
  EXPECT_EQ(Call("POST", "/api/v1/policies/approve", operator_, body).status,
            team_ == "ml" ? 200 : 404);
  if (team_ != "ml") {
    const Answer approved = Call("POST", "/api/v1/policies/approve", ops_, body);
    EXPECT_EQ(approved.status, 200) << approved.body;
  }
  EXPECT_EQ(Call("POST", "/api/v1/policies/approve", ops_, body).status, 409);  // not pending
  // The viewer's policy view holds no other team's targets.
  const json seen = json::parse(Call("GET", "/api/v1/policies", viewer_).body)["data"];
  for (const json& t : seen["targets"]) EXPECT_EQ(t["owner"], team_) << t.dump();
  auto log = RunTally({"--store", Store(), "audit", "--format", "json"});
  const json entries = json::parse(log.out)["rows"];
  bool approved_by_token = false;
  for (const json& row : entries) {
    approved_by_token |= row["action"] == "policy.approve" && row["target"] == id &&
                         row["actor"] == (team_ == "ml" ? "team-operator" : "ops");
  }
  EXPECT_TRUE(approved_by_token) << log.out;
  EXPECT_EQ(RunTally({"--store", Store(), "audit", "--verify"}).exit_code, 0);
}

TEST_F(SecurityTest, AuditVerifyFindsAnEditedEntry) {
  testing::TempDir dir;
  const std::string store = dir.File("a.db");
  for (const char* name : {"one", "two", "three"}) {
    ASSERT_EQ(RunTally({"--store", store, "tokens", "create", "--name", name}).exit_code, 0);
  }
  EXPECT_EQ(RunTally({"--store", store, "audit", "--verify"}).exit_code, 0);
  {
    auto db = sqlite::SqliteDb::Open(store);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)->Exec("UPDATE audit SET detail = replace(detail, 'two', 'owt') WHERE seq = 2").ok());
  }
  auto verify = RunTally({"--store", store, "audit", "--verify"});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.err.find("entry 2"), std::string::npos) << verify.err;
}

TEST_F(SecurityTest, ExpensiveRoutesAreRateLimitedPerCaller) {
  testing::TempDir dir;
  const int port = testing::FreePort();
  ChildProcess serve(testing::TallyBinary(),
                     {"--store", Store(), "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                      "--auth", "required", "--no-allocate", "--rate-limit", "5"},
                     dir.File("serve.log"));
  ASSERT_TRUE(testing::WaitForHttp(port, "/healthz", 20));
  httplib::Client client("127.0.0.1", port);
  auto get = [&](const std::string& token, const char* path) {
    auto res = client.Get(path, {{"Authorization", "Bearer " + token}});
    return res ? std::make_pair(res->status, res->get_header_value("Retry-After"))
               : std::make_pair(0, std::string());
  };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get(admin_, "/api/v1/owners").first, 200);
  const auto limited = get(admin_, "/api/v1/owners");
  EXPECT_EQ(limited.first, 429);
  EXPECT_FALSE(limited.second.empty());
  EXPECT_EQ(get(viewer_, "/api/v1/owners").first, 200);  // another caller's bucket
  EXPECT_EQ(get(admin_, "/api/v1/version").first, 200);  // cheap routes are not counted
}

TEST_F(SecurityTest, HttpsWithASelfSignedCertificate) {
  testing::TempDir dir;
  auto cert = testing::RunCommand(
      "/usr/bin/openssl",
      {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days",
       "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
       "-keyout", dir.File("key.pem"), "-out", dir.File("cert.pem")});
  ASSERT_EQ(cert.exit_code, 0) << cert.err;
  const int port = testing::FreePort();
  ChildProcess serve(testing::TallyBinary(),
                     {"--store", Store(), "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                      "--auth", "required", "--no-allocate", "--tls-cert", dir.File("cert.pem"),
                      "--tls-key", dir.File("key.pem")},
                     dir.File("serve.log"));
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(dir.File("cert.pem").c_str());
  client.enable_server_certificate_verification(true);
  auto res = client.Get("/healthz");
  for (int i = 0; i < 100 && !res; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    res = client.Get("/healthz");
  }
  ASSERT_TRUE(res) << testing::ReadFile(dir.File("serve.log"));
  EXPECT_EQ(res->status, 200);
  auto who = client.Get("/api/v1/whoami", {{"Authorization", "Bearer " + admin_}});
  ASSERT_TRUE(who);
  EXPECT_EQ(who->status, 200);
  EXPECT_EQ(json::parse(who->body)["data"]["name"], "alice");
  EXPECT_EQ(client.Get("/api/v1/whoami")->status, 401);
  // Plain HTTP to the HTTPS port gets no answer.
  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(3, 0);
  auto clear = plain.Get("/healthz");
  EXPECT_TRUE(!clear || clear->status != 200);
  EXPECT_NE(testing::ReadFile(dir.File("serve.log")).find("https://"), std::string::npos);

  // A key that is not the certificate's is refused at start.
  ASSERT_EQ(testing::RunCommand("/usr/bin/openssl",
                                {"genpkey", "-algorithm", "ec", "-pkeyopt",
                                 "ec_paramgen_curve:P-256", "-out", dir.File("other.pem")})
                .exit_code,
            0);
  auto bad = RunTally({"--store", Store(), "serve", "--listen",
                       "127.0.0.1:" + std::to_string(testing::FreePort()), "--tls-cert",
                       dir.File("cert.pem"), "--tls-key", dir.File("other.pem")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("is not the key of"), std::string::npos) << bad.err;
}

TEST_F(SecurityTest, OidcTokensSignInWithTheirGroupsRoleAndOwners) {
  testing::TempDir dir;
  testing::TestIdp idp("RS256");
  testing::WriteFile(dir.File("jwks.json"), idp.Jwks());
  testing::WriteFile(dir.File("tally.yaml"),
                     "auth:\n  oidc:\n    issuer: https://idp.example\n    audience: tally\n"
                     "    jwks: " +
                         dir.File("jwks.json") +
                         "\n    roles:\n      - {value: team, role: viewer, owners: [" + team_ +
                         "]}\n");
  const int port = testing::FreePort();
  ChildProcess serve(testing::TallyBinary(),
                     {"--store", Store(), "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                      "--auth", "required", "--no-allocate", "--config", dir.File("tally.yaml")},
                     dir.File("serve.log"));
  ASSERT_TRUE(testing::WaitForHttp(port, "/healthz", 20))
      << testing::ReadFile(dir.File("serve.log"));
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  json claims{{"iss", "https://idp.example"}, {"aud", "tally"},   {"sub", "u1"},
              {"email", "ann@example.com"},   {"exp", now + 300}, {"groups", {"team"}}};
  httplib::Client client("127.0.0.1", port);
  auto who = client.Get("/api/v1/whoami", {{"Authorization", "Bearer " + idp.Sign(claims)}});
  ASSERT_TRUE(who);
  ASSERT_EQ(who->status, 200) << who->body;
  const json me = json::parse(who->body)["data"];
  EXPECT_EQ(me["name"], "oidc:ann@example.com");
  EXPECT_EQ(me["owners"], json::array({team_}));
  auto owners = client.Get("/api/v1/owners", {{"Authorization", "Bearer " + idp.Sign(claims)}});
  ASSERT_TRUE(owners);
  EXPECT_EQ(json::parse(owners->body)["data"]["rows"].size(), 1u) << owners->body;
  claims["exp"] = now - 3600;
  EXPECT_EQ(client.Get("/api/v1/whoami", {{"Authorization", "Bearer " + idp.Sign(claims)}})->status,
            401);
}

}  // namespace
}  // namespace tally
