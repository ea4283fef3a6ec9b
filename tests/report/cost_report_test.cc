// BuildCostTable on cells written by hand: groups summed across cells, ordered by cost over the
// whole window (ties by key, null first), the top N kept and the rest summed per period into
// (other), and totals equal to the cells' sum whatever is cut.
#include "report/cost_report.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

Decimal D(const char* s) { return *Decimal::Parse(s); }

// texts: 1 "ads", 2 "search", 3 "web", 4 "USD"; one key (team).
CostCells Cells(std::vector<std::tuple<uint32_t, int64_t, const char*>> cells) {
  CostCells c;
  c.texts = {"", "ads", "search", "web", "USD"};
  c.width = 1;
  for (const auto& [team, period, sum] : cells) {
    c.keys.push_back(team);
    c.cells.push_back({period, 4, D(sum), 1});
  }
  return c;
}

CostQuery Query(CostStep step = CostStep::kNone, size_t top = 0) {
  CostQuery q;
  q.group_by = {*GroupKey::Parse("Tags.team")};
  q.step = step;
  q.top = top;
  return q;
}

std::vector<std::string> Texts(const CostTable& t) {
  std::vector<std::string> out;
  for (const CostRow& row : t.rows) {
    std::string line;
    for (const auto& k : row.keys) line += (k ? *k : "null") + " ";
    out.push_back(line + row.value.ToString());
  }
  return out;
}

TEST(CostReportTest, SumsCellsAndOrdersByCostThenKey) {
  const int64_t none = CostCells::kNoPeriod;
  auto t = BuildCostTable(Query(), Cells({{2, none, "1.5"}, {1, none, "2"}, {2, none, "0.5"},
                                          {0, none, "2"}, {3, none, "0.000000000000000001"}}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Texts(*t), (std::vector<std::string>{"null 2", "ads 2", "search 2",
                                                 "web 0.000000000000000001"}));
  EXPECT_EQ(t->total, D("6.000000000000000001"));
  EXPECT_EQ(t->lines, 5);
  EXPECT_EQ(t->currencies, std::vector<std::string>{"USD"});
}

TEST(CostReportTest, TopKeepsTheCostliestAndSumsTheRestPerPeriod) {
  const int64_t d1 = 86400, d2 = 2 * 86400;
  // Over both days: search 7, ads 5, web 3, null 1.
  auto t = BuildCostTable(Query(CostStep::kDay, 2),
                          Cells({{1, d1, "4"}, {2, d1, "3"}, {3, d1, "2"}, {0, d2, "1"},
                                 {2, d2, "4"}, {1, d2, "1"}, {3, d2, "1"}}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->columns, (std::vector<std::string>{"period", "Tags.team"}));
  EXPECT_EQ(Texts(*t), (std::vector<std::string>{
                           "1970-01-02T00:00:00Z search 3", "1970-01-02T00:00:00Z ads 4",
                           "1970-01-02T00:00:00Z (other) 2", "1970-01-03T00:00:00Z search 4",
                           "1970-01-03T00:00:00Z ads 1", "1970-01-03T00:00:00Z (other) 2"}));
  EXPECT_TRUE(t->rows[2].other);
  EXPECT_EQ(t->total, D("16"));
}

TEST(CostReportTest, TopAtOrPastTheGroupCountKeepsEveryGroup) {
  const int64_t none = CostCells::kNoPeriod;
  auto t = BuildCostTable(Query(CostStep::kNone, 3), Cells({{1, none, "1"}, {2, none, "2"},
                                                            {3, none, "3"}}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Texts(*t), (std::vector<std::string>{"web 3", "search 2", "ads 1"}));
}

TEST(CostReportTest, NoCellsIsAnEmptyReportWithAZeroTotal) {
  auto t = BuildCostTable(Query(CostStep::kMonth, 5), Cells({}));
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->rows.empty());
  EXPECT_TRUE(t->total.is_zero());
}

}  // namespace
}  // namespace tally
