// What `tally ingest auto` says a file is, from its first bytes: each kind tally reads, told
// apart from bills and from what it does not read.
#include "ingest/input_kinds.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

TEST(InputKindsTest, BillsByTheirCostColumn) {
  EXPECT_EQ(DetectInputKindOfText("BillingPeriodStart,BilledCost,EffectiveCost\n").bill_format,
            "focus");
  EXPECT_EQ(DetectInputKindOfText("\xEF\xBB\xBF\"lineItem/UnblendedCost\",x\n").bill_format,
            "aws-cur");
  EXPECT_FALSE(DetectInputKindOfText("name,amount\na,1\n").is_bill());
}

TEST(InputKindsTest, EveryTelemetryKindNamesItsCommand) {
  const std::pair<const char*, const char*> cases[] = {
      {"# HELP kube_pod_info x\n# TYPE kube_pod_info gauge\n", "tally ingest kube-scrape"},
      {"<?xml version=\"1.0\"?>\n<nvidia_smi_log>\n", "tally ingest gpu"},
      {"name, pci.bus_id, memory.total [MiB]\nA100, 0, 1\n", "tally ingest gpu"},
      {"{\"Event\":\"SparkListenerLogStart\",\"Spark Version\":\"3.1.1\"}\n",
       "tally ingest spark-eventlog"},
      {"{\n  \"meta\": {},\n  \"jobs\": []\n}\n", "tally ingest slurm-sacct"},
      {"JobID|User|Account|Start|End\n1|a|b|c|d\n", "tally ingest slurm-sacct"},
      {"4103947|4103947|ub-hpc|general-compute|qos|anon|anon|918273|unknown|192837|x|y\n",
       "tally ingest slurm-sacct --layout xdmod (or --fields F1,F2,...)"},
      {"version account-id interface-id srcaddr dstaddr\n", "tally ingest vpc-flow"},
      {"2 123456789012 eni-0a1b 10.0.0.1 10.0.0.2 443 49152 6 10 840 1 2 ACCEPT OK\n",
       "tally ingest vpc-flow"},
      {"start,end,consumer,asset,resource,request,usage,unit,labels\n", "tally ingest usage-csv"},
      {"start,end,asset,resource,capacity,unit,labels\n", "tally ingest inventory"},
      {"date,bucket,prefix,bytes,objects\n", "tally ingest storage-csv"},
      {"{\"reportKeys\":[\"a.csv.gz\"],\"assemblyId\":\"x\"}", "tally ingest aws-cur"},
  };
  for (const auto& [text, command] : cases) {
    const InputKind kind = DetectInputKindOfText(text);
    EXPECT_FALSE(kind.is_bill()) << text;
    EXPECT_EQ(kind.command, command) << text << " looks like " << kind.looks_like;
  }
}

TEST(InputKindsTest, WhatTallyDoesNotReadIsNamedWithoutACommand) {
  for (const char* text : {"PAR1\x01\x02", "", "{\"FocusVersion\":\"1.0\"}", "hello world\n",
                           "report_period_start,report_period_end,pod,namespace\n"}) {
    const InputKind kind = DetectInputKindOfText(text);
    EXPECT_FALSE(kind.is_bill()) << text;
    EXPECT_TRUE(kind.command.empty()) << text << ": " << kind.command;
    EXPECT_FALSE(kind.looks_like.empty()) << text;
  }
  EXPECT_EQ(DetectInputKindOfText(std::string_view("a\0b", 3)).looks_like, "a binary file");
  // A missing file is described, not a crash.
  EXPECT_NE(DetectInputKind("/no/such/file").looks_like.find("unreadable"), std::string::npos);
}

}  // namespace
}  // namespace tally
