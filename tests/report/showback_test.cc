// Showback's consumer attributes: grouping by namespace and by label.<key> (the consumer's
// label, else its asset's, else empty), controller, alone and beside stored columns, regroups the
// store's sums exactly; filters keep rows and total them; estimated cost is told apart; rows
// come sorted by cost; reconcile puts the bill beside direct, shared, idle and
// unallocated. Every expected figure is written out by hand from the rows below.
#include "report/showback.h"

#include <gtest/gtest.h>

#include "tally/store.h"
#include "testing/test_util.h"

namespace tally {
namespace {

constexpr int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z
Timestamp H(int h) { return Timestamp::FromUnixSeconds(kStart + int64_t{h} * 3600); }
Decimal D(const char* text) { return *Decimal::Parse(text); }

class ShowbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite:" + dir_.File("t.db"));
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    // web/a (team=ads) and web/b (no team) on n1 (team=platform); batch/c (team=search) on n2.
    UsageBatch batch("kube", TimeWindow{H(0), H(2)});
    batch.AddConsumer({"web/a/x", "web", "a", "x", "ReplicaSet/a-1", {{"team", "ads"}}});
    batch.AddConsumer({"web/b/x", "web", "b", "x", "", {}});
    batch.AddConsumer({"batch/c/x", "batch", "c", "x", "", {{"team", "search"}}});
    batch.AddAsset({"n1", "i-1", "m5.large", "z1", {{"team", "platform"}}});
    batch.AddAsset({"n2", "i-2", "m5.large", "z1", {}});
    ASSERT_TRUE(store_->StoreUsage(std::span(&batch, 1)).ok());

    std::vector<AllocatedHour> hours;
    for (int h = 0; h < 2; ++h) {
      AllocatedHour out{H(h), {}, {}};
      auto row = [&](const char* consumer, const char* asset, const char* owner,
                     AllocationKind kind, const char* cost) {
        out.rows.push_back({H(h), "AWS", consumer, asset, "cpu", owner, "EC2", kind, D(cost),
                            kind == AllocationKind::kDirect ? D("1") : Decimal()});
      };
      row("web/a/x", "n1", "ads", AllocationKind::kDirect, "1.5");
      row("web/b/x", "n1", "shop", AllocationKind::kDirect, "2.25");
      row("batch/c/x", "n2", "search", AllocationKind::kDirect, "3");
      row("__idle__", "n1", "__idle__", AllocationKind::kIdle, "0.5");
      row("__unallocated__", "tax-1", "__unallocated__", AllocationKind::kUnallocated, "0.01");
      out.bill["AWS"] = D("7.26");
      hours.push_back(std::move(out));
    }
    ASSERT_TRUE(store_->StoreAllocations(hours, "p").ok());
  }

