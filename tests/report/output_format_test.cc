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
  const std::string table = RenderCostTable(t, OutputFormat::kTable, /*exact=*/true);
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

TEST(OutputFormatTest, ExactTableAlignsAndEndsWithTheTotal) {
  std::string table = RenderCostTable(Sample(), OutputFormat::kTable, /*exact=*/true);
  EXPECT_EQ(table,
            "ProviderName  ServiceCategory           EffectiveCost\n"
            "(null)        Other              0.000000000000000001\n"
            "AWS           Compute, EC2 \"x\"                   12.5\n"
            "-----------------------------------------------------\n"
            "Total                           12.500000000000000001\n");
}

// By default a table prints money to cents, the total rounded on its own (not a sum of rounded
// rows); CSV and JSON keep every digit (the tests above).
TEST(OutputFormatTest, TablePrintsMoneyToCents) {
  EXPECT_EQ(RenderCostTable(Sample(), OutputFormat::kTable),
            "ProviderName  ServiceCategory   EffectiveCost\n"
            "(null)        Other                      0.00\n"
            "AWS           Compute, EC2 \"x\"          12.50\n"
            "---------------------------------------------\n"
            "Total                                   12.50\n");
}

TEST(OutputFormatTest, MoneyTextRoundsHalfAwayFromZero) {
  auto d = [](const char* text) { return *Decimal::Parse(text); };
  EXPECT_EQ(MoneyText(d("22926.20752371860340528"), false), "22926.21");
  EXPECT_EQ(MoneyText(d("0.005"), false), "0.01");
  EXPECT_EQ(MoneyText(d("-0.005"), false), "-0.01");
  EXPECT_EQ(MoneyText(d("-0.004"), false), "0.00");
  EXPECT_EQ(MoneyText(d("7"), false), "7.00");
  EXPECT_EQ(MoneyText(d("1.2"), false), "1.20");
  EXPECT_EQ(MoneyText(d("1.23456"), true), "1.23456");
  EXPECT_EQ(MoneyText(std::string("3.999"), false), "4.00");
  EXPECT_EQ(MoneyText(std::string("n/a"), false), "n/a");
}

TEST(OutputFormatTest, ParsesFormatNames) {
  EXPECT_EQ(*ParseOutputFormat("CSV"), OutputFormat::kCsv);
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

TEST(RecordTableTest, RendersInEachFormat) {
  RecordTable t{{"id", "name"}, {true, false}, {}, {{"7", "a,b"}, {"12", std::nullopt}}, {}};
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kTable), "id  name\n 7  a,b\n12  -\n");
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kCsv), "id,name\n7,\"a,b\"\n12,\n");
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kJson),
            R"({"rows":[{"id":7,"name":"a,b"},{"id":12,"name":null}]})"
            "\n");
}

TEST(RecordTableTest, MoneyColumnsPrintToCentsUnlessExact) {
  RecordTable t{{"owner", "cost", "hours"},
                {false, true, true},
                {false, true, true},
                {{"ads", "1234.5678", "0.3333"}},
                {false, true, false}};
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kTable), "owner     cost   hours\nads    1234.57  0.3333\n");
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kTable, true),
            "owner       cost   hours\nads    1234.5678  0.3333\n");
  EXPECT_EQ(RenderRecordTable(t, OutputFormat::kCsv), "owner,cost,hours\nads,1234.5678,0.3333\n");
}

}  // namespace
}  // namespace tally
