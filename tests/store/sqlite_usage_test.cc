// Usage facts in the SQLite store: a source's batch replaces exactly its own hours, complete
// hours are remembered per source, and grouped queries sum exactly.
#include <gtest/gtest.h>

#include "report/usage_report.h"
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/fact_blocks.h"
#include "store/sqlite/sqlite_db.h"
#include "tally/store.h"
#include "store/legacy_schema.h"
#include "testing/test_util.h"

namespace tally {
namespace {

Timestamp H(int h) { return Timestamp::FromUnixSeconds(1'700'000'000 / 3600 * 3600 + h * 3600); }
Decimal D(const char* text) { return *Decimal::Parse(text); }

UsageBatch Batch(const std::string& source, int from, int to, const char* cpu_per_hour) {
  UsageBatch batch(source, TimeWindow{H(from), H(to)});
  const uint32_t node = batch.AddAsset(Asset{"node-a", "i-123", "m5.large", "z", {{"pool", "p"}}});
  const uint32_t api = batch.AddConsumer(
      Consumer{"shop/api-1/api", "shop", "api-1", "api", "ReplicaSet/api", {{"team", "web"}}});
  const uint32_t etl = batch.AddConsumer(
      Consumer{"data/etl-1/etl", "data", "etl-1", "etl", "Job/etl", {{"team", "data"}}});
  for (int h = from; h < to; ++h) {
    batch.AddUsage(UsageFact{H(h), api, node, "cpu", "core", D(cpu_per_hour), D("0.5")});
    batch.AddUsage(UsageFact{H(h), etl, node, "memory", "GiB", D("2"), D("1.25")});
    batch.AddCapacity(CapacityFact{H(h), node, "cpu", "core", D("2")});
  }
  return batch;
}

class SqliteUsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore(dir_.File("u.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  UsageTable Query(std::vector<std::string> by, std::optional<Timestamp> from = std::nullopt) {
    UsageQuery q;
    for (const std::string& b : by) q.group_by.push_back(*UsageGroupKey::Parse(b));
    q.from = from;
    return *QueryUsage(*store_, q);
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteUsageTest, StoresGroupsAndSumsExactly) {
  UsageBatch batch = Batch("s", 0, 3, "1.1");
  auto commit = store_->StoreUsage(std::span<const UsageBatch>(&batch, 1));
  ASSERT_TRUE(commit.ok()) << commit.status().message();
  EXPECT_EQ(commit->facts_stored, 6);
  EXPECT_EQ(commit->hours, 3);

  UsageTable by_team = Query({"label.team"});
  ASSERT_EQ(by_team.rows.size(), 2u);
  EXPECT_EQ(by_team.columns, (std::vector<std::string>{"label.team", "resource", "unit"}));
  EXPECT_EQ(by_team.rows[0].keys, (std::vector<std::string>{"data", "memory", "GiB"}));
  EXPECT_EQ(by_team.rows[0].request.ToString(), "6");
  EXPECT_EQ(by_team.rows[0].usage.ToString(), "3.75");
  EXPECT_EQ(by_team.rows[1].keys, (std::vector<std::string>{"web", "cpu", "core"}));
  EXPECT_EQ(by_team.rows[1].request.ToString(), "3.3");

  UsageTable by_node = Query({"node", "controller", "label.pool"});
  EXPECT_EQ(by_node.rows[0].keys[0], "node-a");
  EXPECT_EQ(by_node.rows[0].keys[1], "Job/etl");
  EXPECT_EQ(by_node.rows[0].keys[2], "p");  // an asset label, when the consumer has none

  EXPECT_EQ(Query({"namespace"}, H(2)).facts, 2);  // the window is [from, ...)
}

TEST_F(SqliteUsageTest, ABatchReplacesItsSourcesHoursOnly) {
  UsageBatch first = Batch("s", 0, 4, "1");
  UsageBatch other = Batch("t", 0, 4, "7");
  ASSERT_TRUE(store_->StoreUsage(std::span<const UsageBatch>(&first, 1)).ok());
  ASSERT_TRUE(store_->StoreUsage(std::span<const UsageBatch>(&other, 1)).ok());
  // Source s restates hours 1 and 2.
  UsageBatch restated = Batch("s", 1, 3, "3");
  auto commit = store_->StoreUsage(std::span<const UsageBatch>(&restated, 1));
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(commit->facts_replaced, 4);
  UsageTable by_source = Query({"source", "resource"});
  // s: hours 0 and 3 at 1 core, hours 1 and 2 at 3 cores; t untouched at 4 × 7.
  EXPECT_EQ(by_source.rows[0].keys[0], "s");
  EXPECT_EQ(by_source.rows[0].request.ToString(), "8");
  EXPECT_EQ(by_source.rows[2].keys[0], "t");
  EXPECT_EQ(by_source.rows[2].request.ToString(), "28");

  auto hours = store_->CompleteUsageHours("s", TimeWindow{H(0), H(10)});
  ASSERT_TRUE(hours.ok());
  EXPECT_EQ(hours->size(), 4u);
}

// Batch jobs: one job's batch replaces that job's facts, wherever they were, and nothing of
// the other jobs of the same source.
UsageBatch Job(const std::string& name, int from, int to, const char* cores) {
  UsageBatch batch("jobs", TimeWindow{H(from), H(to)});
  batch.set_replace(UsageReplace::kConsumers);
  const uint32_t node = batch.AddAsset(Asset{"cn-1", "", "", "", {}});
  const uint32_t job = batch.AddConsumer(Consumer{name, "", "", "", "", {{"account", "a"}}});
  for (int h = from; h < to; ++h) {
    batch.AddUsage(UsageFact{H(h), job, node, "cpu", "core", D(cores), D("0.5")});
  }
  return batch;
}

TEST_F(SqliteUsageTest, AConsumerBatchReplacesItsConsumersOnly) {
  std::vector<UsageBatch> first{Job("j1", 0, 3, "2"), Job("j2", 1, 4, "5")};
  ASSERT_TRUE(store_->StoreUsage(first).ok());
  EXPECT_EQ(Query({"consumer"}).rows.size(), 2u);
  // j1 read again, shorter (hours 1 and 2 only) and bigger: its hour 0 goes, j2 stays.
  UsageBatch restated("jobs", TimeWindow{H(0), H(3)});
  restated.set_replace(UsageReplace::kConsumers);
  restated.AddAsset(Asset{"cn-1", "", "", "", {}});
  restated.AddConsumer(Consumer{"j1", "", "", "", "", {}});
  restated.AddUsage(UsageFact{H(1), 0, 0, "cpu", "core", D("4"), D("1")});
  restated.AddUsage(UsageFact{H(2), 0, 0, "cpu", "core", D("4"), D("1")});
  auto commit = store_->StoreUsage(std::span<const UsageBatch>(&restated, 1));
  ASSERT_TRUE(commit.ok()) << commit.status().message();
  EXPECT_EQ(commit->facts_replaced, 3);
  EXPECT_EQ(commit->facts_stored, 2);
  UsageTable by_consumer = Query({"consumer"});
  ASSERT_EQ(by_consumer.rows.size(), 2u);
  EXPECT_EQ(by_consumer.rows[0].keys[0], "j1");
  EXPECT_EQ(by_consumer.rows[0].request.ToString(), "8");
  EXPECT_EQ(by_consumer.rows[1].keys[0], "j2");
  EXPECT_EQ(by_consumer.rows[1].request.ToString(), "15");
  EXPECT_EQ(Query({"consumer"}, H(1)).facts, 5);  // j1 in hours 1, 2; j2 in hours 1, 2, 3
  EXPECT_EQ(Query({"consumer"}).facts, 5);        // j1's hour 0 is gone

  // Storing the same batch again changes nothing.
  ASSERT_TRUE(store_->StoreUsage(std::span<const UsageBatch>(&restated, 1)).ok());
  EXPECT_EQ(Query({"consumer"}).rows[0].request.ToString(), "8");
  EXPECT_EQ(Query({"consumer"}).facts, 5);

  // A consumer batch carries no capacity.
  UsageBatch with_capacity = Job("j3", 0, 1, "1");
  with_capacity.AddCapacity(CapacityFact{H(0), 0, "cpu", "core", D("8")});
  EXPECT_FALSE(store_->StoreUsage(std::span<const UsageBatch>(&with_capacity, 1)).ok());
}

TEST_F(SqliteUsageTest, OpenHoursAreNotComplete) {
  UsageBatch open = Batch("live", 0, 2, "1");
  open.set_complete(false);
  ASSERT_TRUE(store_->StoreUsage(std::span<const UsageBatch>(&open, 1)).ok());
  EXPECT_TRUE(store_->CompleteUsageHours("live", TimeWindow{H(0), H(2)})->empty());
  EXPECT_EQ(Query({"source"}).facts, 4);
}

TEST_F(SqliteUsageTest, RejectsFactsOutsideTheWindowAndStoresNothing) {
  UsageBatch good = Batch("s", 0, 2, "1");
  UsageBatch bad = Batch("s", 5, 6, "1");
  bad.AddUsage(UsageFact{H(9), 0, kNoAsset, "cpu", "core", D("1"), D("1")});
  const std::vector<UsageBatch> batches = {good, bad};
  auto commit = store_->StoreUsage(batches);
  ASSERT_FALSE(commit.ok());
  EXPECT_NE(commit.status().message().find("outside the batch window"), std::string::npos);
  EXPECT_EQ(Query({"source"}).facts, 0);  // the good batch was rolled back with the bad
}

TEST_F(SqliteUsageTest, RunsAreLoggedPerSource) {
  UsageBatch batch = Batch("s", 0, 2, "1");
  ASSERT_TRUE(store_->StoreUsage(std::span<const UsageBatch>(&batch, 1)).ok());
  ASSERT_TRUE(store_->RecordUsageRun("s", H(5), "boom").ok());
  auto sources = store_->ListUsageSources();
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].complete_hours, 2);
  EXPECT_EQ((*sources)[0].last_hour, H(1));
  EXPECT_EQ((*sources)[0].last_error, "boom");
  EXPECT_EQ((*sources)[0].last_run, H(5));
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// A store of schema v4 kept a table row per fact: opening it moves the rows into blocks, and
// every usage, capacity and asset answer stays the same.
TEST_F(SqliteUsageTest, FactRowsOfAnOlderStoreMoveIntoBlocks) {
  std::vector<UsageBatch> batches = {Batch("s", 0, 3, "1.1"), Batch("t", 2, 5, "0.3")};
  ASSERT_TRUE(store_->StoreUsage(batches).ok());
  auto answers = [&] {
    std::string out;
    const std::vector<std::vector<std::string>> groupings = {
        {"consumer", "hour"}, {"label.team", "source"}, {"node", "day"}};
    for (const auto& by : groupings) {
      UsageQuery q;
      for (const std::string& b : by) q.group_by.push_back(*UsageGroupKey::Parse(b));
      for (const bool capacity : {false, true}) {
        auto table = capacity ? QueryCapacity(*store_, q) : QueryUsage(*store_, q);
        EXPECT_TRUE(table.ok());
        for (const UsageRow& r : table->rows) {
          for (const std::string& k : r.keys) out += k + ",";
          out += r.request.ToString() + "/" + r.usage.ToString() + "\n";
        }
      }
    }
    const auto assets = store_->ListAssets(std::nullopt, std::nullopt);
    EXPECT_TRUE(assets.ok());
    for (const AssetRecord& a : *assets) {
      for (const auto& [resource, amount] : a.capacity) out += a.asset.name + resource + amount.ToString();
    }
    return out;
  };
  const std::string before = answers();
  ASSERT_FALSE(before.empty());
  store_.reset();
  {
    auto db = sqlite::SqliteDb::Open(dir_.File("u.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("CREATE TABLE usage_facts(source_id, hour, consumer_id, asset_id, "
                           "resource, unit, request, usage); CREATE TABLE capacity_facts("
                           "source_id, hour, asset_id, resource, unit, capacity)")
                    .ok());
    auto usage = (*db)->Prepare("INSERT INTO usage_facts VALUES(?,?,?,?,?,?,?,?)");
    auto capacity = (*db)->Prepare("INSERT INTO capacity_facts VALUES(?,?,?,?,?,?)");
    ASSERT_TRUE(usage.ok() && capacity.ok());
    sqlite::DecimalBlob a, b;
    for (auto table : {sqlite::FactTable::kUsage, sqlite::FactTable::kCapacity}) {
      const bool is_usage = table == sqlite::FactTable::kUsage;
      sqlite::Statement& insert = is_usage ? *usage : *capacity;
      ASSERT_TRUE(sqlite::ScanFactBlocks(db->get(), table, INT64_MIN, INT64_MAX,
                                         [&](const sqlite::StoredFact& f) {
                                           int i = 1;
                                           insert.BindInt(i++, f.source_id);
                                           insert.BindInt(i++, f.hour);
                                           if (is_usage) insert.BindInt(i++, f.consumer_id);
                                           insert.BindInt(i++, f.asset_id);
                                           insert.BindText(i++, f.resource);
                                           insert.BindText(i++, f.unit);
                                           sqlite::BindDecimal(&insert, i++, f.request, &a);
                                           if (is_usage) sqlite::BindDecimal(&insert, i++, f.usage, &b);
                                           return insert.Run();
                                         })
                      .ok());
    }
    ASSERT_TRUE(testing::DowngradeCostLines(db->get()).ok());
    ASSERT_TRUE((*db)
                    ->Exec("DROP TABLE usage_blocks; DROP TABLE capacity_blocks; "
                           "DROP TABLE cost_rollup; DROP TABLE cost_series_columns; "
                           "DROP TABLE allocation_blocks; DROP TABLE allocation_day_blocks; "
                           "CREATE TABLE allocations(hour, source, consumer, asset, resource, "
                           "owner, service, kind, cost, quantity); CREATE TABLE "
                           "allocations_daily(day, source, consumer, asset, resource, owner, "
                           "service, kind, cost, quantity); PRAGMA user_version = 4;")
                    .ok());
  }
  SetUp();
  EXPECT_EQ(answers(), before);
}

}  // namespace
}  // namespace tally
