// A real Slurm on loopback (scripts/slurm-loopback.sh: munge, MariaDB, slurmdbd, slurmctld,
// slurmd with 4 GPUs declared as gres): jobs of two accounts run, `tally collect slurm` reads
// them, and core-hours and GPU-hours per account equal what sacct itself reports, summed here
// (allocated TRES x elapsed over allocations); collecting again changes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "policy/slurm_actuator.h"
#include "tally/decimal.h"
#include "testing/process.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::CommandResult;

class SlurmLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    script_ = std::string(TALLY_SOURCE_DIR) + "/scripts/slurm-loopback.sh";
    CommandResult up = testing::RunCommand("/bin/bash", {script_, "start", dir_.File("slurm")});
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
    conf_ = dir_.File("slurm") + "/slurm.conf";
  }
  void TearDown() override { testing::RunCommand("/bin/bash", {script_, "stop", dir_.File("slurm")}); }

  // A Slurm client command against the test cluster.
  CommandResult Slurm(const std::string& command, std::vector<std::string> args) {
    // Batch output goes to /dev/null, not slurm-<id>.out in the test's working directory.
    if (command == "sbatch") args.insert(args.begin(), "--output=/dev/null");
    args.insert(args.begin(), {"SLURM_CONF=" + conf_, "TZ=UTC", command});
    return testing::RunCommand("/usr/bin/env", args);
  }
  CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return testing::RunTally(args);
  }
  // Waits until sacct shows `jobs` allocations, all finished.
  void WaitForJobs(size_t jobs) {
    for (int i = 0; i < 300; ++i) {
      CommandResult r = Slurm("sacct", {"-a", "-X", "-n", "-P", "--format=State"});
      size_t done = 0, seen = 0;
      std::istringstream in(r.out);
      for (std::string state; std::getline(in, state);) {
        ++seen;
        done += state == "COMPLETED" ? 1 : 0;
      }
      if (seen == jobs && done == jobs) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL() << "jobs did not complete";
  }

  testing::TempDir dir_;
  std::string script_, conf_;
};

// account -> (core-seconds, GPU-seconds), from sacct's own allocation lines.
std::map<std::string, std::pair<int64_t, int64_t>> SacctSums(const std::string& out) {
  std::map<std::string, std::pair<int64_t, int64_t>> sums;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '|');) f.push_back(cell);
    if (f.size() != 3) continue;
    int64_t cpu = 0, gpu = 0;
    std::istringstream tres(f[1]);
    for (std::string item; std::getline(tres, item, ',');) {
      if (item.starts_with("cpu=")) cpu = std::stoll(item.substr(4));
      if (item.starts_with("gres/gpu=")) gpu = std::stoll(item.substr(9));
    }
    sums[f[0]].first += cpu * std::stoll(f[2]);
    sums[f[0]].second += gpu * std::stoll(f[2]);
  }
  return sums;
}

// The same from `tally usage --by label.account` (hours back to whole seconds).
std::map<std::string, std::pair<int64_t, int64_t>> TallySums(const std::string& csv) {
  std::map<std::string, std::pair<int64_t, int64_t>> sums;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) f.push_back(cell);
    if (f.size() < 4 || (f[1] != "cpu" && f[1] != "gpu")) continue;
    const Decimal seconds = *Decimal::Parse(f[3])->Multiply(Decimal::FromUnits(3600));
    const int64_t whole = static_cast<int64_t>(seconds.Round(0).raw() / Decimal::kOne);
    (f[1] == "cpu" ? sums[f[0]].first : sums[f[0]].second) += whole;
  }
  return sums;
}

TEST_F(SlurmLiveTest, CoreAndGpuHoursPerAccountMatchSacctAndRecollectingChangesNothing) {
  ASSERT_EQ(Slurm("sbatch", {"-A", "accta", "--gres=gpu:2", "-c", "1", "--mem=100", "--wrap",
                             "sleep 3"}).exit_code, 0);
  ASSERT_EQ(Slurm("sbatch", {"-A", "acctb", "-c", "2", "--mem=200", "--wrap", "sleep 2"})
                .exit_code, 0);
  ASSERT_EQ(Slurm("sbatch", {"-A", "accta", "--gres=gpu:1", "-c", "1", "--mem=50", "--wrap",
                             "sleep 1"}).exit_code, 0);
  WaitForJobs(3);

  CommandResult collect = Tally({"collect", "slurm", "--slurm-conf", conf_});
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  EXPECT_NE(collect.out.find("3 job allocations"), std::string::npos) << collect.out;
  EXPECT_NE(collect.out.find("1 nodes"), std::string::npos) << collect.out;

  CommandResult usage = Tally({"usage", "--by", "label.account", "--format", "csv"});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  const auto want = SacctSums(
      Slurm("sacct", {"-a", "-X", "-n", "-P", "--format=Account,AllocTRES,ElapsedRaw"}).out);
  ASSERT_EQ(want.size(), 2u);
  EXPECT_GT(want.at("accta").second, 0);  // GPU-seconds
  EXPECT_EQ(TallySums(usage.out), want) << usage.out;

  // The node's capacity: its CPUs and the 4 GPUs of gres.conf, hour by hour.
  CommandResult assets = Tally({"assets", "--format", "csv"});
  EXPECT_NE(assets.out.find(",100,,\n"), std::string::npos) << assets.out;  // 25 hours x 4 GPUs

  // Collecting again: the jobs replace themselves.
  CommandResult again = Tally({"collect", "slurm", "--slurm-conf", conf_});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Tally({"usage", "--by", "label.account", "--format", "csv"}).out, usage.out);
}

