// Slurm accounting: for every sample, core-hours and GPU-hours per account equal an independent
// sum of allocated TRES x elapsed over job allocations, steps excluded (computed here from the
// raw text with its own splitting, and from the JSON with nlohmann-json, without hours).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/input_file.h"
#include "ingest/telemetry/slurm/sacct_readers.h"
#include "ingest/telemetry/slurm/slurm_nodes.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using nlohmann::json;

std::string SlurmDir() { return testing::SharedDataDir() + "/telemetry/slurm"; }

const char* kSonarFields =
    "JobID,JobIDRaw,User,Account,State,Start,End,AveCPU,AveDiskRead,AveDiskWrite,AveRSS,"
    "AveVMSize,ElapsedRaw,ExitCode,Layout,MaxRSS,MaxVMSize,MinCPU,ReqCPUS,ReqMem,ReqNodes,"
    "Reservation,Submit,Suspended,SystemCPU,TimelimitRaw,UserCPU,NodeList,Partition,AllocTRES,"
    "Priority,JobName";

// account -> (core-seconds, gpu-seconds)
using Sums = std::map<std::string, std::pair<int64_t, int64_t>>;

int64_t TresCount(const std::string& tres, const std::string& key) {
  int64_t typed = 0;
  for (size_t pos = 0; pos < tres.size();) {
    size_t comma = tres.find(',', pos);
    if (comma == std::string::npos) comma = tres.size();
    const std::string item = tres.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t eq = item.find('=');
    if (item.substr(0, eq) == key) return std::stoll(item.substr(eq + 1));
    if (key == "gres/gpu" && item.starts_with("gres/gpu:")) typed += std::stoll(item.substr(eq + 1));
  }
  return typed;
}

// "3-00:00:00", "2-22:03:04", "00:05:10" as seconds.
int64_t ElapsedSeconds(const std::string& text) {
  int64_t days = 0, h = 0, m = 0, s = 0;
  if (text.find('-') != std::string::npos) {
    std::sscanf(text.c_str(), "%ld-%ld:%ld:%ld", &days, &h, &m, &s);
  } else {
    std::sscanf(text.c_str(), "%ld:%ld:%ld", &h, &m, &s);
  }
  return ((days * 24 + h) * 60 + m) * 60 + s;
}

Sums FromText(const std::string& path, int raw, int account, int elapsed, bool elapsed_raw,
              int alloc, int start) {
  Sums sums;
  const std::string text = testing::ReadFile(path);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    std::vector<std::string> f;
    std::string cur;
    for (char ch : line) {
      if (ch == '|') { f.push_back(cur); cur.clear(); } else { cur += ch; }
    }
    f.push_back(cur);
    if (f.size() <= static_cast<size_t>(alloc) || f[raw].find('.') != std::string::npos) continue;
    if (f[start] == "Unknown" || f[start] == "None") continue;  // pending: nothing reserved
    const int64_t secs = elapsed_raw ? std::stoll(f[elapsed]) : ElapsedSeconds(f[elapsed]);
    sums[f[account]].first += TresCount(f[alloc], "cpu") * secs;
    sums[f[account]].second += TresCount(f[alloc], "gres/gpu") * secs;
  }
  return sums;
}

Sums FromSacctJson(const std::string& path) {
  Sums sums;
  const json doc = json::parse(testing::ReadFile(path));
  for (const json& j : doc["jobs"]) {
    int64_t cpu = 0, gpu = 0;
    for (const json& t : j["tres"]["allocated"]) {
      if (t["type"] == "cpu") cpu += t["count"].get<int64_t>();
      if (t["type"] == "gres" && t["name"].get<std::string>().starts_with("gpu")) gpu += t["count"].get<int64_t>();
    }
    const json& start = j["time"]["start"];
    const int64_t started = start.is_object() ? start["number"].get<int64_t>() : start.get<int64_t>();
    if (started == 0) continue;
    const int64_t secs = j["time"]["elapsed"];
    sums[j["account"]].first += cpu * secs;
    sums[j["account"]].second += gpu * secs;
  }
  return sums;
}

