#include "tally/focus_schema.h"

#include <gtest/gtest.h>

#include <set>

namespace tally {
namespace {

TEST(FocusSchemaTest, HasTheFiftySevenColumnsOfFocus12) {
  auto columns = AllFocusColumns();
  EXPECT_EQ(columns.size(), 57u);
  int mandatory = 0;
  std::set<std::string_view> names;
  size_t dims = 0, decimals = 0, times = 0;
  for (const auto& c : columns) {
    mandatory += c.mandatory ? 1 : 0;
    names.insert(c.name);
    if (c.type == FocusType::kString || c.type == FocusType::kJson) ++dims;
    if (c.type == FocusType::kDecimal) ++decimals;
    if (c.type == FocusType::kDateTime) ++times;
  }
  EXPECT_EQ(mandatory, 21);  // FOCUS 1.2: 21 Mandatory columns
  EXPECT_EQ(names.size(), 57u);
  EXPECT_EQ(dims, kFocusDimCount);
  EXPECT_EQ(decimals, kFocusDecimalCount);
  EXPECT_EQ(times, kFocusTimeCount);
}

TEST(FocusSchemaTest, GroupIndexesRoundTrip) {
  EXPECT_EQ(DecimalColumn(DecimalIndex(FocusColumn::kEffectiveCost)), FocusColumn::kEffectiveCost);
  EXPECT_EQ(DimColumn(DimIndex(FocusColumn::kTags)), FocusColumn::kTags);
  EXPECT_EQ(TimeIndex(FocusColumn::kChargePeriodStart), 3u);
}

TEST(FocusSchemaTest, FindsColumnsIgnoringCaseAndSpaces) {
  EXPECT_EQ(FindFocusColumn("billedcost"), FocusColumn::kBilledCost);
  EXPECT_EQ(FindFocusColumn(" ProviderName"), FocusColumn::kProviderName);
  EXPECT_EQ(FindFocusColumn("RESOURCEID"), FocusColumn::kResourceId);
  EXPECT_EQ(FindFocusColumn("SkuPriceid"), FocusColumn::kSkuPriceId);
  EXPECT_FALSE(FindFocusColumn("x_foo").has_value());
  EXPECT_FALSE(FindFocusColumn("AmortizedCost").has_value());
}

TEST(FocusSchemaTest, FindsFocus05Aliases) {
  EXPECT_EQ(FindFocusAlias("AmortizedCost"), FocusColumn::kEffectiveCost);
  EXPECT_EQ(FindFocusAlias("chargetype"), FocusColumn::kChargeCategory);
  EXPECT_EQ(FindFocusAlias("Provider"), FocusColumn::kProviderName);
  EXPECT_EQ(FindFocusAlias("UsageQuantity"), FocusColumn::kConsumedQuantity);
  EXPECT_FALSE(FindFocusAlias("BilledCost").has_value());
}

}  // namespace
}  // namespace tally
