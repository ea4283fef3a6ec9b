// The cost rollup answers exactly what the lines hold: for windows on and off day and month
// boundaries, per step, filtered, after a restatement, when its cells are flushed in pieces and
// when those pieces are compacted, and in a store migrated from before it existed (its lines
// then still with 12 decimal columns). Expected figures are summed here from the values
// the test writes, not by tally.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>

#include "ingest/billing/focus/focus_reader.h"
#include "ingest/ingest_files.h"
#include "report/cost_report.h"
#include "store/sqlite/cost_rollup.h"
#include "store/sqlite/sqlite_db.h"
#include "store/legacy_schema.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::TempDir;

struct Line {
  std::string category, team;  // "" is null
  std::optional<int64_t> start;
  Decimal cost;
};

// 2024-04-28 to 2024-06-03, every 7 hours, in three categories and three teams; some costs over
// 9.2 (stored as 16-byte blobs), a line with no charge period, credits.
std::vector<Line> Lines(int restated = 0) {
  std::vector<Line> lines;
  const int64_t begin = Timestamp::FromCivil(2024, 4, 28).unix_seconds();
  const int64_t end = Timestamp::FromCivil(2024, 6, 3).unix_seconds();
  const char* categories[] = {"Compute", "Storage", "Networking"};
  const char* teams[] = {"search", "ads", ""};
  int i = 0;
  for (int64_t t = begin; t < end; t += 7 * 3600, ++i) {
    Decimal cost = *Decimal::Parse(std::to_string(i % 13 + restated) + ".000000000000000" +
                                   std::to_string(100 + i % 900));
    if (i % 5 == 0) cost += *Decimal::Parse("9.5");
    lines.push_back({categories[i % 3], teams[i % 7 % 3], t, cost});
  }
  lines.push_back({"Compute", "ads", std::nullopt, *Decimal::Parse("0.25")});
  lines.push_back({"Storage", "search", begin + 5 * 3600, *Decimal::Parse("-3.000000000000000007")});
  lines.push_back({"Storage", "search", begin + 6 * 3600, *Decimal::Parse("-123456789012.5")});
  return lines;
}

std::string Csv(const std::vector<Line>& lines) {
  std::string csv =
      "BillingAccountId,ProviderName,ServiceCategory,BillingPeriodStart,ChargePeriodStart,"
      "EffectiveCost,Tags\n";
  for (const Line& l : lines) {
    const Timestamp start = Timestamp::FromUnixSeconds(l.start.value_or(
        Timestamp::FromCivil(2024, 5, 1).unix_seconds()));
    csv += "A1,AWS," + l.category + "," + start.StartOfMonth().ToString() + "," +
           (l.start ? start.ToString() : "") + "," + l.cost.ToString() + ",";
    if (!l.team.empty()) csv += "\"{\"\"team\"\":\"\"" + l.team + "\"\"}\"";
    csv += "\n";
  }
  return csv;
}

struct Window {
  std::optional<Timestamp> from, to;
};

std::optional<Timestamp> At(const char* text) {
  if (text == nullptr) return std::nullopt;
  return *ParseTimestamp(text);
}

// Expected sums per (period, category, team) from the written lines.
using Expected = std::map<std::vector<std::string>, Decimal>;
Expected Sum(const std::vector<Line>& lines, const Window& w, CostStep step,
             const std::string& only_category = "") {
  Expected out;
  for (const Line& l : lines) {
    if ((w.from || w.to) && !l.start) continue;
    if (w.from && *l.start < w.from->unix_seconds()) continue;
    if (w.to && *l.start >= w.to->unix_seconds()) continue;
    if (!only_category.empty() && l.category != only_category) continue;
    std::string period;
    if (step != CostStep::kNone && l.start) {
      const Timestamp t = Timestamp::FromUnixSeconds(*l.start);
      const int64_t s = t.unix_seconds();
      period = step == CostStep::kMonth ? t.StartOfMonth().ToString()
               : step == CostStep::kDay ? Timestamp::FromUnixSeconds(s - s % 86400).ToString()
                                        : t.StartOfHour().ToString();
    }
    out[{period, l.category, l.team}] += l.cost;
  }
  return out;
}

Expected FromTable(const CostTable& t, bool stepped) {
  Expected out;
  for (const CostRow& row : t.rows) {
    std::vector<std::string> key;
    if (!stepped) key.push_back("");
    for (const auto& k : row.keys) key.push_back(k.value_or(""));
    out[key] += row.value;
  }
  return out;
}

class CostRollupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite:" + path_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }

  void Ingest(const std::string& csv) {
    const std::string file = dir_.File("bill" + std::to_string(files_++) + ".csv");
    testing::WriteFile(file, csv);
    auto ingest = store_->BeginCostIngest({"focus", "test"});
    ASSERT_TRUE(ingest.ok());
    IngestTotals totals;
    const std::vector<std::string> files = {file};
    ASSERT_TRUE(IngestFiles(files, "focus", ReadFocusFile, ingest->get(), {}, &totals).ok());
    ASSERT_TRUE((*ingest)->Commit().ok());
  }

  CostTable Query(const Window& w, CostStep step, std::vector<CostFilter> where = {}) {
    CostQuery q;
    q.group_by = {*GroupKey::Parse("ServiceCategory"), *GroupKey::Parse("Tags.team")};
    q.from = w.from;
    q.to = w.to;
    q.step = step;
    q.where = std::move(where);
    auto t = QueryCostTable(store_.get(), q);
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() ? *t : CostTable();
  }

  // Every window and step answers what the lines hold, and the total is the rows' sum.
  void ExpectEveryWindow(const std::vector<Line>& lines) {
    const std::vector<Window> windows = {
        {},
        {At("2024-05-01"), At("2024-06-01")},
        {At("2024-05-03"), At("2024-05-20")},
        {At("2024-04-29T05:00:00Z"), At("2024-06-02T07:00:00Z")},
        {At("2024-05-15T03:00:00Z"), std::nullopt},
        {std::nullopt, At("2024-05-10")},
        {At("2024-05-07T01:00:00Z"), At("2024-05-07T20:00:00Z")},
    };
    for (const Window& w : windows) {
      for (CostStep step : {CostStep::kNone, CostStep::kHour, CostStep::kDay, CostStep::kMonth}) {
        SCOPED_TRACE(::testing::Message()
                     << "from " << (w.from ? w.from->ToString() : "-") << " to "
                     << (w.to ? w.to->ToString() : "-") << " step " << static_cast<int>(step));
        CostTable t = Query(w, step);
        Expected want = Sum(lines, w, step);
        EXPECT_EQ(FromTable(t, step != CostStep::kNone), want);
        Decimal total;
        for (const auto& [key, value] : want) total += value;
        EXPECT_EQ(t.total, total);
      }
    }
  }

  TempDir dir_;
  std::string path_ = dir_.File("t.db");
  std::unique_ptr<Store> store_;
  int files_ = 0;
};

TEST_F(CostRollupTest, EveryWindowAndStepEqualsTheLines) {
  const std::vector<Line> lines = Lines();
  Ingest(Csv(lines));
  ExpectEveryWindow(lines);
}

TEST_F(CostRollupTest, ARestatementReplacesItsRollupRows) {
  Ingest(Csv(Lines()));
  const std::vector<Line> restated = Lines(3);
  Ingest(Csv(restated));
  ExpectEveryWindow(restated);
}

TEST_F(CostRollupTest, FiltersKeepOnlyTheirValues) {
  const std::vector<Line> lines = Lines();
  Ingest(Csv(lines));
  const Window may{At("2024-05-01"), At("2024-06-01")};
  CostTable compute = Query(may, CostStep::kDay, {*CostFilter::Parse("ServiceCategory=Compute")});
  EXPECT_EQ(FromTable(compute, true), Sum(lines, may, CostStep::kDay, "Compute"));
  // Null is written as an empty value; two values are either.
  CostTable untagged = Query({}, CostStep::kNone, {*CostFilter::Parse("Tags.team=,ads")});
  Decimal want;
  for (const Line& l : lines) want += l.team != "search" ? l.cost : Decimal();
  EXPECT_EQ(untagged.total, want);
  for (const CostRow& row : untagged.rows) EXPECT_NE(row.keys[1], "search");
}

TEST_F(CostRollupTest, CellsFlushedInPiecesAddUp) {
  const std::vector<Line> lines = Lines();
  Ingest(Csv(lines));
  auto db = sqlite::SqliteDb::Open(path_);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("DELETE FROM cost_rollup").ok());
  auto runs = (*db)->Prepare("SELECT DISTINCT partition_id, ingest_id FROM cost_line_blocks");
  ASSERT_TRUE(runs.ok());
  std::vector<std::pair<int64_t, int64_t>> pairs;
  while (*runs->Step()) pairs.emplace_back(runs->Int(0), runs->Int(1));
  for (const auto& [partition, ingest] : pairs) {
    ASSERT_TRUE(sqlite::RollUpPartition(db->get(), partition, ingest, 3).ok());
  }
  ExpectEveryWindow(lines);
  // Compacted: one block per grain, period and partition, with the same answers.
  for (const auto& [partition, ingest] : pairs) {
    ASSERT_TRUE(sqlite::CompactRollup(db->get(), ingest).ok());
  }
  auto pieces = (*db)->Prepare(
      "SELECT COUNT(*) FROM (SELECT 1 FROM cost_rollup GROUP BY grain, period, partition_id "
      "HAVING COUNT(*) > 1)");
  ASSERT_TRUE(pieces.ok() && *pieces->Step());
  EXPECT_EQ(pieces->Int(0), 0);
  ExpectEveryWindow(lines);
}

TEST_F(CostRollupTest, AStoreFromBeforeTheRollupIsRolledUpWhenOpened) {
  const std::vector<Line> lines = Lines();
  Ingest(Csv(lines));
  store_.reset();
  {
    auto old = sqlite::SqliteDb::Open(path_);
    ASSERT_TRUE(old.ok());
    ASSERT_TRUE(testing::DowngradeCostLines(old->get()).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE cost_rollup; DROP TABLE cost_series_columns; "
                         "DROP TABLE allocation_blocks; DROP TABLE allocation_day_blocks; "
                         "CREATE TABLE allocations(hour, source, consumer, asset, resource, owner, "
                         "service, kind, cost, quantity); CREATE TABLE allocations_daily(day, "
                         "source, consumer, asset, resource, owner, service, kind, cost, "
                         "quantity); DROP TABLE usage_blocks; DROP TABLE capacity_blocks; "
                         "CREATE TABLE usage_facts(source_id, hour, consumer_id, asset_id, "
                         "resource, unit, request, usage); CREATE TABLE capacity_facts(source_id, "
                         "hour, asset_id, resource, unit, capacity); PRAGMA user_version = 4;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  SetUp();
  ExpectEveryWindow(lines);
}

}  // namespace
}  // namespace tally
