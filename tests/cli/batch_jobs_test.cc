// Spark applications and Slurm jobs on hosts that carry cost: they allocate like any other
// consumer, the bill reconciles exactly (allocated + idle + unallocated = bill), and reading the
// same logs and accounting again changes nothing.
#include <gtest/gtest.h>

#include <sstream>

#include "tally/decimal.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

class BatchJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two Slurm jobs (and a pending one) on n1 and n2; the Spark application of the sample log
    // (2021-06-04 20:58 to 20:59 UTC) on host1 and host4..com.
    testing::WriteFile(dir_.File("sacct.txt"),
                       "JobID|JobIDRaw|Cluster|Account|User|Partition|QOS|State|Start|End|"
                       "Elapsed|AllocTRES|NodeList|TotalCPU\n"
                       "7|7|hpc|physics|ann|gpu|normal|COMPLETED|2021-06-04T20:30:00|"
                       "2021-06-04T21:30:00|01:00:00|cpu=8,mem=16G,gres/gpu=2,billing=10|"
                       "n[1-2]|04:00:00\n"
                       "8|8|hpc|chemistry|bob|cpu|normal|COMPLETED|2021-06-04T20:00:00|"
                       "2021-06-04T22:00:00|02:00:00|cpu=4,mem=8G,billing=4|n2|06:00:00\n"
                       "9|9|hpc|chemistry|bob|cpu|normal|PENDING|Unknown|Unknown|00:00:00|||"
                       "00:00:00\n");
    std::string inventory = "start,end,asset,resource,capacity,unit,labels\n";
    std::string bill =
        "BillingAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,"
        "EffectiveCost,BilledCost,ServiceName,ResourceId\n";
    for (const char* host : {"host1", "n1", "n2"}) {
      for (const char* line : {",cpu,16,core,\n", ",memory,64,GiB,\n", ",gpu,4,gpu,\n"}) {
        inventory += std::string("2021-06-04T20:00:00Z,2021-06-04T22:00:00Z,") + host + line;
      }
      for (const char* hour : {"20", "21"}) {
        bill += std::string("acct,OnPrem,2021-06-01,2021-06-04T") + hour + ":00:00Z,2021-06-04T" +
                (hour[1] == '0' ? "21" : "22") + ":00:00Z,10.01,10.01,Compute," + host + "\n";
      }
    }
    testing::WriteFile(dir_.File("inventory.csv"), inventory);
    testing::WriteFile(dir_.File("bill.csv"), bill);
    Ingest();
    for (auto args : std::vector<std::vector<std::string>>{
             {"ingest", "inventory", dir_.File("inventory.csv")},
             {"ingest", "focus", dir_.File("bill.csv")}}) {
      auto r = Tally(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  void Ingest() {
    auto spark = Tally({"ingest", "spark-eventlog",
                        testing::SharedDataDir() +
                            "/telemetry/spark/nvidia-spark-rapids-tools/rp_nosql_eventlog"});
    ASSERT_EQ(spark.exit_code, 0) << spark.err;
    auto slurm = Tally({"ingest", "slurm-sacct", dir_.File("sacct.txt")});
    ASSERT_EQ(slurm.exit_code, 0) << slurm.err;
  }
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File("t.db")});
    return RunTally(args);
  }
  // Rows of a CSV output, split on commas.
  static std::vector<std::vector<std::string>> Csv(const std::string& out) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> cells;
      std::istringstream cells_in(line);
      for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
      rows.push_back(cells);
    }
    return rows;
  }
  testing::TempDir dir_;
};