// The same from what tally stores.
Sums Stored(const SlurmJobSet& set, int64_t now, int64_t* facts) {
  JobUsage usage("slurm");
  for (const SlurmJob& job : set.jobs()) EXPECT_TRUE(AddSlurmJob(job, now, &usage).ok());
  auto batches = usage.Finish();
  EXPECT_TRUE(batches.ok());
  std::map<std::string, std::pair<Decimal, Decimal>> hours;
  *facts = 0;
  for (const UsageBatch& b : *batches) {
    for (const UsageFact& f : b.usage()) {
      const Labels& labels = b.consumers()[f.consumer].labels;
      const std::string account = labels.contains("account") ? labels.at("account") : "";
      if (f.resource == "cpu") hours[account].first += f.request;
      if (f.resource == "gpu") hours[account].second += f.request;
      ++*facts;
    }
  }
  Sums sums;  // back to seconds, rounded: facts are exact to 1e-18 each
  for (const auto& [account, h] : hours) {
    auto seconds = [](Decimal d) {
      const Decimal s = *d.Multiply(Decimal::FromUnits(3600));
      return static_cast<int64_t>(s.Round(0).raw() / Decimal::kOne);
    };
    sums[account] = {seconds(h.first), seconds(h.second)};
  }
  return sums;
}

void ExpectSame(const Sums& want, const Sums& got) {
  for (const auto& [account, s] : want) {
    if (s.first == 0 && s.second == 0) continue;
    ASSERT_TRUE(got.contains(account)) << account;
    EXPECT_EQ(got.at(account).first, s.first) << account << " core-seconds";
    EXPECT_EQ(got.at(account).second, s.second) << account << " gpu-seconds";
  }
  for (const auto& [account, s] : got) {
    if (s.first != 0 || s.second != 0) {
      EXPECT_TRUE(want.contains(account)) << account;
    }
  }
}

TEST(SlurmSacctTest, XdmodLayoutCoreAndGpuHoursPerAccount) {
  for (const char* name : {"phillips.log", "accounting-logs.log", "accounting-logs-with-job-arrays.log"}) {
    SCOPED_TRACE(name);
    const std::string path = SlurmDir() + "/xdmod/" + name;
    SlurmJobSet set("x");
    std::vector<SlurmLineProblem> problems;
    ASSERT_TRUE(set.AddText(testing::ReadFile(path), path, XdmodSacctFields(), &problems).ok());
    EXPECT_TRUE(problems.empty()) << problems[0].reason;
    int64_t facts = 0;
    const Sums got = Stored(set, set.latest(), &facts);
    // jobidraw 1, account 5, start 12, elapsed 14, alloctres 22.
    ExpectSame(FromText(path, 1, 5, 14, false, 22, 12), got);
    if (std::string(name) == "phillips.log") {
      EXPECT_EQ(set.jobs().size(), 4285u);
      int64_t gpu_jobs = 0;
      for (const SlurmJob& j : set.jobs()) gpu_jobs += j.Gpus().is_zero() ? 0 : 1;
      EXPECT_EQ(gpu_jobs, 2);
    }
  }
}

TEST(SlurmSacctTest, HeaderlessFieldsWithStepsFoldedIn) {
  const std::string path = SlurmDir() + "/nordichpc-sonar/sacct-output.txt";
  SlurmJobSet set("fox");
  std::vector<SlurmLineProblem> problems;
  std::vector<std::string> fields;
  for (std::string f : {std::string(kSonarFields)}) {
    size_t pos = 0;
    while (pos <= f.size()) {
      size_t comma = f.find(',', pos);
      if (comma == std::string::npos) comma = f.size();
      fields.push_back(f.substr(pos, comma - pos));
      pos = comma + 1;
    }
  }
  ASSERT_TRUE(set.AddText(testing::ReadFile(path), path, fields, &problems).ok());
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(set.jobs().size(), 29u);
  EXPECT_EQ(set.steps(), 67);
  int64_t facts = 0;
  // jobidraw 1, account 3, start 5, elapsedraw 12, alloctres 29.
  ExpectSame(FromText(path, 1, 3, 12, true, 29, 5), Stored(set, set.latest(), &facts));
  // The first job: UserCPU 11:06:33 + SystemCPU 22:53.824 of the allocation line, and its
  // largest step MaxRSS (973821.0: 10121984K).
  const SlurmJob& first = set.jobs()[0];
  EXPECT_EQ(first.job_id_raw, "973821");
  EXPECT_EQ(first.cpu_seconds->ToString(), "41366.824");
  EXPECT_EQ(first.max_rss_bytes->ToString(), std::to_string(int64_t{10121984} * 1024));
  EXPECT_EQ(first.nodes, std::vector<std::string>{"c1-28"});
  // Its time limit (TimelimitRaw 400 minutes) against its 7,164 s: walltime request and usage.
  JobUsage usage("slurm");
  ASSERT_TRUE(AddSlurmJob(first, set.latest(), &usage).ok());
  Decimal limit, used;
  auto batches = usage.Finish();
  ASSERT_TRUE(batches.ok());
  for (const UsageBatch& b : *batches) {
    for (const UsageFact& f : b.usage()) {
      if (f.resource != "walltime") continue;
      EXPECT_EQ(f.unit, "hour");
      EXPECT_EQ(f.asset, kNoAsset);
      limit += f.request;
      used += f.usage;
    }
  }
  EXPECT_EQ(limit.Round(12).ToString(), "6.666666666667");  // 400 / 60
  EXPECT_EQ(used.Round(12).ToString(), "1.99");             // 7164 / 3600
}

