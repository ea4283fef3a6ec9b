// The daily allocation rollup in the SQLite store: showback equals the hourly rows however the
// window falls on days, a restored hour re-sums its day, and a store from before the rollup
// (schema v3, a table row per allocation row) has its rows moved into blocks, still answers
// correctly and gets every hour marked for reallocation.
#include <gtest/gtest.h>

#include <algorithm>
#include <sqlite3.h>

#include <map>

#include "report/showback.h"
#include "store/sqlite/allocation_blocks.h"
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/store.h"
#include "store/legacy_schema.h"
#include "testing/test_util.h"

namespace tally {
namespace {

constexpr int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z
Timestamp H(int h) { return Timestamp::FromUnixSeconds(kStart + int64_t{h} * 3600); }
Decimal D(const char* text) { return *Decimal::Parse(text); }

// 72 hours; owner "a" costs 1 + h/100 an hour, "b" 2, and an idle row 0.5.
std::vector<AllocatedHour> Hours(const char* extra_for_hour_30 = "0") {
  std::vector<AllocatedHour> hours;
  for (int h = 0; h < 72; ++h) {
    AllocatedHour out{H(h), {}, {}};
    const Decimal a = D("1") + *Decimal::FromUnits(h).Divide(Decimal::FromUnits(100)) +
                      (h == 30 ? D(extra_for_hour_30) : Decimal());
    out.rows.push_back(
        {H(h), "AWS", "x/p/c", "node-1", "cpu", "a", "EC2", AllocationKind::kDirect, a, D("1.5")});
    out.rows.push_back({H(h), "AWS", "y/p/c", "node-1", "cpu", "b", "EC2", AllocationKind::kDirect,
                        D("2"), D("2")});
    out.rows.push_back({H(h), "AWS", "__idle__", "node-1", "cpu", "a", "EC2", AllocationKind::kIdle,
                        D("0.5"), Decimal()});
    out.bill["AWS"] = a + D("2.5");
    hours.push_back(std::move(out));
  }
  return hours;
}

std::map<std::string, std::string> ByOwner(Store& store, std::optional<Timestamp> from,
                                           std::optional<Timestamp> to, const char* extra = "") {
  ShowbackQuery q{{ShowbackKey::Of(AllocationColumn::kOwner)}, from, to, {}, {}};
  if (*extra) q.group_by.push_back(*ShowbackKey::Parse(extra));
  auto table = QueryShowback(store, q);
  EXPECT_TRUE(table.ok()) << table.status().message();
  std::map<std::string, Decimal> sums;
  for (const ShowbackRow& r : table->rows) sums[r.keys[0]] += r.cost;
  std::map<std::string, std::string> out;
  for (const auto& [owner, cost] : sums) out[owner] = cost.ToString();
  return out;
}

void ExpectRollupMatchesHours(Store& store) {
  const std::pair<std::optional<Timestamp>, std::optional<Timestamp>> windows[] = {
      {std::nullopt, std::nullopt}, {H(0), H(72)}, {H(5), H(67)}, {H(24), H(48)}, {H(30), H(31)}};
  for (const auto& [from, to] : windows) {
    const auto hourly = ByOwner(store, from, to, "hour");
    ASSERT_FALSE(hourly.empty());
    EXPECT_EQ(ByOwner(store, from, to), hourly);
    EXPECT_EQ(ByOwner(store, from, to, "day"), hourly);
  }
}

TEST(AllocationRollupTest, ShowbackEqualsTheHoursForAnyWindow) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("t.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->StoreAllocations(Hours(), "p").ok());
  ExpectRollupMatchesHours(**store);
  // Days: 3, each with its three rows summed; quantity kept for chargeback.
  auto days = QueryShowback(**store, ShowbackQuery{*ParseShowbackKeys({"day", "owner", "kind"}),
                                                   {}, {}, {}, {}, {}});
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->rows.size(), 9u);
  // Each day's rows together, the largest first: b's 48 before a's 26.76.
  EXPECT_EQ(days->rows[0].keys, (std::vector<std::string>{"2026-01-01", "b", "direct"}));
  auto a = std::find_if(days->rows.begin(), days->rows.end(), [](const ShowbackRow& r) {
    return r.keys == std::vector<std::string>{"2026-01-01", "a", "direct"};
  });
  ASSERT_NE(a, days->rows.end());
  EXPECT_EQ(a->cost.ToString(), "26.76");  // 24 + (0+...+23)/100
  EXPECT_EQ(a->quantity.at("cpu").ToString(), "36");
  EXPECT_EQ(days->rows[3].keys[0], "2026-01-02");

