// The FOCUS export (issue 16): every mandatory column of FOCUS 1.3 and 1.4, rows that sum back
// to their origin charges in all four cost metrics, and a round trip through `tally ingest
// focus` with no missing-column warning and the same totals as the bill. The checks read the
// export's CSV with their own parsing and add with exact decimals.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>

#include "common/csv_reader.h"
#include "common/input_file.h"
#include "tally/decimal.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

// Two hours on two nodes: hourly lines, a daily line, a two-hour line, a credit, an unmatched
// support line, and a second provider billing in EUR. All four metrics differ.
constexpr char kBill[] =
    "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
    "EffectiveCost,ListCost,ContractedCost,BillingCurrency,ProviderName,BillingAccountId,"
    "ServiceName,ServiceCategory,ChargeCategory,ResourceId,SkuId,Tags\n"
    "2024-01-01,2024-02-01,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,10,9,12,11,USD,Cloud,acct,"
    "Compute,Compute,Usage,node-a,vm,{}\n"
    "2024-01-01,2024-02-01,2024-01-01T01:00:00Z,2024-01-01T02:00:00Z,10,9,12,11,USD,Cloud,acct,"
    "Compute,Compute,Usage,node-a,vm,{}\n"
    "2024-01-01,2024-02-01,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,2.4,2.4,3,2.7,USD,Cloud,"
    "acct,Compute,Compute,Usage,node-a,disk,{}\n"
    "2024-01-01,2024-02-01,2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,6,5.5,7,6.5,USD,Cloud,acct,"
    "Compute,Compute,Usage,node-b,vm,{}\n"
    "2024-01-01,2024-02-01,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,-1,-1,0,0,USD,Cloud,acct,"
    "Compute,Compute,Credit,node-a,credit,{}\n"
    "2024-01-01,2024-02-01,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,3,3,3,3,USD,Cloud,acct,"
    "Support,Other,Usage,,support,\"{\"\"team\"\":\"\"search\"\"}\"\n"
    "2024-01-01,2024-02-01,2024-01-01T01:00:00Z,2024-01-01T02:00:00Z,4,3.7,4.4,4.1,EUR,Cloud2,"
    "acct2,Database,Databases,Usage,db-1,db,{}\n";

constexpr char kInventory[] =
    "start,end,asset,resource,capacity,unit,labels\n"
    "2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,node-a,cpu,4,core,\n"
    "2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,node-a,memory,16,GiB,\n"
    "2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,node-b,cpu,2,core,\n"
    "2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,node-b,memory,8,GiB,\n";

constexpr char kUsage[] =
    "start,end,consumer,asset,resource,request,usage,unit,labels\n"
    "2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,search/api,node-a,cpu,1,0.5,core,team=search\n"
    "2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,ads/web,node-a,cpu,2,2.5,core,team=ads\n"
    "2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,ads/web,node-a,memory,4,6,GiB,team=ads\n"
    "2024-01-01T01:00:00Z,2024-01-01T02:00:00Z,ml/train,node-b,cpu,2,2,core,team=ml\n";

// FOCUS 1.2's mandatory columns, as the spec lists them (../shared/reference/focus.md).
const std::vector<std::string> kMandatory12 = {
    "BilledCost",         "BillingAccountId",   "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd",   "BillingPeriodStart", "ChargeCategory",     "ChargeClass",
    "ChargeDescription",  "ChargePeriodEnd",    "ChargePeriodStart",  "ContractedCost",
    "EffectiveCost",      "InvoiceIssuerName",  "ListCost",           "PricingQuantity",
    "PricingUnit",        "ProviderName",       "PublisherName",      "ServiceCategory",
    "ServiceName"};
