#include "tally/cost_query.h"

#include <gtest/gtest.h>

#include "tally/cost_line.h"

namespace tally {
namespace {

TEST(GroupKeyTest, ParsesColumnsTagsAndExtras) {
  auto column = GroupKey::Parse("servicecategory");
  ASSERT_TRUE(column.ok());
  EXPECT_EQ(column->kind, GroupKey::Kind::kColumn);
  EXPECT_EQ(column->column, FocusColumn::kServiceCategory);
  EXPECT_EQ(column->label, "ServiceCategory");

  auto tag = GroupKey::Parse("Tags.team");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->kind, GroupKey::Kind::kTag);
  EXPECT_EQ(tag->name, "team");
  EXPECT_EQ(tag->label, "Tags.team");

  auto extra = GroupKey::Parse("x_lineItem/LineItemType");
  ASSERT_TRUE(extra.ok());
  EXPECT_EQ(extra->kind, GroupKey::Kind::kExtra);
  EXPECT_EQ(extra->name, "x_lineItem/LineItemType");
}

TEST(GroupKeyTest, RejectsMetricsAndEmptyNames) {
  auto metric = GroupKey::Parse("BilledCost");
  ASSERT_FALSE(metric.ok());
  EXPECT_NE(metric.status().message().find("is a metric"), std::string::npos);
  EXPECT_FALSE(GroupKey::Parse("").ok());
  EXPECT_FALSE(GroupKey::Parse("Tags.").ok());
}

TEST(CostMetricTest, ParsesTheFourMetrics) {
  EXPECT_EQ(*ParseCostMetric("effectivecost"), FocusColumn::kEffectiveCost);
  EXPECT_EQ(*ParseCostMetric("BilledCost"), FocusColumn::kBilledCost);
  EXPECT_EQ(*ParseCostMetric("ListCost"), FocusColumn::kListCost);
  EXPECT_EQ(*ParseCostMetric("ContractedCost"), FocusColumn::kContractedCost);
  EXPECT_FALSE(ParseCostMetric("PricingQuantity").ok());
}

TEST(PartitionTest, UsesBillingPeriodElseChargeMonthElseUndated) {
  CostLine line;
  line.dims[DimIndex(FocusColumn::kProviderName)] = "AWS";
  line.dims[DimIndex(FocusColumn::kBillingAccountId)] = "123";
  line.times[TimeIndex(FocusColumn::kChargePeriodStart)] = Timestamp::FromCivil(2024, 5, 17, 3600);
  BillingPartition p;
  PartitionOf(line, "bill.csv", &p);
  EXPECT_EQ(p.ToString(), "AWS/123/2024-05-01");
  line.times[TimeIndex(FocusColumn::kBillingPeriodStart)] = Timestamp::FromCivil(2024, 4, 15);
  PartitionOf(line, "bill.csv", &p);
  EXPECT_EQ(p.ToString(), "AWS/123/2024-04-15");
  CostLine bare;
  PartitionOf(bare, "bill.csv", &p);
  EXPECT_EQ(p.ToString(), "(no provider)/file:bill.csv/undated");
}

}  // namespace
}  // namespace tally