TEST_F(BatchJobsTest, SparkAndSlurmConsumersAllocateAndReconcileExactly) {
  auto allocate = Tally({"allocate"});
  ASSERT_EQ(allocate.exit_code, 0) << allocate.err;
  auto reconcile = Tally({"reconcile", "--format", "csv"});
  ASSERT_EQ(reconcile.exit_code, 0) << reconcile.out << reconcile.err;
  const auto rows = Csv(reconcile.out);
  ASSERT_GE(rows.size(), 2u);
  ASSERT_EQ(rows[1][0], "OnPrem");
  const Decimal bill = *Decimal::Parse(rows[1][1]);
  EXPECT_EQ(bill.ToString(), "60.06");  // 3 hosts x 2 hours x $10.01
  EXPECT_EQ((*Decimal::Parse(rows[1][2]) + *Decimal::Parse(rows[1][3]) +
             *Decimal::Parse(rows[1][4])), bill);

  auto showback = Tally({"report", "showback", "--by", "consumer", "--format", "csv"});
  ASSERT_EQ(showback.exit_code, 0) << showback.err;
  Decimal sum;
  std::map<std::string, Decimal> cost;
  for (const auto& row : Csv(showback.out)) {
    if (row.size() != 2 || row[0] == "consumer") continue;
    cost[row[0]] = *Decimal::Parse(row[1]);
    sum += cost[row[0]];
  }
  EXPECT_EQ(sum, bill);
  for (const char* consumer : {"application_1603128018386_7756", "slurm/hpc/7", "slurm/hpc/8"}) {
    ASSERT_TRUE(cost.contains(consumer)) << showback.out;
    EXPECT_GT(cost[consumer], Decimal()) << consumer;
  }
  EXPECT_FALSE(cost.contains("slurm/hpc/9"));  // pending: nothing reserved
  // Job 7 holds 4 cores and a GPU on each of n1 and n2 for an hour; job 8 4 cores of n2 for two.
  auto by_account = Tally({"report", "showback", "--by", "label.account", "--format", "csv"});
  EXPECT_NE(by_account.out.find("\nphysics,"), std::string::npos) << by_account.out;
  EXPECT_NE(by_account.out.find("\nchemistry,"), std::string::npos) << by_account.out;
}

TEST_F(BatchJobsTest, CoreAndGpuHoursPerAccountAndReadingAgainChangesNothing) {
  auto usage = Tally({"usage", "--by", "label.account", "--format", "csv"});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  EXPECT_NE(usage.out.find("\nphysics,cpu,core,8,4,"), std::string::npos) << usage.out;
  EXPECT_NE(usage.out.find("\nphysics,gpu,gpu,2,0,"), std::string::npos) << usage.out;
  EXPECT_NE(usage.out.find("\nchemistry,cpu,core,8,6,"), std::string::npos) << usage.out;
  ASSERT_EQ(Tally({"allocate"}).exit_code, 0);
  const std::string showback = Tally({"report", "showback", "--by", "consumer"}).out;

  Ingest();
  EXPECT_EQ(Tally({"usage", "--by", "label.account", "--format", "csv"}).out, usage.out);
  ASSERT_EQ(Tally({"allocate"}).exit_code, 0);
  EXPECT_EQ(Tally({"report", "showback", "--by", "consumer"}).out, showback);
}

TEST_F(BatchJobsTest, BadInputFailsWithNothingStored) {
  const std::string before = Tally({"usage", "--by", "consumer", "--format", "csv"}).out;
  testing::WriteFile(dir_.File("notes.txt"), "not an event log\n");
  auto spark = Tally({"ingest", "spark-eventlog", dir_.File("notes.txt")});
  EXPECT_EQ(spark.exit_code, 1);
  EXPECT_NE(spark.err.find("not a Spark event log"), std::string::npos) << spark.err;
  auto sacct = Tally({"ingest", "slurm-sacct", dir_.File("notes.txt")});
  EXPECT_EQ(sacct.exit_code, 1);
  EXPECT_NE(sacct.err.find("no JobIDRaw or JobID field"), std::string::npos) << sacct.err;
  auto layout = Tally({"ingest", "slurm-sacct", "--layout", "csv", dir_.File("sacct.txt")});
  EXPECT_EQ(layout.exit_code, 2);
  EXPECT_EQ(Tally({"usage", "--by", "consumer", "--format", "csv"}).out, before);
}

}  // namespace
}  // namespace tally