// What 1.3 adds (ServiceProviderName, HostProviderName and the split-allocation columns); 1.4
// removes ProviderName and PublisherName.
const std::vector<std::string> kAdded13 = {
    "ServiceProviderName", "HostProviderName",      "AllocatedMethodId", "AllocatedMethodDetails",
    "AllocatedResourceId", "AllocatedResourceName", "AllocatedTags"};

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t Column(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

Csv ParseCsv(const std::string& path) {
  Csv csv;
  auto in = InputFile::Open(path);
  EXPECT_TRUE(in.ok());
  CsvReader reader(in->get());
  for (bool first = true;; first = false) {
    auto more = reader.Next();
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    std::vector<std::string> fields(reader.fields().begin(), reader.fields().end());
    if (first) {
      csv.header = std::move(fields);
    } else {
      csv.rows.push_back(std::move(fields));
    }
  }
  return csv;
}

Decimal D(const std::string& text) {
  auto d = Decimal::Parse(text.empty() ? "0" : text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Decimal();
}

class FocusExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(dir_.File("bill.csv"), kBill);
    testing::WriteFile(dir_.File("inventory.csv"), kInventory);
    testing::WriteFile(dir_.File("usage.csv"), kUsage);
    for (auto args : std::vector<std::vector<std::string>>{
             {"ingest", "focus", dir_.File("bill.csv")},
             {"ingest", "inventory", dir_.File("inventory.csv")},
             {"ingest", "usage-csv", dir_.File("usage.csv")},
             {"allocate"}}) {
      args.insert(args.begin(), {"--store", dir_.File("t.db")});
      auto r = RunTally(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  // The store's total of `metric` per currency, from `tally costs`.
  std::map<std::string, std::string> Totals(const std::string& store, const std::string& metric) {
    auto r = RunTally({"--store", store, "costs", "--by", "BillingCurrency", "--metric", metric,
                       "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> out;
    const auto doc = nlohmann::json::parse(r.out);
    for (const auto& [currency, total] : doc["totals"].items()) {
      out[currency] = D(total.get<std::string>()).ToString();
    }
    return out;
  }

  testing::TempDir dir_;
};

TEST_F(FocusExportTest, EachVersionHoldsItsMandatoryColumnsAndRoundTrips) {
  for (const std::string version : {"1.3", "1.4"}) {
    SCOPED_TRACE(version);
    auto r = RunTally({"--store", dir_.File("t.db"), "report", "export", "--format", "focus",
                       "--focus-version", version});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string file = dir_.File("export-" + version + ".csv");
    testing::WriteFile(file, r.out);
    const Csv csv = ParseCsv(file);
    const std::set<std::string> header(csv.header.begin(), csv.header.end());
    for (const std::string& name : kMandatory12) {
      const bool removed = version == "1.4" && (name == "ProviderName" || name == "PublisherName");
      EXPECT_EQ(header.contains(name), !removed) << name;
    }
    for (const std::string& name : kAdded13) EXPECT_TRUE(header.contains(name)) << name;
    ASSERT_FALSE(csv.rows.empty());

    // Re-ingested: no missing-column warning, and the bill's totals in every metric.
    const std::string back = dir_.File("back-" + version + ".db");
    auto in = RunTally({"--store", back, "ingest", "focus", file});
    ASSERT_EQ(in.exit_code, 0) << in.err;
    EXPECT_EQ(in.err.find("mandatory"), std::string::npos) << in.err;
    auto diagnostics = RunTally({"--store", back, "diagnostics"});
    EXPECT_EQ(diagnostics.out.find("mandatory"), std::string::npos) << diagnostics.out;
    for (const char* metric : {"BilledCost", "EffectiveCost", "ListCost", "ContractedCost"}) {
      EXPECT_EQ(Totals(back, metric), Totals(dir_.File("t.db"), metric)) << metric;
    }
    // The provider survives under its 1.3 name.
    auto providers = RunTally({"--store", back, "costs", "--by", "ProviderName", "--format", "csv"});
    EXPECT_NE(providers.out.find("Cloud2,"), std::string::npos) << providers.out;
  }
}

TEST_F(FocusExportTest, RowsSumBackToTheirOriginChargeAndRatiosToOne) {
  auto r = RunTally({"--store", dir_.File("t.db"), "report", "export", "--format", "focus"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::WriteFile(dir_.File("export.csv"), r.out);
  const Csv csv = ParseCsv(dir_.File("export.csv"));
  // The bill's lines by (resource, sku id, charge start): each is its own origin here.
  struct Sums {
    Decimal billed, effective, list, contracted, ratio;
  };
  std::map<std::string, Sums> origins;
  const size_t resource = csv.Column("ResourceId"), sku = csv.Column("SkuId"),
               start = csv.Column("ChargePeriodStart"), billed = csv.Column("BilledCost"),
               effective = csv.Column("EffectiveCost"), list = csv.Column("ListCost"),
               contracted = csv.Column("ContractedCost"),
               details = csv.Column("AllocatedMethodDetails");
  for (const auto& row : csv.rows) {
    Sums& s = origins[row[resource] + "|" + row[sku] + "|" + row[start].substr(0, 13)];
    s.billed += D(row[billed]);
    s.effective += D(row[effective]);
    s.list += D(row[list]);
    s.contracted += D(row[contracted]);
    // {"Elements":[{"AllocatedRatio":R,...}]}: R as written, exactly.
    const std::string& d = row[details];
    const size_t at = d.find("\"AllocatedRatio\":");
    ASSERT_NE(at, std::string::npos) << d;
    const size_t from = at + 17;
    s.ratio += D(d.substr(from, d.find_first_of(",}", from) - from));
  }
  // Expected, from kBill (the two node-a vm hours are two origins).
  const std::map<std::string, std::vector<const char*>> expected = {
      {"node-a|vm|2024-01-01T00", {"10", "9", "12", "11"}},
      {"node-a|vm|2024-01-01T01", {"10", "9", "12", "11"}},
      {"node-a|disk|2024-01-01T00", {"2.4", "2.4", "3", "2.7"}},
      {"node-b|vm|2024-01-01T00", {"6", "5.5", "7", "6.5"}},
      {"node-a|credit|2024-01-01T00", {"-1", "-1", "0", "0"}},
      {"|support|2024-01-01T00", {"3", "3", "3", "3"}},
      {"db-1|db|2024-01-01T01", {"4", "3.7", "4.4", "4.1"}}};
  ASSERT_EQ(origins.size(), expected.size()) << r.out;
  for (const auto& [key, metrics] : expected) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(origins.contains(key));
    const Sums& s = origins[key];
    EXPECT_EQ(s.billed, D(metrics[0]));
    EXPECT_EQ(s.effective, D(metrics[1]));
    EXPECT_EQ(s.list, D(metrics[2]));
    EXPECT_EQ(s.contracted, D(metrics[3]));
    EXPECT_EQ(s.ratio, D("1"));
  }
  // node-a's vm charge of hour 0: ads/web (cpu 2.5 core basis) and search/api (1 core) and idle
  // share it; the consumers appear with their basis unit.
  EXPECT_NE(r.out.find("\"\"UsageUnit\"\":\"\"Core-Hours\"\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(",ads/web,ads/web,"), std::string::npos);
  EXPECT_NE(r.out.find(",__idle__,__idle__,"), std::string::npos);
  EXPECT_NE(r.out.find(",tally/unallocated,"), std::string::npos);
}

TEST_F(FocusExportTest, AnUnknownVersionIsAUsageError) {
  auto r = RunTally({"--store", dir_.File("t.db"), "report", "export", "--format", "focus",
                     "--focus-version", "1.1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("use 1.3 or 1.4"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tally