TEST(SlurmSacctTest, SacctJsonAcrossDataParserVersions) {
  for (const char* name : {"mila-clockwork/sacct_1", "mila-SARC/slurm_21_8_8.json",
                           "mila-SARC/slurm_22_5_9.json", "mila-SARC/slurm_23_2_6.json",
                           "mila-SARC/slurm_23_11_5.json", "mila-SARC/fromage_1714003200.json"}) {
    SCOPED_TRACE(name);
    const std::string path = SlurmDir() + "/" + name;
    SlurmJobSet set("c");
    std::vector<SlurmLineProblem> problems;
    ASSERT_TRUE(set.AddJson(testing::ReadFile(path), path, &problems).ok());
    EXPECT_TRUE(problems.empty());
    ASSERT_FALSE(set.jobs().empty());
    int64_t facts = 0;
    const Sums got = Stored(set, set.latest(), &facts);
    ExpectSame(FromSacctJson(path), got);
    int64_t gpus = 0;
    for (const auto& [account, s] : got) gpus += s.second;
    EXPECT_GT(gpus, 0);  // every sample has GPU jobs
  }
}

TEST(SlurmSacctTest, SlurmrestdJobList) {
  const std::string path = SlurmDir() + "/telegraf/jobs.json";
  SlurmJobSet set("local");
  std::vector<SlurmLineProblem> problems;
  ASSERT_TRUE(set.AddJson(testing::ReadFile(path), path, &problems).ok());
  ASSERT_EQ(set.jobs().size(), 3u);
  // The completed job: 8 cpus from 1723457333 to 1723463525; the running ones count up to the
  // newest time in the list (that job's end).
  int64_t facts = 0;
  const Sums got = Stored(set, set.latest(), &facts);
  const int64_t want = 8 * (1723463525 - 1723457333) + 2 * (1723463525 - 1722989851) +
                       2 * (1723463525 - 1722990772);
  EXPECT_EQ(got.at("").first, want);
}

TEST(SlurmSacctTest, HostlistsAndValues) {
  EXPECT_EQ(*ExpandHostlist("cpn-f15-[27-29]"),
            (std::vector<std::string>{"cpn-f15-27", "cpn-f15-28", "cpn-f15-29"}));
  EXPECT_EQ(*ExpandHostlist("d09n04s[01-02],d13n[03,05,07-08],k1"),
            (std::vector<std::string>{"d09n04s01", "d09n04s02", "d13n03", "d13n05", "d13n07",
                                      "d13n08", "k1"}));
  EXPECT_EQ(*ExpandHostlist("r[1-2]n[1-2]"),
            (std::vector<std::string>{"r1n1", "r2n1", "r1n2", "r2n2"}));
  EXPECT_FALSE(ExpandHostlist("a[1-").ok());
  EXPECT_FALSE(ExpandHostlist("a[5-1]").ok());
  EXPECT_FALSE(ExpandHostlist("a[1-99999999999]").ok());  // bounded, not allocated
  EXPECT_EQ(ParseSlurmDuration("2-22:03:04")->ToString(), "252184");
  EXPECT_EQ(ParseSlurmDuration("22:53.824")->ToString(), "1373.824");
  EXPECT_FALSE(ParseSlurmDuration("UNLIMITED").has_value());
  EXPECT_EQ(ParseSlurmSize("51.54M")->ToString(), "54043607.04");
  EXPECT_EQ(ParseTres("billing=6,cpu=6,mem=10000M,node=1")->at("mem").ToString(), "10000");
  EXPECT_EQ(ParseTres("cpu=1,mem=1.5G")->at("mem").ToString(), "1536");
  EXPECT_FALSE(ParseTres("cpu").ok());
  EXPECT_EQ(ParseSlurmTime("2024-11-13T11:08:00"), 1731496080);
  EXPECT_FALSE(ParseSlurmTime("Unknown").has_value());
}

