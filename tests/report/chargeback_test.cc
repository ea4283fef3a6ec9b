// Chargeback pricing, the FOCUS export and node costs on showbacks written by hand.
#include "report/chargeback.h"

#include <gtest/gtest.h>

#include "report/node_costs.h"

namespace tally {
namespace {

Decimal D(const char* s) { return *Decimal::Parse(s); }

ShowbackRow Row(std::vector<std::string> keys, const char* cost,
                std::map<std::string, Decimal> quantity = {}) {
  ShowbackRow r;
  r.keys = std::move(keys);
  r.cost = D(cost);
  r.quantity = std::move(quantity);
  return r;
}

TEST(ChargebackTest, BareNamesAreLabels) {
  EXPECT_EQ(ChargebackKeys({"cost_center", "owner", "label.team", "day"}),
            (std::vector<std::string>{"label.cost_center", "owner", "label.team", "day"}));
}

TEST(ChargebackTest, RatesPriceTheBasisAndTheRestIsRecovery) {
  ShowbackTable s;
  s.columns = {"label.cost_center"};
  s.rows = {Row({"cc-1"}, "10", {{"cpu", D("100")}, {"memory", D("200")}}),
            Row({"cc-2"}, "5", {{"gpu", D("3")}})};  // no gpu rate: charged nothing
  s.total = D("15");
  // cc-1: 100 × 0.04 + 200 × 0.005 = 5; recovery 15 - 5 = 10.
  ChargebackTable t = PriceChargeback(s, {{"cpu", D("0.04")}, {"memory", D("0.005")}});
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].charge, D("5"));
  EXPECT_EQ(t.rows[1].charge, D("0"));
  EXPECT_EQ(t.rows[2].keys, std::vector<std::string>{"__platform_recovery__"});
  EXPECT_EQ(t.rows[2].charge, D("10"));
  EXPECT_EQ(t.total, D("15"));
  // Without rates the charge is the cost and there is no recovery row.
  ChargebackTable unpriced = PriceChargeback(s, {});
  ASSERT_EQ(unpriced.rows.size(), 2u);
  EXPECT_EQ(unpriced.rows[1].charge, D("5"));
}

TEST(NodeCostsTest, UnitPriceIsDirectPlusIdleOverCapacity) {
  ShowbackTable hour;
  hour.rows = {Row({"node-1", "cpu", "direct", "a", "ads"}, "0.3"),
               Row({"node-1", "cpu", "idle", "__idle__", "__idle__"}, "0.1"),
               Row({"node-1", "", "shared", "__shared__/x", "ads"}, "0.05"),
               Row({"", "", "unallocated", "__unallocated__", "__unallocated__"}, "1")};
  const NodeCosts costs = NodeCosts::Sum(hour);
  AssetRecord node{Asset{"node-1", "", "", "", {}}, {{"cpu", D("8")}}, {}, {}};
  EXPECT_EQ(costs.UnitPrice(node, "cpu"), D("0.05"));  // 0.4 / 8
  EXPECT_FALSE(costs.UnitPrice(node, "memory").has_value());
  EXPECT_EQ(costs.total.at("node-1"), D("0.45"));
  EXPECT_EQ(costs.idle.at("node-1"), D("0.1"));
  EXPECT_EQ(costs.by_owner.at({"__unallocated__", "", "unallocated"}), D("1"));
}

}  // namespace
}  // namespace tally
