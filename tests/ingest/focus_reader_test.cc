#include "ingest/billing/focus/focus_reader.h"

#include <gtest/gtest.h>

#include <map>

#include "model/extra_columns.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::TempDir;
using testing::WriteFile;

// A CostSink that keeps copies of what it is given, for inspection.
struct StoredLine {
  std::map<std::string, std::string> values;  // column name -> text
  int64_t line = 0;
};

class RecordingSink : public CostSink {
 public:
  Status BeginFile(const SourceFile& file) override {
    files.push_back(file.path);
    return Status::Ok();
  }
  Status Add(const CostLine& line) override {
    StoredLine s;
    s.line = line.line;
    for (const FocusColumnInfo& info : AllFocusColumns()) {
      std::string text;
      if (info.type == FocusType::kDecimal) {
        if (const auto& d = line.decimal(info.column)) text = d->ToString();
      } else if (info.type == FocusType::kDateTime) {
        if (const auto& t = line.time(info.column)) text = t->ToString();
      } else {
        text = std::string(line.dim(info.column));
      }
      if (!text.empty()) s.values[std::string(info.name)] = text;
    }
    if (!line.extras.empty()) s.values["extras"] = ExtrasToJson(line.extras, extra_names);
    lines.push_back(std::move(s));
    return Status::Ok();
  }
  Status DeclareExtraColumns(const std::vector<std::string>& names) override {
    extra_names = names;
    return Status::Ok();
  }
  Status AddDiagnostic(const Diagnostic& d) override {
    diagnostics.push_back(d);
    return Status::Ok();
  }
  Status AbandonFile() override {
    ++abandoned;
    return Status::Ok();
  }

  std::vector<std::string> files;
  std::vector<std::string> extra_names;
  std::vector<StoredLine> lines;
  std::vector<Diagnostic> diagnostics;
  int abandoned = 0;
};

struct Run {
  Status status;
  IngestTotals totals;
  RecordingSink sink;
};

std::unique_ptr<Run> Ingest(const std::string& content, bool skip_bad_files = false) {
  TempDir dir;
  WriteFile(dir.File("bill.csv"), content);
  auto run = std::make_unique<Run>();
  IngestOptions options;
  options.skip_bad_files = skip_bad_files;
  std::vector<std::string> paths = {dir.File("bill.csv")};
  run->status = IngestFiles(paths, "focus", ReadFocusFile, &run->sink, options, &run->totals);
  return run;
}

TEST(FocusReaderTest, ReadsColumnsCaseInsensitivelyWithNullsAndLenientTimes) {
  auto run = Ingest(
      "billedcost,EFFECTIVECOST,ProviderName,ChargePeriodStart,ChargePeriodEnd,Tags,x_Team\n"
      "1.50,1.25,AWS,2024-05-01 00:00:00,2024-05-01T01:00:00Z,\"{\"\"b\"\":\"\"2\"\", "
      "\"\"a\"\":\"\"1\"\"}\",search\n"
      "NULL,0,null,2024-05-01T01:00:00,2024-05-01T02:00,NULL,\n");
  ASSERT_TRUE(run->status.ok()) << run->status.message();
  ASSERT_EQ(run->sink.lines.size(), 2u);
  const auto& first = run->sink.lines[0].values;
  EXPECT_EQ(first.at("BilledCost"), "1.5");
  EXPECT_EQ(first.at("EffectiveCost"), "1.25");
  EXPECT_EQ(first.at("ProviderName"), "AWS");
  EXPECT_EQ(first.at("ChargePeriodStart"), "2024-05-01T00:00:00Z");
  EXPECT_EQ(first.at("Tags"), R"({"a":"1","b":"2"})");
  EXPECT_EQ(first.at("extras"), R"({"x_Team":"search"})");
  const auto& second = run->sink.lines[1].values;
  EXPECT_EQ(second.count("BilledCost"), 0u);
  EXPECT_EQ(second.count("ProviderName"), 0u);
  EXPECT_EQ(second.count("extras"), 0u);
  EXPECT_EQ(run->sink.lines[1].line, 3);
  EXPECT_EQ(run->totals.rows_stored, 2);
  ASSERT_EQ(run->totals.effective_cost.size(), 1u);
  EXPECT_EQ(run->totals.effective_cost[0].second.ToString(), "1.25");
}