TEST(SlurmSacctTest, SinfoNodesOncePerNameWithTheirGpus) {
  auto nodes = ParseSinfoNodes("gpu-1|64|515000|gpu:a100:4(S:0-1)\n"
                               "cpu-1|32|128000|(null)\n"
                               "gpu-1|64|515000|gpu:a100:4(S:0-1)\n"  // a second partition
                               "mix-1|16|64000|gpu:v100:1,gpu:t4:2,shard:8\n");
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  ASSERT_EQ(nodes->size(), 3u);
  EXPECT_EQ((*nodes)[0].name, "cpu-1");
  EXPECT_EQ((*nodes)[0].gpus, 0);
  EXPECT_EQ((*nodes)[1].name, "gpu-1");
  EXPECT_EQ((*nodes)[1].cpus, 64);
  EXPECT_EQ((*nodes)[1].memory_mib, 515000);
  EXPECT_EQ((*nodes)[1].gpus, 4);
  EXPECT_EQ((*nodes)[2].gpus, 3);
  EXPECT_EQ(GpusInGres("gpu:4"), 4);
  auto bad = ParseSinfoNodes("n1|lots|100|(null)\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("sinfo line 1"), std::string::npos);
  EXPECT_FALSE(ParseSinfoNodes("n1|4\n").ok());
}

TEST(SlurmSacctTest, BadLinesAreReportedAndSkipped) {
  const std::string text =
      "JobID|JobIDRaw|Account|Start|Elapsed|AllocTRES|NodeList\n"
      "1|1|a|2024-01-01T00:00:00|01:00:00|cpu=2|n1\n"
      "2|2|a|2024-01-01T00:00:00|01:00:00|cpu|n1\n"       // bad TRES
      "3|3|a|2024-01-01T00:00:00|01:00:00|cpu=2|n[1-\n"   // bad hostlist
      "4|4|a|2024-01-01T00:00:00|01:00:00|cpu=2|n1|x\n"   // a field too many
      "5.batch|5.batch|a|2024-01-01T00:00:00|01:00:00||n1\n"  // a step without its job
      "6|6|a|2024-01-01T00:0";                            // cut off
  SlurmJobSet set("c");
  std::vector<SlurmLineProblem> problems;
  ASSERT_TRUE(set.AddText(text, "f", {}, &problems).ok());
  ASSERT_EQ(set.jobs().size(), 1u);
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_EQ(problems[0].line, 3);
  EXPECT_EQ(problems[4].line, 7);
  EXPECT_FALSE(set.AddText("Foo|Bar\n1|2\n", "g", {}, &problems).ok());
  EXPECT_FALSE(set.AddJson("{\"meta\":{}}", "h", &problems).ok());
  EXPECT_FALSE(set.AddJson("{\"jobs\":[", "h", &problems).ok());
}

TEST(SlurmSacctTest, ARecordReadTwiceCountsOnce) {
  const std::string path = SlurmDir() + "/xdmod/accounting-logs.log";
  SlurmJobSet once("x"), twice("x");
  std::vector<SlurmLineProblem> problems;
  ASSERT_TRUE(once.AddText(testing::ReadFile(path), path, XdmodSacctFields(), &problems).ok());
  ASSERT_TRUE(twice.AddText(testing::ReadFile(path), path, XdmodSacctFields(), &problems).ok());
  ASSERT_TRUE(twice.AddText(testing::ReadFile(path), path, XdmodSacctFields(), &problems).ok());
  int64_t f1 = 0, f2 = 0;
  EXPECT_EQ(Stored(once, once.latest(), &f1), Stored(twice, twice.latest(), &f2));
  EXPECT_EQ(f1, f2);
}

}  // namespace
}  // namespace tally
