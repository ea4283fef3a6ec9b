// tally recommend on the demo platform against its truth.json: every planted inefficiency of a
// waste kind is found (recall 100%), nothing else is (precision), and each monthly saving is
// within 10% of the truth's; the cost spike is an anomaly, not waste (demo_finance_test.cc).
// A platform of efficient workloads (usage 85-95% of request) gets no rightsizing worth $5.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>
#include <nlohmann/json.hpp>

#include "tally/time.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using Json = nlohmann::json;
using testing::RunTally;

// What the recommendation kinds find of the truth's kinds.
const std::map<std::string, std::string> kKindOf = {{"over_requested", "rightsizing"},
                                                    {"abandoned", "abandoned"},
                                                    {"idle_gpu", "idle_gpu"},
                                                    {"orphaned_volume", "orphaned_volume"},
                                                    {"commitment", "commitment"},
                                                    {"underutilized_node", "node_consolidation"}};

TEST(RecommendTest, TheDemosPlantedWasteIsFoundWithItsSavingsAndNothingElse) {
  testing::TempDir dir;
  const std::string store = "sqlite:" + dir.File("t.db");
  auto r = RunTally({"--store", store, "demo", "--out", dir.File("demo"), "--start", "2026-10-01",
                     "--load"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTally({"--store", store, "recommend", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json found = Json::parse(r.out);
  const Json truth = Json::parse(testing::ReadFile(dir.File("demo/truth.json")));
  int planted = 0, matched = 0;
  for (const Json& t : truth["inefficiencies"]) {
    if (!kKindOf.contains(t["kind"])) continue;  // the cost spike: an anomaly
    ++planted;
    const std::string kind = kKindOf.at(t["kind"]);
    const std::string name = t["consumer"];
    for (const Json& row : found["rows"]) {
      const std::string who = row["consumer"].is_null() ? row["asset"] : row["consumer"];
      if (row["kind"] != kind || who != name) continue;
      ++matched;
      const double want = std::stod(t["true_monthly_cost"].get<std::string>());
      const double got = std::stod(row["monthly_savings"].get<std::string>());
      EXPECT_NEAR(got, want, 0.10 * want) << kind << " " << name;
      EXPECT_EQ(row["owner"], t["owner"]) << name;
      EXPECT_FALSE(row["action"].get<std::string>().empty());
      EXPECT_FALSE(row["evidence"].empty());
      std::printf("%-16s %-28s saving %8.2f, truth %8.2f (%+.1f%%)\n", kind.c_str(), name.c_str(),
                  got, want, 100 * (got - want) / want);
    }
  }
  EXPECT_EQ(planted, 8);
  EXPECT_EQ(matched, planted) << found.dump(1);  // recall 100%
  const double precision = static_cast<double>(matched) / static_cast<double>(found["rows"].size());
  EXPECT_GE(precision, 0.9) << found.dump(1);
  std::printf("recall %d/%d, precision %.2f\n", matched, planted, precision);
  // Rightsizing's evidence: the request, the percentile and the target under the policy.
  for (const Json& row : found["rows"]) {
    if (row["kind"] != "rightsizing") continue;
    const Json& cpu = row["evidence"]["cpu"];
    EXPECT_NEAR(std::stod(cpu["target"].get<std::string>()),
                std::stod(cpu["percentile"].get<std::string>()) * 1.15, 0.002);
    EXPECT_LT(std::stod(cpu["target"].get<std::string>()), std::stod(cpu["request"].get<std::string>()));
  }
  // The filters: a kind, an owner.
  r = RunTally({"--store", store, "recommend", "--kind", "idle_gpu", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["rows"].size(), 1u);
  r = RunTally({"--store", store, "recommend", "--owner", "identity", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json owned = Json::parse(r.out);  // named: a loop over a temporary's member dangles
  EXPECT_FALSE(owned["rows"].empty());
  for (const Json& row : owned["rows"]) EXPECT_EQ(row["owner"], "identity");
  r = RunTally({"--store", store, "recommend", "--kind", "nonsense"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown kind"), std::string::npos) << r.err;
  r = RunTally({"--store", store, "recommend", "--cpu-percentile", "1.5"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(RecommendTest, EfficientWorkloadsGetNoRightsizingWorthFiveDollars) {
  // 20 workloads on one 32-core node for 14 days, each using 85% to 95% of its request of 1.5
  // cores and 6 GiB every hour, with a daily swing.
  testing::TempDir dir;
  std::string bill = testing::kFocusBillHeader;
  std::string inventory = "start,end,asset,resource,capacity,unit,labels\n";
  std::string usage = "start,end,consumer,asset,resource,request,usage,unit,labels\n";
  const int64_t start = 1'772'323'200;  // 2026-03-01
  for (int h = 0; h < 14 * 24; ++h) {
    const std::string from = Timestamp::FromUnixSeconds(start + h * 3600).ToString();
    const std::string to = Timestamp::FromUnixSeconds(start + (h + 1) * 3600).ToString();
    bill += "2026-03-01,2026-04-01," + from + "," + to +
            ",2.5,2.5,USD,Cloud,acct,Compute,Compute,Usage,node-a,{}\n";
    inventory += from + "," + to + ",node-a,cpu,32,core,\n" + from + "," + to +
                 ",node-a,memory,128,GiB,\n";
    for (int w = 0; w < 20; ++w) {
      const double share = 0.85 + 0.10 * (0.5 + 0.5 * std::sin((h % 24 + w) * 0.2618));
      char line[256];
      std::snprintf(line, sizeof line, "app/w%d/main,node-a,cpu,1.5,%.4f,core,team=t%d\n", w,
                    1.5 * share, w % 3);
      usage += from + "," + to + "," + line;
      std::snprintf(line, sizeof line, "app/w%d/main,node-a,memory,6,%.4f,GiB,team=t%d\n", w,
                    6 * share, w % 3);
      usage += from + "," + to + "," + line;
    }
  }
  testing::WriteFile(dir.File("bill.csv"), bill);
  testing::WriteFile(dir.File("inventory.csv"), inventory);
  testing::WriteFile(dir.File("usage.csv"), usage);
  const std::string store = "sqlite:" + dir.File("t.db");
  ASSERT_EQ(testing::IngestEach(store, {{"focus", dir.File("bill.csv")},
                                       {"inventory", dir.File("inventory.csv")},
                                       {"usage-csv", dir.File("usage.csv")}}),
            "");
  auto r = RunTally({"--store", store, "allocate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Even with no floor on the savings, nothing rightsizing would save reaches $5 a month.
  r = RunTally({"--store", store, "recommend", "--min-savings", "0", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json found = Json::parse(r.out);
  for (const Json& row : found["rows"]) {
    EXPECT_NE(row["kind"], "abandoned") << row.dump();
    if (row["kind"] == "rightsizing") {
      EXPECT_LT(std::stod(row["monthly_savings"].get<std::string>()), 5) << row.dump();
    }
  }
  // With the default floor: no waste at all; only the node's steady on-demand cost is worth a
  // commitment.
  r = RunTally({"--store", store, "recommend", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json rows = Json::parse(r.out)["rows"];
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["kind"], "commitment");
  EXPECT_EQ(rows[0]["evidence"]["hourly_p10"], "2.5");
  EXPECT_EQ(rows[0]["monthly_savings"], "511");  // 2.5 × 730 × 0.28
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// "6068K", "1.5G", "512M" in bytes (sacct's sizes, 1024-based).
double SacctBytes(const std::string& text) {
  if (text.empty()) return 0;
  const char unit = text.back();
  const double n = std::stod(text);
  switch (unit) {
    case 'K': return n * 1024;
    case 'M': return n * 1024 * 1024;
    case 'G': return n * 1024 * 1024 * 1024;
    default: return n;
  }
}

// "[DD-][HH:]MM:SS[.fff]" in seconds.
double SacctSeconds(const std::string& text) {
  double days = 0;
  std::string rest = text;
  if (auto dash = rest.find('-'); dash != std::string::npos) {
    days = std::stod(rest.substr(0, dash));
    rest = rest.substr(dash + 1);
  }
  double total = 0;
  size_t from = 0;
  for (size_t colon; (colon = rest.find(':', from)) != std::string::npos; from = colon + 1) {
    total = total * 60 + std::stod(rest.substr(from, colon - from));
  }
  return days * 86400 + total * 60 + std::stod(rest.substr(from));
}

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t bar; (bar = line.find('|', from)) != std::string::npos; from = bar + 1) {
    out.push_back(line.substr(from, bar - from));
  }
  out.push_back(line.substr(from));
  return out;
}

// The Slurm and Spark samples of ../shared/data: the jobs that used little of what they asked
// for are flagged, and the evidence's figures are the ones this test computes from the sacct
// lines themselves (UserCPU + SystemCPU over cores × elapsed, the largest step's MaxRSS over
// the memory asked, elapsed over the time limit).
TEST(RecommendTest, SlurmJobsAndSparkApplicationsFromTheSamples) {
  testing::TempDir dir;
  const std::string store = "sqlite:" + dir.File("t.db");
  const std::string slurm = testing::SharedDataDir() + "/telemetry/slurm/";
  const std::string spark = testing::SharedDataDir() + "/telemetry/spark/";
  const std::string fields =
      "JobID,JobIDRaw,User,Account,State,Start,End,AveCPU,AveDiskRead,AveDiskWrite,AveRSS,"
      "AveVMSize,ElapsedRaw,ExitCode,Layout,MaxRSS,MaxVMSize,MinCPU,ReqCPUS,ReqMem,ReqNodes,"
      "Reservation,Submit,Suspended,SystemCPU,TimelimitRaw,UserCPU,NodeList,Partition,AllocTRES,"
      "Priority,JobName";
  for (std::vector<std::string> args :
       {std::vector<std::string>{"ingest", "slurm-sacct", "--fields", fields,
                                 slurm + "nordichpc-sonar/sacct-output.txt"},
        {"ingest", "spark-eventlog", spark + "linkedin-dr-elephant/event_log_1"},
        {"ingest", "spark-eventlog", spark + "qubole-sparklens/local-1532512550423"}}) {
    args.insert(args.begin(), {"--store", store});
    auto r = RunTally(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto r = RunTally({"--store", store, "recommend", "--from", "2010-01-01", "--to", "2030-01-01",
                     "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json found = Json::parse(r.out);
  std::map<std::string, Json> by_consumer;
  for (const Json& row : found["rows"]) by_consumer[row["consumer"]] = row;
  // Job 974745 asked for 20 cores, 50 GiB and 80 minutes, from the file.
  std::map<std::string, std::vector<std::string>> lines;  // JobID -> fields
  std::istringstream in(testing::ReadFile(slurm + "nordichpc-sonar/sacct-output.txt"));
  double max_rss = 0;
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> f = Fields(line);
    if (f[0] == "974745") lines[f[0]] = f;
    if (f[0].rfind("974745.", 0) == 0) max_rss = std::max(max_rss, SacctBytes(f[15]));
  }
  ASSERT_TRUE(lines.contains("974745"));
  const std::vector<std::string>& job = lines["974745"];
  const double elapsed = std::stod(job[12]), cores = std::stod(job[18]);
  const double cpu_efficiency = (SacctSeconds(job[24]) + SacctSeconds(job[26])) / (cores * elapsed);
  const double memory_efficiency = max_rss / (50.0 * 1024 * 1024 * 1024);
  const double time_efficiency = elapsed / (std::stod(job[25]) * 60);
  ASSERT_TRUE(by_consumer.contains("slurm/default/974745")) << found.dump(1);
  const Json& row = by_consumer["slurm/default/974745"];
  EXPECT_EQ(row["kind"], "slurm_job");
  EXPECT_NEAR(row["evidence"]["cpu"]["efficiency"].get<double>(), cpu_efficiency, 0.001);
  EXPECT_NEAR(row["evidence"]["memory"]["efficiency"].get<double>(), memory_efficiency, 0.001);
  EXPECT_NEAR(row["evidence"]["time"]["efficiency"].get<double>(), time_efficiency, 0.001);
  EXPECT_EQ(row["evidence"]["account"], "ec35");
  EXPECT_NE(row["action"].get<std::string>().find("cpu="), std::string::npos) << row.dump();
  std::printf("slurm/default/974745: cpu %.3f, memory %.3f, time %.3f used: %s\n", cpu_efficiency,
              memory_efficiency, time_efficiency, row["action"].get<std::string>().c_str());
  // Every flagged job used under half of something it asked for; an efficient job is not
  // flagged: 973821 used 96% of its cores and 99% of its memory, only its time limit was long.
  for (const auto& [consumer, flagged] : by_consumer) {
    bool under = false;
    for (const char* key : {"cpu", "memory", "gpu", "time"}) {
      if (flagged["evidence"].contains(key)) {
        under |= flagged["evidence"][key]["efficiency"].get<double>() < 0.5;
      }
    }
    EXPECT_TRUE(under) << consumer;
  }
  ASSERT_TRUE(by_consumer.contains("slurm/default/973821"));
  EXPECT_GT(by_consumer["slurm/default/973821"]["evidence"]["cpu"]["efficiency"].get<double>(), 0.9);
  EXPECT_EQ(by_consumer["slurm/default/973821"]["action"].get<std::string>().find("cpu="),
            std::string::npos);
  // The Spark applications: executors busy a few percent of the core-hours they held, as
  // `tally usage` sums the same facts.
  auto usage = RunTally({"--store", store, "usage", "--by", "consumer", "--format", "json"});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  const Json table = Json::parse(usage.out);
  int apps = 0;
  for (const Json& u : table["rows"]) {
    if (u["resource"] != "cpu" || !by_consumer.contains(u["consumer"])) continue;
    const Json& app = by_consumer[u["consumer"]];
    if (app["kind"] != "spark_app") continue;
    ++apps;
    const double want = std::stod(u["usage"].get<std::string>()) / std::stod(u["request"].get<std::string>());
    EXPECT_NEAR(app["evidence"]["cpu"]["efficiency"].get<double>(), want, 0.001) << u.dump();
  }
  EXPECT_EQ(apps, 2);
  EXPECT_EQ(by_consumer["application_1457600942802_0093"]["evidence"]["app_name"], "PythonPi");
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// A bucket billed 10.00 a day for 14 days; its prefix raw/ (300 GiB) was last read 200 days
// before, curated/ (100 GiB) yesterday. raw/ holds 3/4 of the bucket: 7.50 a day, 105 over the
// window, 228.125 a month (730 hours of 336); an archive tier saves 80% of it: 182.50.
TEST(RecommendTest, ColdStorageFromTheLastAccess) {
  testing::TempDir dir;
  std::string bill = testing::kFocusBillHeader;
  std::string storage = "date,bucket,prefix,bytes,objects,last_access,labels\n";
  const int64_t start = 1'772'323'200;  // 2026-03-01
  for (int d = 0; d < 14; ++d) {
    const std::string day = Timestamp::FromUnixSeconds(start + d * 86400).ToString();
    const std::string next = Timestamp::FromUnixSeconds(start + (d + 1) * 86400).ToString();
    bill += "2026-03-01,2026-04-01," + day + "," + next +
            ",10,10,USD,Cloud,acct,Amazon S3,Storage,Usage,lake,{}\n";
    storage += day.substr(0, 10) + ",lake,raw/," + std::to_string(300LL << 30) +
               ",10,2025-08-13,team=ingest\n";
    storage += day.substr(0, 10) + ",lake,curated/," + std::to_string(100LL << 30) +
               ",10,2026-03-13,team=analytics\n";
  }
  testing::WriteFile(dir.File("bill.csv"), bill);
  testing::WriteFile(dir.File("storage.csv"), storage);
  const std::string store = "sqlite:" + dir.File("t.db");
  ASSERT_EQ(testing::IngestEach(
                store, {{"focus", dir.File("bill.csv")}, {"storage-csv", dir.File("storage.csv")}}),
            "");
  auto r = RunTally({"--store", store, "allocate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTally({"--store", store, "recommend", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json found = Json::parse(r.out);
  ASSERT_EQ(found["rows"].size(), 1u) << found.dump(1);
  const Json& cold = found["rows"][0];
  EXPECT_EQ(cold["kind"], "cold_storage");
  EXPECT_EQ(cold["consumer"], "lake/raw/");
  EXPECT_EQ(cold["owner"], "ingest");
  EXPECT_EQ(cold["monthly_savings"], "182.5");
  EXPECT_EQ(cold["evidence"]["days_since_access"], 214);  // 2025-08-13 to 2026-03-15
  EXPECT_EQ(cold["evidence"]["gib"], "300.0");
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// The lifecycle: a node of 16 cores billed 1.60 an hour (0.10 a core-hour). For 14 days
// app/over holds 8 cores and uses 0.8, app/idle holds 2 and uses 0.02, app/fine holds 4 and
// uses 3.8: rightsizing and abandoned are stored. For the next 14 days app/over holds 1 core and
// app/idle is gone: both are archived as applied, with the realized savings measured on the new
// allocation: app/over 0.80 -> 0.10 an hour, 584 -> 73 a month, 511 realized; app/idle 146.
TEST(RecommendTest, AppliedRecommendationsAreArchivedWithTheirRealizedSavings) {
  testing::TempDir dir;
  const std::string store = "sqlite:" + dir.File("t.db");
  const int64_t start = 1'772'323'200;  // 2026-03-01
  auto period = [&](int first_day, const std::string& name,
                    const std::vector<std::tuple<std::string, double, double>>& apps) {
    std::string bill = testing::kFocusBillHeader;
    std::string inventory = "start,end,asset,resource,capacity,unit,labels\n";
    std::string usage = "start,end,consumer,asset,resource,request,usage,unit,labels\n";
    for (int h = first_day * 24; h < (first_day + 14) * 24; ++h) {
      const std::string from = Timestamp::FromUnixSeconds(start + int64_t{h} * 3600).ToString();
      const std::string to = Timestamp::FromUnixSeconds(start + int64_t{h + 1} * 3600).ToString();
      bill += "2026-03-01,2026-04-01," + from + "," + to +
              ",1.6,1.6,USD,Cloud,acct,Compute,Compute,Usage,node-a,{}\n";
      inventory += from + "," + to + ",node-a,cpu,16,core,\n";
      for (const auto& [app, request, used] : apps) {
        char line[160];
        std::snprintf(line, sizeof line, "%s,node-a,cpu,%g,%g,core,team=shop\n", app.c_str(),
                      request, used);
        usage += from + "," + to + "," + line;
      }
    }
    testing::WriteFile(dir.File(name + "-bill.csv"), bill);
    testing::WriteFile(dir.File(name + "-inventory.csv"), inventory);
    testing::WriteFile(dir.File(name + "-usage.csv"), usage);
    ASSERT_EQ(testing::IngestEach(store, {{"focus", dir.File(name + "-bill.csv")},
                                          {"inventory", dir.File(name + "-inventory.csv")},
                                          {"usage-csv", dir.File(name + "-usage.csv")}}),
              "");
    auto r = RunTally({"--store", store, "allocate"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  period(0, "first", {{"app/over/main", 8, 0.8}, {"app/idle/main", 2, 0.02}, {"app/fine/main", 4, 3.8}});
  auto r = RunTally({"--store", store, "recommend", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The two wastes, and the node's steady on-demand cost as a commitment.
  EXPECT_NE(r.err.find("3 open (3 new)"), std::string::npos) << r.err << r.out;
  // A filtered run stores nothing and archives nothing.
  r = RunTally({"--store", store, "recommend", "--kind", "abandoned"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("open"), std::string::npos) << r.err;

  period(14, "second", {{"app/over/main", 1, 0.8}, {"app/fine/main", 4, 3.8}});
  r = RunTally({"--store", store, "recommend", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Json::parse(r.out)["rows"].size(), 1u) << r.out;  // the commitment still holds
  EXPECT_NE(r.err.find("1 open (0 new); archived 2 applied (realizing 657 a month)"),
            std::string::npos)
      << r.err;
  r = RunTally({"--store", store, "recommend", "history", "--state", "applied", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, Json> history;
  const Json rows = Json::parse(r.out)["rows"];
  for (const Json& row : rows) history[row["id"]] = row;
  ASSERT_EQ(history.size(), 2u) << r.out;
  EXPECT_EQ(history["rightsizing:app/over/main"]["realized"], "511");
  EXPECT_EQ(history["abandoned:app/idle/main"]["realized"], "146");
  EXPECT_EQ(history["abandoned:app/idle/main"]["reason"], "it costs nothing now");
  // Nothing stays open; running again archives nothing twice.
  r = RunTally({"--store", store, "recommend"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("archived 0 applied"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tally
