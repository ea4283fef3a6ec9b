// Node consolidation by hand: which nodes empty onto the others' allocatable room (90% of
// capacity), largest pod first into the fullest node, each capacity promised once.
#include "insight/node_consolidation.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

TEST(NodeConsolidationTest, ALightNodeEmptiesOntoTheOthersRoom) {
  // a: 8 cores, 5 requested (room to 7.2); b: 8 cores, 6 requested (room 1.2); c: 4 cores with
  // pods of 1.5 and 0.5. c's 1.5 goes to a (the fullest with room is b: 6 + 1.5 > 7.2, so a),
  // then 0.5 to b (the fullest that has room).
  std::vector<NodeLoad> nodes = {
      {"a", 8, 32, {{"a1", 5, 8}}, true},
      {"b", 8, 32, {{"b1", 6, 8}}, true},
      {"c", 4, 16, {{"c1", 1.5, 2}, {"c2", 0.5, 1}}, true},
  };
  const std::vector<NodeRemoval> plan = PlanConsolidation(nodes);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].node, "c");
  EXPECT_DOUBLE_EQ(plan[0].cpu_requested, 2);
  EXPECT_EQ(plan[0].moves, (std::vector<std::pair<std::string, std::string>>{{"c1", "a"}, {"c2", "b"}}));
}

TEST(NodeConsolidationTest, CapacityIsPromisedOnceAndMemoryCounts) {
  // Two light nodes, room for only one of them on the big node; the second stays.
  std::vector<NodeLoad> nodes = {
      {"big", 10, 40, {{"p", 6, 10}}, true},
      {"x", 4, 16, {{"x1", 2, 4}}, true},
      {"y", 4, 16, {{"y1", 2, 4}}, true},
  };
  const std::vector<NodeRemoval> plan = PlanConsolidation(nodes);
  ASSERT_EQ(plan.size(), 1u);
  // Memory alone can block: a pod whose memory does not fit anywhere keeps its node.
  std::vector<NodeLoad> tight = {
      {"big", 16, 16, {{"p", 2, 14}}, true},
      {"z", 8, 8, {{"z1", 1, 4}}, true},
  };
  EXPECT_TRUE(PlanConsolidation(tight).empty());
  // A node marked not movable may take pods but is never emptied: pinned b takes a's pod; once
  // movable, b (the lighter) empties onto a, which then keeps what it took.
  std::vector<NodeLoad> pinned = {
      {"a", 8, 32, {{"a1", 6.5, 8}}, true},
      {"b", 8, 32, {{"b1", 0.5, 1}}, false},
  };
  const std::vector<NodeRemoval> first = PlanConsolidation(pinned);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].node, "a");
  pinned[1].movable = true;
  const std::vector<NodeRemoval> second = PlanConsolidation(pinned);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].node, "b");
}

}  // namespace
}  // namespace tally