TEST(FocusReaderTest, MapsFocus05Names) {
  auto run = Ingest("AmortizedCost,ChargeType,Provider,BilledCost\n0.01,Purchase,A,0.1\n");
  ASSERT_TRUE(run->status.ok());
  ASSERT_EQ(run->sink.lines.size(), 1u);
  EXPECT_EQ(run->sink.lines[0].values.at("EffectiveCost"), "0.01");
  EXPECT_EQ(run->sink.lines[0].values.at("ChargeCategory"), "Purchase");
  EXPECT_EQ(run->sink.lines[0].values.at("ProviderName"), "A");
}

// FOCUS 1.4 has no ProviderName or PublisherName: ServiceProviderName names the provider, and
// neither absence is warned of. A 1.3 file with both keeps ProviderName, without a warning.
TEST(FocusReaderTest, Focus14ServiceProviderNameIsTheProvider) {
  const std::string header =
      "BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,"
      "BilledCost,EffectiveCost,ListCost,ContractedCost,ChargeCategory,ChargeClass,"
      "ChargeDescription,ChargePeriodStart,ChargePeriodEnd,PricingQuantity,PricingUnit,"
      "ServiceCategory,ServiceName,InvoiceIssuerName,ServiceProviderName,HostProviderName";
  auto v14 = Ingest(header +
                    "\nacct,Main,USD,2026-06-01,2026-07-01,2,2,2,2,Usage,,VM,2026-06-01T00:00:00Z,"
                    "2026-06-01T01:00:00Z,1,Hours,Compute,Virtual Machines,Acme,Acme Cloud,Acme\n");
  ASSERT_TRUE(v14->status.ok()) << v14->status.message();
  ASSERT_EQ(v14->sink.lines.size(), 1u);
  EXPECT_EQ(v14->sink.lines[0].values.at("ProviderName"), "Acme Cloud");
  for (const Diagnostic& d : v14->sink.diagnostics) {
    EXPECT_EQ(d.reason.find("PublisherName"), std::string::npos) << d.reason;
    EXPECT_EQ(d.reason.find("ProviderName"), std::string::npos) << d.reason;
  }
  auto v13 = Ingest("ProviderName,ServiceProviderName,BilledCost\nOld,New,1\n");
  ASSERT_TRUE(v13->status.ok());
  EXPECT_EQ(v13->sink.lines[0].values.at("ProviderName"), "Old");
  EXPECT_EQ(v13->sink.lines[0].values.at("extras"), R"({"ServiceProviderName":"New"})");
  for (const Diagnostic& d : v13->sink.diagnostics) {
    EXPECT_EQ(d.reason.find("second column"), std::string::npos) << d.reason;
  }
}

TEST(FocusReaderTest, RejectsBadRowsWithFileLineAndColumnAndKeepsTheRest) {
  auto run = Ingest(
      "BilledCost,ChargePeriodStart\n"
      "1,2024-01-01\n"
      "1.2.3,2024-01-01\n"
      "2,not-a-date\n"
      "3,2024-01-01,extra\n"
      "4,2024-01-01\n");
  ASSERT_TRUE(run->status.ok());
  EXPECT_EQ(run->sink.lines.size(), 2u);
  EXPECT_EQ(run->totals.rows_rejected, 3);
  std::vector<std::string> errors;
  for (const Diagnostic& d : run->sink.diagnostics) {
    if (d.severity == Severity::kError) errors.push_back(d.ToString());
  }
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].find("bill.csv: line 3: BilledCost: not a number: \"1.2.3\""),
            std::string::npos);
  EXPECT_NE(errors[1].find("line 4: ChargePeriodStart: not a timestamp"), std::string::npos);
  EXPECT_NE(errors[2].find("line 5: row has 3 fields; the header has 2"), std::string::npos);
}