  // Hour 30 is allocated again with 7 more: its day is summed again.
  std::vector<AllocatedHour> again = Hours("7");
  ASSERT_TRUE((*store)->StoreAllocations(std::span(&again[30], 1), "p").ok());
  ExpectRollupMatchesHours(**store);
  // Day 2 for a: 24 + (24 + ... + 47) / 100 + 7 direct, and 24 × 0.5 idle.
  EXPECT_EQ(ByOwner(**store, H(24), H(48)).at("a"), "51.52");
  auto reconcile = Reconcile(**store, std::nullopt, std::nullopt);
  ASSERT_TRUE(reconcile.ok());
  ASSERT_EQ(reconcile->size(), 1u);
  EXPECT_TRUE((*reconcile)[0].difference().is_zero());
}

TEST(AllocationRollupTest, AStoreFromBeforeTheRollupAnswersAndIsMarkedForReallocation) {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir.File("t.db"));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->StoreAllocations(Hours(), "p").ok());
  }
  // Back to schema v3: one table row per allocation row, no daily rollup, no v5 tables.
  {
    auto db = sqlite::SqliteDb::Open(dir.File("t.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("CREATE TABLE allocations(hour INTEGER NOT NULL, source INTEGER NOT "
                           "NULL, consumer INTEGER NOT NULL, asset INTEGER NOT NULL, resource "
                           "INTEGER NOT NULL, owner INTEGER NOT NULL, service INTEGER NOT NULL, "
                           "kind INTEGER NOT NULL, cost, quantity)")
                    .ok());
    auto insert = (*db)->Prepare("INSERT INTO allocations VALUES(?,?,?,?,?,?,?,?,?,?)");
    ASSERT_TRUE(insert.ok());
    sqlite::DecimalBlob cost, quantity;
    ASSERT_TRUE(sqlite::ScanAllocationBlocks(
                    db->get(), sqlite::AllocationGrain::kHour, INT64_MIN, INT64_MAX,
                    [&](int64_t hour, const sqlite::StoredAllocation& row) {
                      insert->BindInt(1, hour);
                      for (int i = 0; i < 6; ++i) insert->BindInt(2 + i, row.ids[i]);
                      insert->BindInt(8, row.kind);
                      sqlite::BindDecimal(&*insert, 9, row.cost, &cost);
                      sqlite::BindDecimal(&*insert, 10, row.quantity, &quantity);
                      return insert->Run();
                    })
                    .ok());
    ASSERT_TRUE(testing::DowngradeCostLines(db->get()).ok());
    ASSERT_TRUE((*db)
                    ->Exec("DROP TABLE allocation_blocks; DROP TABLE allocation_day_blocks; "
                           "DROP TABLE allocation_days; DROP TABLE cost_rollup; "
                           "DROP TABLE cost_series_columns; DROP TABLE usage_blocks; "
                           "DROP TABLE capacity_blocks; CREATE TABLE usage_facts(source_id, hour, "
                           "consumer_id, asset_id, resource, unit, request, usage); CREATE TABLE "
                           "capacity_facts(source_id, hour, asset_id, resource, unit, capacity); "
                           "PRAGMA user_version = 3;")
                    .ok());
  }

  auto store = OpenStore(dir.File("t.db"), OpenMode::kMustExist);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ExpectRollupMatchesHours(**store);  // from the hourly rows: no day is summed yet
  auto dirty = (*store)->HoursToAllocate(TimeWindow{H(0), H(72)}, "p");
  ASSERT_TRUE(dirty.ok());
  EXPECT_EQ(dirty->size(), 72u);
  auto status = (*store)->GetAllocationStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->allocated_hours, 72);
  EXPECT_EQ(status->dirty_hours, 72);
  EXPECT_EQ(status->first_hour, H(0));
  EXPECT_EQ(status->last_hour, H(71));
  ASSERT_TRUE((*store)->StoreAllocations(Hours(), "p").ok());
  EXPECT_EQ((*store)->GetAllocationStatus()->dirty_hours, 0);
  ExpectRollupMatchesHours(**store);
  EXPECT_TRUE((*store)->HoursToAllocate(TimeWindow{H(0), H(72)}, "p")->empty());
}

}  // namespace
}  // namespace tally