  // key texts joined by '|' -> cost
  std::map<std::string, std::string> By(std::vector<std::string> names) {
    auto keys = ParseShowbackKeys(names);
    EXPECT_TRUE(keys.ok());
    auto table = QueryShowback(*store_, ShowbackQuery{*keys, {}, {}, {}, {}, {}});
    EXPECT_TRUE(table.ok()) << table.status().message();
    EXPECT_EQ(table->columns, names);
    EXPECT_EQ(table->total.ToString(), "14.52");
    EXPECT_EQ(table->hours, 2);
    // The largest cost first; equal costs by key.
    EXPECT_TRUE(std::is_sorted(table->rows.begin(), table->rows.end(),
                               [](const ShowbackRow& a, const ShowbackRow& b) {
                                 return a.cost != b.cost ? b.cost < a.cost : a.keys < b.keys;
                               }));
    std::map<std::string, std::string> out;
    for (const ShowbackRow& r : table->rows) {
      std::string key;
      for (size_t i = 0; i < r.keys.size(); ++i) key += (i == 0 ? "" : "|") + r.keys[i];
      EXPECT_FALSE(out.contains(key)) << "a group twice: " << key;
      out[key] = r.cost.ToString();
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ShowbackTest, LabelsFallBackToTheAssetsAndThenToEmpty) {
  EXPECT_EQ(By({"label.team"}), (std::map<std::string, std::string>{
                                    {"", "0.02"},          // unallocated: no consumer, no asset
                                    {"ads", "3"},          // web/a's own label
                                    {"platform", "5.5"},   // web/b and idle: n1's label
                                    {"search", "6"}}));    // batch/c's own label
}

TEST_F(ShowbackTest, NamespaceAndStoredColumnsGroupTogether) {
  EXPECT_EQ(By({"namespace", "kind"}), (std::map<std::string, std::string>{
                                           {"|idle", "1"},
                                           {"|unallocated", "0.02"},
                                           {"batch|direct", "6"},
                                           {"web|direct", "7.5"}}));
  EXPECT_EQ(By({"owner", "label.team"}), (std::map<std::string, std::string>{
                                             {"__idle__|platform", "1"},
                                             {"__unallocated__|", "0.02"},
                                             {"ads|ads", "3"},
                                             {"search|search", "6"},
                                             {"shop|platform", "4.5"}}));
}

TEST_F(ShowbackTest, ControllerIsAConsumerAttribute) {
  EXPECT_EQ(By({"controller"}), (std::map<std::string, std::string>{
                                    {"", "11.52"}, {"ReplicaSet/a-1", "3"}}));
}

TEST_F(ShowbackTest, FiltersKeepTheRowsOfTheirValuesAndTotalThem) {
  auto query = [&](std::vector<std::string> by, std::vector<std::string> where) {
    ShowbackQuery q{*ParseShowbackKeys(by), {}, {}, {}, {}};
    for (const std::string& w : where) q.where.push_back(*ShowbackFilter::Parse(w));
    auto table = QueryShowback(*store_, q);
    EXPECT_TRUE(table.ok()) << table.status().message();
    std::map<std::string, std::string> out;
    for (const ShowbackRow& r : table->rows) out[r.keys[0]] = r.cost.ToString();
    out["TOTAL"] = table->total.ToString();
    return out;
  };
  // web's rows by owner: ads 3, shop 4.5.
  EXPECT_EQ(query({"owner"}, {"namespace=web"}),
            (std::map<std::string, std::string>{{"ads", "3"}, {"shop", "4.5"}, {"TOTAL", "7.5"}}));
  // Two values, and a second filter on another key.
  EXPECT_EQ(query({"namespace"}, {"label.team=ads,search", "kind=direct"}),
            (std::map<std::string, std::string>{{"batch", "6"}, {"web", "3"}, {"TOTAL", "9"}}));
  // "" matches rows without the key: the unallocated tax line has no namespace.
  EXPECT_EQ(query({"kind"}, {"namespace="}),
            (std::map<std::string, std::string>{
                {"idle", "1"}, {"unallocated", "0.02"}, {"TOTAL", "1.02"}}));
  EXPECT_FALSE(ShowbackFilter::Parse("namespace").ok());
  EXPECT_FALSE(ShowbackFilter::Parse("bogus=1").ok());
}

TEST_F(ShowbackTest, EstimatedCostIsToldApartInRowsAndTotal) {
  AllocatedHour out{H(2), {}, {}};
  out.rows.push_back({H(2), "estimate", "web/a/x", "n1", "cpu", "ads", "Estimated (instance price)",
                      AllocationKind::kDirect, D("0.4"), D("1")});
  out.rows.push_back({H(2), "AWS", "web/a/x", "n1", "cpu", "ads", "EC2", AllocationKind::kDirect,
                      D("1"), D("1")});
  out.bill["estimate"] = D("0.4");
  out.bill["AWS"] = D("1");
  ASSERT_TRUE(store_->StoreAllocations(std::vector<AllocatedHour>{out}, "p").ok());
  auto table = QueryShowback(*store_, ShowbackQuery{*ParseShowbackKeys({"owner"}), H(2), H(3), {}, {}, {}});
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].cost, D("1.4"));
  EXPECT_EQ(table->rows[0].estimated, D("0.4"));
  EXPECT_EQ(table->estimated, D("0.4"));
  EXPECT_EQ(table->total, D("1.4"));
}

TEST_F(ShowbackTest, QuantitiesAreKeptThroughTheRegrouping) {
  auto table = QueryShowback(*store_, ShowbackQuery{*ParseShowbackKeys({"namespace"}), {}, {}, {}, {}, {}});
  ASSERT_TRUE(table.ok());
  std::map<std::string, std::string> cpu;
  for (const ShowbackRow& r : table->rows) {
    if (auto q = r.quantity.find("cpu"); q != r.quantity.end()) cpu[r.keys[0]] = q->second.ToString();
  }
  // Direct rows only, 1 a row: web has 2 rows × 2 hours, batch 1 × 2.
  EXPECT_EQ(cpu, (std::map<std::string, std::string>{{"batch", "2"}, {"web", "4"}}));
}

TEST_F(ShowbackTest, ReconcileSplitsTheBill) {
  auto rows = Reconcile(*store_, std::nullopt, std::nullopt);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const ReconcileRow& r = (*rows)[0];
  EXPECT_EQ(r.source, "AWS");
  EXPECT_EQ(r.hours, 2);
  EXPECT_EQ(r.bill.ToString(), "14.52");
  EXPECT_EQ(r.allocated.ToString(), "13.5");
  EXPECT_EQ(r.idle.ToString(), "1");
  EXPECT_EQ(r.unallocated.ToString(), "0.02");
  EXPECT_TRUE(r.difference().is_zero());
}

TEST(ShowbackKeyTest, ParsesEveryNameAndRefusesOthers) {
  for (const char* name : {"source", "consumer", "asset", "resource", "owner", "service", "kind",
                           "hour", "day", "namespace", "label.team"}) {
    auto key = ShowbackKey::Parse(name);
    ASSERT_TRUE(key.ok()) << name;
    EXPECT_EQ(key->Name(), name);
  }
  for (const char* bad : {"", "label.", "Owner", "labels.team", "tag.x"}) {
    EXPECT_FALSE(ShowbackKey::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace tally