TEST(FocusReaderTest, WarnsOnLenientReadings) {
  auto run = Ingest(
      "BilledCost,ChargePeriodEnd,Tags\n"
      "\"$1,000.00 \",2023-02-01T30:00:00Z,not-json\n"
      "\"$2,000.00 \",2023-02-01T00:00:00Z\n");
  ASSERT_TRUE(run->status.ok());
  ASSERT_EQ(run->sink.lines.size(), 2u);
  EXPECT_EQ(run->sink.lines[0].values.at("BilledCost"), "1000");
  EXPECT_EQ(run->sink.lines[0].values.at("ChargePeriodEnd"), "2023-02-02T06:00:00Z");
  EXPECT_EQ(run->sink.lines[0].values.at("Tags"), "not-json");
  std::string all;
  for (const Diagnostic& d : run->sink.diagnostics) {
    EXPECT_EQ(d.severity, Severity::kWarning) << d.ToString();
    all += d.ToString() + "\n";
  }
  EXPECT_NE(all.find("formatted numbers"), std::string::npos);
  EXPECT_NE(all.find("hour 30 is out of range"), std::string::npos);
  EXPECT_NE(all.find("Tags: not a JSON object"), std::string::npos);
  EXPECT_NE(all.find("missing trailing fields read as null"), std::string::npos);
  EXPECT_NE(all.find("FOCUS 1.2 mandatory columns absent"), std::string::npos);
}

TEST(FocusReaderTest, NoCostColumnIsAFileError) {
  auto run = Ingest("x_foo\nbar\n");
  ASSERT_FALSE(run->status.ok());
  EXPECT_NE(run->status.message().find("missing mandatory FOCUS columns"), std::string::npos);
  EXPECT_NE(run->status.message().find("x_foo"), std::string::npos);
  EXPECT_EQ(run->sink.abandoned, 1);
}

TEST(FocusReaderTest, EmptyFileIsAFileError) {
  auto run = Ingest("");
  ASSERT_FALSE(run->status.ok());
  EXPECT_NE(run->status.message().find("empty file"), std::string::npos);
}

TEST(FocusReaderTest, SkipBadFilesListsTheFileAndGoesOn) {
  auto run = Ingest("x_foo\nbar\n", /*skip_bad_files=*/true);
  ASSERT_TRUE(run->status.ok());
  ASSERT_EQ(run->totals.files_skipped.size(), 1u);
  EXPECT_EQ(run->totals.files_read, 0);
}

TEST(FocusReaderTest, ASkippedFileAddsNothingToTheRunsCounts) {
  // Stored, rejected and warned-about rows, then a cut quote: the file is abandoned whole.
  auto run = Ingest("BilledCost,EffectiveCost,Tags\n1,1,\n2,x,\n3,3,not-json\n4,4,\"cut\n",
                    /*skip_bad_files=*/true);
  ASSERT_TRUE(run->status.ok());
  ASSERT_EQ(run->totals.files_skipped.size(), 1u);
  EXPECT_EQ(run->sink.abandoned, 1);
  EXPECT_EQ(run->totals.rows_stored, 0);
  EXPECT_EQ(run->totals.rows_rejected, 0);
  EXPECT_EQ(run->totals.warnings, 0);
  EXPECT_TRUE(run->totals.effective_cost.empty());
}

TEST(FocusReaderTest, CountsRejectedRowsAndWarningsOfFilesRead) {
  auto run = Ingest("BilledCost,EffectiveCost,Tags\n1,1,\n2,x,\n3,3,not-json\n");
  ASSERT_TRUE(run->status.ok());
  EXPECT_EQ(run->totals.rows_stored, 2);
  EXPECT_EQ(run->totals.rows_rejected, 1);
  EXPECT_EQ(run->totals.warnings, 2);  // Tags not JSON; FOCUS 1.2 mandatory columns absent
  ASSERT_EQ(run->totals.effective_cost.size(), 1u);
  EXPECT_EQ(run->totals.effective_cost[0].second.ToString(), "4");
}

TEST(FocusReaderTest, DuplicateColumnIsKeptAsExtraWithAWarning) {
  auto run = Ingest("EffectiveCost,AmortizedCost\n1,2\n");
  ASSERT_TRUE(run->status.ok());
  ASSERT_EQ(run->sink.lines.size(), 1u);
  EXPECT_EQ(run->sink.lines[0].values.at("EffectiveCost"), "1");
  EXPECT_EQ(run->sink.lines[0].values.at("extras"), R"({"AmortizedCost":"2"})");
}

}  // namespace
}  // namespace tally
