#include "report/output_format.h"

#include <gtest/gtest.h>

#include "report/record_table.h"

namespace tally {
namespace {

CostTable Sample() {
  CostTable t;
  t.columns = {"ProviderName", "ServiceCategory"};
  t.metric = "EffectiveCost";
  t.rows.push_back(
      {{std::nullopt, std::string("Other")}, *Decimal::Parse("0.000000000000000001"), 1});
  t.rows.push_back(
      {{std::string("AWS"), std::string("Compute, EC2 \"x\"")}, *Decimal::Parse("12.5"), 2});
  t.total = *Decimal::Parse("12.500000000000000001");
  return t;
}

TEST(OutputFormatTest, CsvQuotesWhereNeededAndKeepsFullPrecision) {
  EXPECT_EQ(RenderCostTable(Sample(), OutputFormat::kCsv),
            "ProviderName,ServiceCategory,EffectiveCost\n"
            ",Other,0.000000000000000001\n"
            "AWS,\"Compute, EC2 \"\"x\"\"\",12.5\n");
}

TEST(OutputFormatTest, JsonHasRowsAndTotalWithMoneyAsStrings) {
  EXPECT_EQ(
      RenderCostTable(Sample(), OutputFormat::kJson),
      R"({"rows":[{"ProviderName":null,"ServiceCategory":"Other","EffectiveCost":"0.000000000000000001"},)"
      R"({"ProviderName":"AWS","ServiceCategory":"Compute, EC2 \"x\"","EffectiveCost":"12.5"}],)"
      R"("total":"12.500000000000000001","totals":{}})"
      "\n");
}

// A table in two currencies: a total line per currency, and JSON with totals by currency and no
// grand total.
TEST(OutputFormatTest, MixedCurrenciesGetATotalEach) {
  CostTable t = Sample();
  t.currencies = {"CAD", "USD"};
  t.per_currency = {*Decimal::Parse("0.000000000000000001"), *Decimal::Parse("12.5")};
  const std::string table = RenderCostTable(t, OutputFormat::kTable);
  EXPECT_NE(table.find("\nTotal CAD                       0.000000000000000001\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("\nTotal USD                                       12.5\n"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("12.500000000000000001"), std::string::npos) << table;
  const std::string json = RenderCostTable(t, OutputFormat::kJson);
  EXPECT_NE(json.find(R"("total":null,"totals":{"CAD":"0.000000000000000001","USD":"12.5"})"),
            std::string::npos)
      << json;
}

TEST(OutputFormatTest, TableAlignsAndEndsWithTheTotal) {
  std::string table = RenderCostTable(Sample(), OutputFormat::kTable);
  EXPECT_EQ(table,
            "ProviderName  ServiceCategory           EffectiveCost\n"
            "(null)        Other              0.000000000000000001\n"
            "AWS           Compute, EC2 \"x\"                   12.5\n"
            "-----------------------------------------------------\n"
            "Total                           12.500000000000000001\n");
}

TEST(OutputFormatTest, ParsesFormatNames) {
  EXPECT_EQ(*ParseOutputFormat("CSV"), OutputFormat::kCsv);
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

TEST(RecordTableTest, RendersInEachFormat) {
  RecordTable t{{"id", "name"}, {true, false}, {}, {{"7", "a,b"}, {"12", std::nullopt}}};
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kTable), "id  name\n 7  a,b\n12  -\n");
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kCsv), "id,name\n7,\"a,b\"\n12,\n");
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kJson),
            R"({"rows":[{"id":7,"name":"a,b"},{"id":12,"name":null}]})"
            "\n");
}

}  // namespace
}  // namespace tally
