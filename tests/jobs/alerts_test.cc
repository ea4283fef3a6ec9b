// Alerts end to end, against a real Alertmanager from Debian (prometheus-alertmanager) on a
// free loopback port and a webhook receiver in the test: a budget on the bill crosses its
// thresholds; `tally alerts` sends each crossing once to both; the alerts are read back with
// amtool; a second run (a new process: a restart) sends nothing again, which the webhook's
// request count and Alertmanager's own received-alerts counter show; a later crossing sends only
// itself. A receiver that answers 503 is retried with backoff; one that is down fails, is
// recorded, and is tried again at the next run.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "jobs/policy_notify.h"
#include "tally/clock.h"
#include "tally/store.h"
#include "testing/process.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;
using Json = nlohmann::json;

// A bill of `days` days from 2026-10-01 at 10.00 a day for team ads (and 5.00 for search).
std::string Bill(int first_day, int last_day) {
  std::string csv = testing::kFocusBillHeader;
  char line[512];
  for (int d = first_day; d <= last_day; ++d) {
    for (const auto& [team, cost] : {std::pair{"ads", "10"}, std::pair{"search", "5"}}) {
      std::snprintf(line, sizeof line,
                    "2026-10-01,2026-11-01,2026-10-%02dT00:00:00Z,2026-10-%02dT00:00:00Z,%s,%s,USD,"
                    "Cloud,acct,Compute,Compute,Usage,vm-%s,\"{\"\"team\"\":\"\"%s\"\"}\"\n",
                    d, d + 1, cost, cost, team, team);
      csv += line;
    }
  }
  return csv;
}

// Records what it is sent; /flaky answers 503 to its first two requests.
class Webhook {
 public:
  explicit Webhook(int port = testing::FreePort()) : port_(port) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      bodies_.push_back(Json::parse(req.body));
      content_types_.insert(req.get_header_value("Content-Type"));
      res.status = 200;
    });
    server_.Post(R"(/secret/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      bodies_.push_back(Json::parse(req.body));
      res.status = 200;
    });
    server_.Post("/huge", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(2 << 20, 'x'), "text/plain");  // 2 MiB
    });
    server_.Post("/flaky", [this](const httplib::Request&, httplib::Response& res) {
      res.status = ++flaky_calls_ <= 2 ? 503 : 200;
    });
    EXPECT_TRUE(server_.bind_to_port("127.0.0.1", port_));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Webhook() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Json> Bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::set<std::string> ContentTypes() {
    std::lock_guard lock(mu_);
    return content_types_;
  }
  int flaky_calls() const { return flaky_calls_; }

 private:
  int port_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Json> bodies_;
  std::set<std::string> content_types_;
  std::atomic<int> flaky_calls_{0};
};

class AlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    am_port_ = testing::FreePort();
    testing::WriteFile(dir_.File("am.yml"),
                       "route:\n  receiver: sink\nreceivers:\n  - name: sink\n");
    alertmanager_ = std::make_unique<testing::ChildProcess>(
        "/usr/bin/prometheus-alertmanager",
        std::vector<std::string>{"--config.file=" + dir_.File("am.yml"),
                                 "--storage.path=" + dir_.File("am-data"),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(am_port_),
                                 "--cluster.listen-address="},
        dir_.File("am.log"));
    ASSERT_TRUE(testing::WaitForHttp(am_port_, "/-/ready", 30))
        << testing::ReadFile(dir_.File("am.log"));
    store_ = "sqlite:" + dir_.File("t.db");
  }

  std::string AmUrl() const { return "http://127.0.0.1:" + std::to_string(am_port_); }

  void WriteConfig(const std::vector<std::string>& webhooks) {
    std::string yaml =
        "budgets:\n"
        "  - name: ads\n"
        "    where: {Tags.team: ads}\n"
        "    period: month\n"
        "    amount: 220\n"
        "    thresholds: {actual: [80, 100], forecast: [100]}\n"
        "alerts:\n"
        "  alertmanager: " + AmUrl() + "\n"
        "  retries: 3\n"
        "  backoff: 0.05s\n"
        "  timeout: 5s\n"
        "  webhooks:\n";
    for (const std::string& url : webhooks) yaml += "    - " + url + "\n";
    testing::WriteFile(dir_.File("tally.yaml"), yaml);
  }

  void Ingest(const std::string& name, int first_day, int last_day) {
    testing::WriteFile(dir_.File(name), Bill(first_day, last_day));
    auto r = RunTally({"--store", store_, "ingest", "focus", dir_.File(name)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  testing::CommandResult Alerts() {
    return RunTally({"--store", store_, "alerts", "--config", dir_.File("tally.yaml"), "--format",
                     "json"});
  }

  // The alerts Alertmanager holds, read back with amtool: tally_key -> labels.
  std::map<std::string, Json> AmtoolAlerts() {
    auto r = testing::RunCommand("/usr/bin/amtool", {"--alertmanager.url=" + AmUrl(), "alert",
                                                     "query", "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, Json> out;
    const Json alerts = Json::parse(r.out);
  for (const Json& a : alerts) out[a["labels"]["tally_key"]] = a["labels"];
    return out;
  }

  // alertmanager_alerts_received_total summed over its labels: every alert ever posted.
  double ReceivedByAlertmanager() {
    std::string body;
    EXPECT_EQ(testing::HttpGet(am_port_, "/metrics", &body), 200);
    double total = 0;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("alertmanager_alerts_received_total", 0) == 0) {
        total += std::stod(line.substr(line.rfind(' ') + 1));
      }
    }
    return total;
  }

  testing::TempDir dir_;
  int am_port_ = 0;
  std::unique_ptr<testing::ChildProcess> alertmanager_;
  std::string store_;
};

std::set<std::string> Keys(const std::map<std::string, Json>& alerts) {
  std::set<std::string> out;
  for (const auto& [k, v] : alerts) out.insert(k);
  return out;
}

TEST_F(AlertsTest, EachCrossingAlertsOnceToAlertmanagerAndWebhookAcrossRestarts) {
  Webhook hook;
  WriteConfig({hook.Url("/hook"), hook.Url("/flaky")});
  // 20 days at 10.00: actual 200 of 220 (90.9%: crosses 80, not 100); the forecast of the
  // month's 31 days is 310 (141%: crosses forecast 100).
  Ingest("bill-1.csv", 1, 20);
  auto budgets = RunTally({"--store", store_, "budgets", "--config", dir_.File("tally.yaml"),
                           "--format", "json"});
  ASSERT_EQ(budgets.exit_code, 0) << budgets.err;
  const Json b = Json::parse(budgets.out)["rows"][0];
  EXPECT_EQ(b["actual"], "200");
  EXPECT_EQ(b["period"], "2026-10");
  EXPECT_EQ(b["crossed"]["actual"], Json::array({80}));
  EXPECT_EQ(b["crossed"]["forecast"], Json::array({100}));
  EXPECT_NEAR(std::stod(b["forecast"].get<std::string>()), 310, 1);

  auto first = Alerts();
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  const std::set<std::string> expected = {"budget:ads:2026-10:actual:80",
                                          "budget:ads:2026-10:forecast:100"};
  EXPECT_EQ(Keys(AmtoolAlerts()), expected);
  const std::map<std::string, Json> held = AmtoolAlerts();
  EXPECT_EQ(held.at("budget:ads:2026-10:actual:80")["alertname"], "TallyBudgetThreshold");
  EXPECT_EQ(held.at("budget:ads:2026-10:actual:80")["budget"], "ads");
  EXPECT_EQ(held.at("budget:ads:2026-10:forecast:100")["severity"], "critical");
  ASSERT_EQ(hook.Bodies().size(), 1u);
  EXPECT_EQ(hook.Bodies()[0]["alerts"].size(), 2u);
  EXPECT_EQ(hook.ContentTypes(), std::set<std::string>{"application/json"});
  // The flaky webhook answered 503 twice: the third try went through.
  EXPECT_EQ(hook.flaky_calls(), 3);
  EXPECT_DOUBLE_EQ(ReceivedByAlertmanager(), 2);

  // A restart: a new process sends nothing it sent before.
  auto second = Alerts();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(hook.Bodies().size(), 1u);
  EXPECT_EQ(hook.flaky_calls(), 3);
  EXPECT_DOUBLE_EQ(ReceivedByAlertmanager(), 2);
  EXPECT_NE(second.out.find("already sent"), std::string::npos) << second.out;

  // Five more days: 250 of 220 crosses actual 100, and only that alert goes out.
  Ingest("bill-2.csv", 1, 25);  // the month restated with five more days
  auto third = Alerts();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  ASSERT_EQ(hook.Bodies().size(), 2u);
  ASSERT_EQ(hook.Bodies()[1]["alerts"].size(), 1u);
  EXPECT_EQ(hook.Bodies()[1]["alerts"][0]["key"], "budget:ads:2026-10:actual:100");
  EXPECT_DOUBLE_EQ(ReceivedByAlertmanager(), 3);
  std::set<std::string> all = expected;
  all.insert("budget:ads:2026-10:actual:100");
  EXPECT_EQ(Keys(AmtoolAlerts()), all);

  auto log = RunTally({"--store", store_, "alerts", "list", "--format", "json"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  int sent = 0;
  const Json deliveries = Json::parse(log.out);
  for (const Json& row : deliveries["rows"]) sent += row["state"] == "sent" ? 1 : 0;
  EXPECT_EQ(sent, 9) << log.out;  // 3 alerts × 3 receivers, each once
}

// `tally serve` alerts by itself after allocating, and a restarted server sends nothing twice.
TEST_F(AlertsTest, TheDaemonAlertsOnceAcrossARestart) {
  Webhook hook;
  WriteConfig({hook.Url("/hook")});
  Ingest("bill-1.csv", 1, 20);
  auto serve = [&](const std::string& log) {
    return std::make_unique<testing::ChildProcess>(
        testing::TallyBinary(),
        std::vector<std::string>{"--store", store_, "serve", "--listen",
                                 "127.0.0.1:" + std::to_string(testing::FreePort()), "--config",
                                 dir_.File("tally.yaml"), "--allocate-check", "0.2"},
        dir_.File(log));
  };
  auto wait_for = [](const std::function<bool()>& done) {
    for (int i = 0; i < 300 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return done();
  };
  {
    auto server = serve("serve-1.log");
    ASSERT_TRUE(wait_for([&] { return !hook.Bodies().empty(); }))
        << testing::ReadFile(dir_.File("serve-1.log"));
    ASSERT_TRUE(wait_for([&] { return ReceivedByAlertmanager() == 2; }));
    EXPECT_EQ(server->Stop(), 0);
  }
  EXPECT_EQ(hook.Bodies().size(), 1u);
  EXPECT_EQ(Keys(AmtoolAlerts()), (std::set<std::string>{"budget:ads:2026-10:actual:80",
                                                         "budget:ads:2026-10:forecast:100"}));
  {
    auto server = serve("serve-2.log");
    // The restarted server's first allocation runs the alerts again: all sent before.
    ASSERT_TRUE(wait_for([&] {
      return testing::ReadFile(dir_.File("serve-2.log")).find("sent before") != std::string::npos;
    })) << testing::ReadFile(dir_.File("serve-2.log"));
    EXPECT_EQ(server->Stop(), 0);
  }
  EXPECT_NE(testing::ReadFile(dir_.File("serve-2.log")).find("0 deliveries sent, 4 sent before"),
            std::string::npos)
      << testing::ReadFile(dir_.File("serve-2.log"));
  EXPECT_EQ(hook.Bodies().size(), 1u);
  EXPECT_DOUBLE_EQ(ReceivedByAlertmanager(), 2);
}

// Four `tally alerts` at once (a daemon and cron jobs): each delivery is claimed in the store
// before it is sent, so every alert reaches each receiver exactly once.
TEST_F(AlertsTest, ConcurrentRunsNeverSendAnAlertTwice) {
  Webhook hook;
  WriteConfig({hook.Url("/hook")});
  Ingest("bill-1.csv", 1, 20);
  std::vector<std::unique_ptr<testing::ChildProcess>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::make_unique<testing::ChildProcess>(
        testing::TallyBinary(),
        std::vector<std::string>{"--store", store_, "alerts", "--config", dir_.File("tally.yaml")},
        dir_.File("run-" + std::to_string(i) + ".log")));
  }
  for (int i = 0; i < 300; ++i) {
    bool running = false;
    for (auto& r : runs) running |= r->running();
    if (!running) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::map<std::string, int> delivered;
  for (const Json& body : hook.Bodies()) {
    for (const Json& alert : body["alerts"]) ++delivered[alert["key"]];
  }
  EXPECT_EQ(delivered, (std::map<std::string, int>{{"budget:ads:2026-10:actual:80", 1},
                                                   {"budget:ads:2026-10:forecast:100", 1}}));
  EXPECT_DOUBLE_EQ(ReceivedByAlertmanager(), 2);
}

// Webhook URLs carry their secret (Slack's, Teams'): it is sent to, never shown or stored.
TEST_F(AlertsTest, AWebhooksSecretIsNeitherShownNorStored) {
  Webhook hook;
  WriteConfig({hook.Url("/secret/T0KEN-S3CRET?key=hunter2")});
  Ingest("bill-1.csv", 1, 20);
  auto r = Alerts();
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(hook.Bodies().size(), 1u);
  auto log = RunTally({"--store", store_, "alerts", "list"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  const std::string db = testing::ReadFile(dir_.File("t.db")) +
                         testing::ReadFile(dir_.File("t.db-wal"));
  for (const std::string& text : {r.out, r.err, log.out, db}) {
    EXPECT_EQ(text.find("T0KEN-S3CRET"), std::string::npos);
    EXPECT_EQ(text.find("hunter2"), std::string::npos);
  }
  EXPECT_NE(log.out.find("webhook:http://127.0.0.1:"), std::string::npos) << log.out;
}

// A receiver that answers with megabytes cannot fill tally's memory: its answer is cut off at
// 1 MiB and the delivery counts as failed, with the reason.
TEST_F(AlertsTest, AnAnswerTooLargeIsAFailureNotAMemoryHog) {
  Webhook hook;
  WriteConfig({hook.Url("/huge")});
  Ingest("bill-1.csv", 1, 20);
  auto r = Alerts();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const Json deliveries = Json::parse(r.out);
  int failed = 0;
  for (const Json& row : deliveries["rows"]) {
    if (!row["receiver"].get<std::string>().starts_with("webhook:")) continue;
    EXPECT_EQ(row["result"], "failed");
    EXPECT_NE(row["error"].get<std::string>().find("larger than 1048576 bytes"), std::string::npos)
        << row.dump();
    ++failed;
  }
  EXPECT_EQ(failed, 2);
}

TEST_F(AlertsTest, ADownReceiverFailsIsRecordedAndIsTriedAgainNextRun) {
  const int dead_port = testing::FreePort();  // nothing listens here
  WriteConfig({"http://127.0.0.1:" + std::to_string(dead_port) + "/hook"});
  Ingest("bill-1.csv", 1, 20);
  auto first = Alerts();
  EXPECT_EQ(first.exit_code, 1) << first.out;  // a delivery failed
  const Json rows = Json::parse(first.out)["rows"];
  int failed = 0;
  for (const Json& row : rows) {
    if (row["receiver"].get<std::string>().starts_with("webhook:")) {
      EXPECT_EQ(row["result"], "failed");
      EXPECT_EQ(row["attempts"], 4);  // 1 + 3 retries
      ++failed;
    } else {
      EXPECT_EQ(row["result"], "sent");
    }
  }
  EXPECT_EQ(failed, 2);
  // The receiver comes up: the next run delivers what failed, and only that.
  Webhook hook(dead_port);
  auto second = Alerts();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  ASSERT_EQ(hook.Bodies().size(), 1u);
  EXPECT_EQ(hook.Bodies()[0]["alerts"].size(), 2u);
  EXPECT_DOUBLE_EQ(ReceivedByAlertmanager(), 2);
}

// A policy's notify action is an alert like the others: Alertmanager holds it with its owner
// label (its own routes send it on), the general webhook and the webhooks of the target's most
// specific owner route get it, another owner's route does not, and a second run sends nothing.
TEST_F(AlertsTest, PolicyNotifyReachesAlertmanagerAndTheOwnersRoute) {
  Webhook hook;
  auto store = OpenStore(store_);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ActuatorConfig actuators;
  actuators.alertmanager = AmUrl();
  actuators.webhooks = {hook.Url("/hook")};
  actuators.owner_webhooks = {{"ads", {hook.Url("/secret/ads")}},
                              {"ads/search", {hook.Url("/secret/search")}},
                              {"ml", {hook.Url("/secret/ml")}}};
  AlertRouting alerts;  // tally.yaml's: not used when actuators.notify names receivers
  alerts.webhooks = {hook.Url("/flaky")};
  FixedClock clock(SystemClock().Now());  // Alertmanager refuses alerts from the future
  PolicyNotifier notifier(actuators, alerts, store->get(), clock);
  EXPECT_EQ(notifier.RoutingFor("ads/search/web").webhooks,
            (std::vector<std::string>{hook.Url("/hook"), hook.Url("/secret/search")}));
  EXPECT_EQ(notifier.RoutingFor("adsx").webhooks, std::vector<std::string>{hook.Url("/hook")});

  Policy policy;
  policy.name = "tell-owners";
  PolicyCandidate target;
  target.id = "search/Deployment/web";
  target.owner = "ads/search/web";
  target.savings = *Decimal::Parse("123.456");
  PlannedAction action;
  action.id = "0123456789abcdef";
  action.policy = &policy;
  action.target = &target;
  action.action = {"notify", {{"message", "Requests are four times the use."}}};
  action.description = "notify the owner of workload search/Deployment/web";
  auto sent = notifier.Apply(action);
  ASSERT_TRUE(sent.ok()) << sent.status().message();

  const auto held = AmtoolAlerts();
  ASSERT_TRUE(held.contains("policy:0123456789abcdef")) << held.size();
  const Json& labels = held.at("policy:0123456789abcdef");
  EXPECT_EQ(labels["alertname"], "TallyPolicyAction");
  EXPECT_EQ(labels["owner"], "ads/search/web");
  EXPECT_EQ(labels["policy"], "tell-owners");
  EXPECT_EQ(labels["target"], "search/Deployment/web");
  const std::vector<Json> bodies = hook.Bodies();
  ASSERT_EQ(bodies.size(), 2u);  // /hook and /secret/search; not ads' nor ml's
  for (const Json& body : bodies) {
    const Json& alert = body["alerts"][0];
    EXPECT_EQ(alert["key"], "policy:0123456789abcdef");
    EXPECT_EQ(alert["annotations"]["description"],
              "Requests are four times the use. It saves 123.46 a month.");
  }
  EXPECT_EQ(hook.flaky_calls(), 0);  // tally.yaml's alerts: receivers are not these

  // Once per receiver, across runs.
  auto again = notifier.Apply(action);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(hook.Bodies().size(), 2u);

  // Without actuators.notify, tally.yaml's alerts: receivers are notify's.
  PolicyNotifier fallback(ActuatorConfig{}, alerts, store->get(), clock);
  EXPECT_EQ(fallback.RoutingFor("ads").webhooks, alerts.webhooks);
  PolicyNotifier nowhere(ActuatorConfig{}, AlertRouting{}, store->get(), clock);
  auto refused = nowhere.Apply(action);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tally