// `tally serve` collects a `kind: slurm` source of tally.yaml on its own.
TEST_F(SlurmLiveTest, ServeCollectsASlurmSource) {
  ASSERT_EQ(Slurm("sbatch", {"-A", "acctb", "-c", "1", "--mem=100", "--wrap", "sleep 1"})
                .exit_code, 0);
  WaitForJobs(1);
  testing::WriteFile(dir_.File("tally.yaml"), "sources:\n  - name: hpc\n    kind: slurm\n"
                                              "    slurm_conf: " + conf_ + "\n    every: 1h\n");
  std::string failure;
  const std::string hpc = testing::ServeUntilCollected(dir_.File("t.db"), dir_.File("tally.yaml"),
                                                       "hpc", dir_.File("serve.log"), &failure);
  ASSERT_NE(hpc, "") << failure;
  EXPECT_EQ(nlohmann::json::parse(hpc)["last_error"], "");
  const auto want = SacctSums(
      Slurm("sacct", {"-a", "-X", "-n", "-P", "--format=Account,AllocTRES,ElapsedRaw"}).out);
  EXPECT_EQ(TallySums(Tally({"usage", "--by", "label.account", "--format", "csv"}).out), want);
}

TEST_F(SlurmLiveTest, AMissingOrFailingCommandFailsClearlyWithNothingStored) {
  CommandResult missing = Tally({"collect", "slurm", "--slurm-conf", conf_, "--sacct",
                                 "no-such-sacct"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no-such-sacct: not found"), std::string::npos) << missing.err;
  // sacct retries a missing configuration for about a minute: the timeout stops it.
  CommandResult stuck = Tally({"collect", "slurm", "--slurm-conf", dir_.File("none.conf"),
                               "--timeout", "2"});
  EXPECT_EQ(stuck.exit_code, 1);
  EXPECT_NE(stuck.err.find("sacct: ran longer than 2 s (killed)"), std::string::npos)
      << stuck.err;
  EXPECT_EQ(Tally({"usage", "--by", "consumer", "--format", "csv"}).out.find("slurm/"),
            std::string::npos);
}

// Policies' Slurm actuator on the real cluster: a pending job is held, a running one suspended,
// and an account's GrpTRES is set, then read back with sacctmgr itself.
TEST_F(SlurmLiveTest, TheSlurmActuatorHoldsJobsAndLimitsAccounts) {
  CommandResult later = Slurm("sbatch", {"--parsable", "-A", "accta", "--begin=now+1hour", "-c",
                                         "1", "--mem=50", "--wrap", "sleep 1"});
  ASSERT_EQ(later.exit_code, 0) << later.err;
  const std::string job = later.out.substr(0, later.out.find_first_of(";\n"));
  SlurmActuator slurm(conf_);
  Policy policy;
  policy.name = "hold";
  PolicyCandidate target;
  target.resource = PolicyResource::kSlurmJob;
  target.id = "slurm/tally/" + job;
  target.name = job;
  PlannedAction hold{"a1", "t1", &policy, &target, 0, PolicyAction{"suspend", {}}, {}, ""};
  auto held = slurm.Apply(hold);
  ASSERT_TRUE(held.ok()) << held.status().message();
  EXPECT_NE(held->before.find("PENDING"), std::string::npos) << held->before;
  EXPECT_NE(held->after.find("(held)"), std::string::npos) << held->after;
  // Read back independently: scontrol says it is held.
  CommandResult show = Slurm("scontrol", {"show", "job", job});
  EXPECT_NE(show.out.find("Reason=JobHeld"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("Priority=0"), std::string::npos) << show.out;

  PolicyCandidate account;
  account.resource = PolicyResource::kSlurmAccount;
  account.id = account.name = "acctb";
  PlannedAction limit{"a2", "t2", &policy, &account, 0,
                      PolicyAction{"throttle", {{"cpu", "2"}, {"gpu", "1"}}}, {}, ""};
  auto limited = slurm.Apply(limit);
  ASSERT_TRUE(limited.ok()) << limited.status().message();
  CommandResult assoc = Slurm("sacctmgr", {"-n", "-P", "show", "association", "where",
                                           "account=acctb", "user=", "format=GrpTRES"});
  ASSERT_EQ(assoc.exit_code, 0) << assoc.err;
  EXPECT_NE(assoc.out.find("cpu=2"), std::string::npos) << assoc.out;
  EXPECT_NE(assoc.out.find("gres/gpu=1"), std::string::npos) << assoc.out;
  EXPECT_NE(limited->after.find("cpu=2"), std::string::npos) << limited->after;
  EXPECT_EQ(limited->before.find("cpu=2"), std::string::npos) << limited->before;
  Slurm("scancel", {job});
}

}  // namespace
}  // namespace tally
