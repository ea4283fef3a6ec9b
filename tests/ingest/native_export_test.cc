#include "ingest/billing/native_export.h"

#include <gtest/gtest.h>

#include "ingest/billing/bill_formats.h"
#include "ingest/billing/loose_json.h"

namespace tally {
namespace {

TEST(NativeExportTest, HeaderStylesMatch) {
  EXPECT_EQ(NormalizeColumnName("lineItem/UnblendedCost"), "lineitemunblendedcost");
  EXPECT_EQ(NormalizeColumnName("line_item_unblended_cost"), "lineitemunblendedcost");
  EXPECT_EQ(NormalizeColumnName(" usage.amount_in_pricing_units "), "usageamountinpricingunits");
  std::vector<std::string_view> names = {"costInBillingCurrency",
                                         "Ressourcengruppe (ResourceGroup)", "", "Tags"};
  NativeHeader h(names);
  EXPECT_EQ(h.Find("CostInBillingCurrency"), 0);
  EXPECT_EQ(h.Find("ResourceGroup"), 1);
  EXPECT_EQ(h.name(2), "column_3");
  EXPECT_EQ(h.FindAny({"PreTaxCost", "tags"}), 3);
  EXPECT_EQ(h.Find("Cost"), -1);
  ExtrasEncoder extras;
  std::vector<std::string_view> row = {" 1.5", "rg \"a\"", "", "NULL"};
  h.EncodeExtras(row, &extras);
  EXPECT_EQ(
      ExtrasToJson(extras.blob(), h.ExtraNames()),
      R"j({"x_costInBillingCurrency":"1.5","x_Ressourcengruppe (ResourceGroup)":"rg \"a\""})j");
  EXPECT_EQ(FindExtra(extras.blob(), 1), "rg \"a\"");
  EXPECT_FALSE(FindExtra(extras.blob(), 3).has_value());
}

TEST(NativeExportTest, TagsBuilderSortsAndKeepsTheFirstOfARepeatedKey) {
  TagsBuilder b;
  std::string out;
  b.Add("team", "search");
  b.Add("env", "prod");
  b.Add("team", "ads");
  b.Build(&out);
  EXPECT_EQ(out, R"({"env":"prod","team":"search"})");
  b.Clear();
  b.Build(&out);
  EXPECT_EQ(out, "");
}

TEST(LooseJsonTest, PythonLiteralsBecomeJson) {
  EXPECT_EQ(PythonLiteralToJson("[{'a': None, 'b': True, 'c': \"it's\", 'd': 'say \"x\"'}]"),
            R"([{"a": null, "b": true, "c": "it's", "d": "say \"x\""}])");
  EXPECT_EQ(PythonLiteralToJson(R"({"already": "json"})"), R"({"already": "json"})");
}

TEST(LooseJsonTest, NumbersAreReadExactlyFromTheirText) {
  auto n = NumbersOfKey(R"([{"amount": -1e-06}, {"name": "amount", "amount": 0.1}])", "amount");
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n->size(), 2u);
  EXPECT_EQ((*n)[0].ToString(), "-0.000001");
  EXPECT_EQ((*n)[1].ToString(), "0.1");
  EXPECT_FALSE(NumbersOfKey(R"([{"amount": "x"}])", "amount").ok());
}

TEST(LooseJsonTest, KeyValueLists) {
  auto pairs = KeyValueList(R"([{"key": "team", "value": "ads"}, {"key": "n", "value": 3}])");
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(*pairs,
            (std::vector<std::pair<std::string, std::string>>{{"team", "ads"}, {"n", "3"}}));
  EXPECT_TRUE(KeyValueList("[]")->empty());
  EXPECT_FALSE(KeyValueList(R"({"team": "ads"})").ok());
}

TEST(BillFormatsTest, DetectsByTheColumnsOnlyOneFormatHas) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(DetectBillFormat(V{"identity/LineItemId", "lineItem/UnblendedCost"}), "aws-cur");
  EXPECT_EQ(DetectBillFormat(V{"line_item_unblended_cost"}), "aws-cur");
  EXPECT_EQ(DetectBillFormat(V{"lineItem/referenceNo", "cost/myCost"}), "oci");
  EXPECT_EQ(DetectBillFormat(V{"BilledCost", "ChargePeriodStart"}), "focus");
  EXPECT_EQ(DetectBillFormat(V{"AmortizedCost", "ChargeType"}), "focus");
  EXPECT_EQ(DetectBillFormat(V{"billing_account_id", "cost", "usage_start_time"}), "gcp-billing");
  EXPECT_EQ(DetectBillFormat(V{"SubscriptionGuid", "PreTaxCost"}), "azure-export");
  EXPECT_EQ(DetectBillFormat(V{"subscriptionId", "costInBillingCurrency"}), "azure-export");
  EXPECT_FALSE(DetectBillFormat(V{"name", "cost"}).has_value());
  EXPECT_EQ(BillFormats().back().name, "auto");
}

}  // namespace
}  // namespace tally
