// Cost line blocks give back exactly the lines written: ids, line numbers, charge periods (null
// ones too), packed amounts and extra columns (missing, sparse, repeated), across block and
// partition boundaries; filters select by partition, run, start range and overlap as a plain
// loop over the same lines does; deletes count lines; a corrupt block is an error, not a crash.
// Also the series key: round trip and its persisted hash.
#include "store/sqlite/line_blocks.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "model/extra_columns.h"
#include "store/sqlite/packed.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/series_key.h"
#include "testing/test_util.h"

namespace tally::sqlite {
namespace {

struct Written {
  int64_t partition = 0, file = 0;
  int64_t series = 0, line = 0;
  std::optional<int64_t> start, end;
  std::string amounts, extras;
};

class LineBlocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDb::Open(dir_.File("lines.db"));
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    ASSERT_TRUE(Migrate(db_.get()).ok());
  }

  // Writes `n` lines of `file` in run `ingest`, spread over `partitions` partitions.
  void Write(int64_t ingest, int64_t file, int n, int partitions, uint32_t seed) {
    std::mt19937 rng(seed);
    LineBlockWriter writer;
    writer.BeginFile(ingest, file);
    for (int i = 0; i < n; ++i) {
      Written w;
      w.partition = 100 + static_cast<int64_t>(rng() % static_cast<uint32_t>(partitions));
      w.file = file;
      w.series = static_cast<int64_t>(rng() % 5000);
      w.line = i + 2;
      if (rng() % 10 != 0) w.start = 1714521600 + static_cast<int64_t>(rng() % 2000) * 3600;
      if (w.start && rng() % 10 != 0) w.end = *w.start + 3600;
      for (size_t d = 0; d < kFocusDecimalCount; ++d) {
        std::optional<Decimal> v;
        if (rng() % 3 != 0) v = Decimal::FromRaw(static_cast<__int128>(rng()) * 1000 - 7);
        AppendDecimal(v, &w.amounts);
      }
      ExtrasEncoder extras;
      for (uint32_t c = 0; c < 6; ++c) {
        if (rng() % 4 == 0) continue;  // sparse
        extras.Add(c * 3, c == 0 ? std::to_string(rng()) : "v" + std::to_string(rng() % 4));
      }
      w.extras = std::string(extras.blob());
      StoredLine line{w.series, w.line, w.start, w.end, w.amounts, w.extras};
      ASSERT_TRUE(writer.Add(db_.get(), w.partition, line).ok());
      written_.push_back(std::move(w));
    }
    ASSERT_TRUE(writer.Flush(db_.get()).ok());
    ingest_of_[file] = ingest;
  }

  std::vector<Written> Scan(const LineFilter& filter) {
    std::vector<Written> out;
    Status s = ScanLineBlocks(db_.get(), filter, [&](const LineBlockInfo& b, const StoredLine& l) {
      EXPECT_EQ(b.ingest_id, ingest_of_[b.file_id]);
      out.push_back({b.partition_id, b.file_id, l.series_id, l.line, l.start, l.end,
                     std::string(l.amounts), std::string(l.extras)});
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }

  // The written lines `keep` selects, in (file, partition, line) order; `extras` false blanks them.
  template <typename Keep>
  std::vector<Written> Expected(Keep keep, bool extras) const {
    std::vector<Written> out;
    for (const Written& w : written_) {
      if (!keep(w)) continue;
      out.push_back(w);
      if (!extras) out.back().extras.clear();
    }
    Sort(&out);
    return out;
  }

  static void Sort(std::vector<Written>* lines) {
    std::stable_sort(lines->begin(), lines->end(), [](const Written& a, const Written& b) {
      return std::tie(a.file, a.partition, a.line) < std::tie(b.file, b.partition, b.line);
    });
  }

  static void ExpectSame(std::vector<Written> got, const std::vector<Written>& want) {
    Sort(&got);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      const Written& g = got[i];
      const Written& w = want[i];
      EXPECT_EQ(std::tie(g.partition, g.file, g.series, g.line, g.start, g.end),
                std::tie(w.partition, w.file, w.series, w.line, w.start, w.end))
          << "line " << i;
      EXPECT_EQ(g.amounts, w.amounts) << "line " << i;
      EXPECT_EQ(g.extras, w.extras) << "line " << i;
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteDb> db_;
  std::vector<Written> written_;
  std::map<int64_t, int64_t> ingest_of_;
};

TEST_F(LineBlocksTest, EveryLineComesBackAsWritten) {
  Write(1, 10, 3 * static_cast<int>(kLineBlockRows) + 17, 3, 1);  // several blocks a partition
  Write(2, 11, 5, 1, 2);
  LineFilter all;
  all.extras = true;
  ExpectSame(Scan(all), Expected([](const Written&) { return true; }, true));
  ExpectSame(Scan(LineFilter{}), Expected([](const Written&) { return true; }, false));
}

TEST_F(LineBlocksTest, FiltersSelectWhatALoopSelects) {
  Write(1, 10, 20000, 2, 3);
  Write(2, 11, 3000, 2, 4);
  const int64_t lo = 1714521600 + 500 * 3600, hi = lo + 300 * 3600;
  LineFilter by_start;
  by_start.start_from = lo;
  by_start.start_to = hi;
  ExpectSame(Scan(by_start),
             Expected([&](const Written& w) { return w.start && *w.start >= lo && *w.start < hi; },
                      false));
  LineFilter overlap;
  overlap.overlap_from = lo;
  overlap.overlap_to = hi;
  ExpectSame(Scan(overlap), Expected(
                                [&](const Written& w) {
                                  return w.start && w.end && *w.start < hi && *w.end > lo;
                                },
                                false));
  LineFilter run;
  run.partition_id = 101;
  run.ingest_id = 2;
  ExpectSame(Scan(run), Expected([](const Written& w) { return w.partition == 101 && w.file == 11; },
                                 false));
  auto span = StoredChargeSpan(db_.get());
  ASSERT_TRUE(span.ok());
  int64_t min_start = INT64_MAX, max_end = INT64_MIN;
  for (const Written& w : written_) {
    if (w.start) min_start = std::min(min_start, *w.start);
    if (w.end) max_end = std::max(max_end, *w.end);
  }
  EXPECT_EQ(span->first, min_start);
  EXPECT_EQ(span->second, max_end);
}

TEST_F(LineBlocksTest, DeletesCountTheirLines) {
  Write(1, 10, 9000, 2, 5);
  Write(2, 11, 700, 2, 6);
  int64_t in_file_11 = 0, replaced_in_100 = 0;
  for (const Written& w : written_) {
    in_file_11 += w.file == 11;
    replaced_in_100 += w.partition == 100 && w.file == 10;
  }
  auto replaced = DeleteReplacedLines(db_.get(), 100, 2);  // keeps run 2's lines of partition 100
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(*replaced, replaced_in_100);
  auto dropped = DeleteFileLines(db_.get(), 11);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, in_file_11);
  ExpectSame(Scan(LineFilter{}), Expected(
                                     [](const Written& w) {
                                       return w.file == 10 && w.partition != 100;
                                     },
                                     false));
}

TEST_F(LineBlocksTest, DiscardedLinesAreNotWritten) {
  LineBlockWriter writer;
  writer.BeginFile(1, 10);
  const std::string amounts(kFocusDecimalCount, static_cast<char>(0xFF));  // all null
  ASSERT_TRUE(writer.Add(db_.get(), 100, StoredLine{1, 2, 0, 3600, amounts, {}}).ok());
  writer.Discard();
  ASSERT_TRUE(writer.Flush(db_.get()).ok());
  EXPECT_TRUE(Scan(LineFilter{}).empty());
  // Amounts that are not 12 packed decimals are refused, not stored.
  EXPECT_FALSE(writer.Add(db_.get(), 100, StoredLine{1, 2, 0, 3600, "\x01", {}}).ok());
}

TEST_F(LineBlocksTest, ThousandsOfSparseExtraColumnsStayBounded) {
  // Each line has a value in a column of its own: blocks are cut before the padded columns
  // outgrow their bound, and every value comes back.
  LineBlockWriter writer;
  writer.BeginFile(1, 10);
  std::string amounts;
  for (size_t d = 0; d < kFocusDecimalCount; ++d) AppendDecimal(std::nullopt, &amounts);
  constexpr int kLines = 6000;
  for (int i = 0; i < kLines; ++i) {
    ExtrasEncoder extras;
    extras.Add(static_cast<uint32_t>(i), "v" + std::to_string(i));
    ASSERT_TRUE(writer.Add(db_.get(), 100, StoredLine{1, i, 0, 3600, amounts, extras.blob()}).ok());
  }
  ASSERT_TRUE(writer.Flush(db_.get()).ok());
  LineFilter all;
  all.extras = true;
  int seen = 0;
  ASSERT_TRUE(ScanLineBlocks(db_.get(), all, [&](const LineBlockInfo&, const StoredLine& l) {
                const auto v = FindExtra(l.extras, static_cast<uint32_t>(l.line));
                EXPECT_EQ(v, "v" + std::to_string(l.line));
                ++seen;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(seen, kLines);
  auto blocks = db_->Prepare("SELECT COUNT(*) FROM cost_line_blocks");
  ASSERT_TRUE(blocks.ok() && *blocks->Step());
  EXPECT_GT(blocks->Int(0), 1);  // cut by the padded size, not by kLineBlockRows
  // Past 65,536 extra columns: a clear error, nothing written.
  ExtrasEncoder wide;
  wide.Add(70000, "x");
  Status s = writer.Add(db_.get(), 100, StoredLine{1, 1, 0, 3600, amounts, wide.blob()});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  // The refused line left the block as it was: the next line and the earlier ones read back.
  ASSERT_TRUE(writer.Add(db_.get(), 100, StoredLine{1, kLines, 0, 3600, amounts, {}}).ok());
  ASSERT_TRUE(writer.Flush(db_.get()).ok());
  seen = 0;
  ASSERT_TRUE(ScanLineBlocks(db_.get(), LineFilter{}, [&](const LineBlockInfo&, const StoredLine&) {
                ++seen;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(seen, kLines + 1);
}

TEST_F(LineBlocksTest, ACorruptBlockIsAnError) {
  Write(1, 10, 100, 1, 7);
  for (const char* damage : {"substr(data, 1, length(data) / 2)", "zeroblob(length(data))",
                             "x'28b52ffd00'"}) {
    ASSERT_TRUE(db_->Exec(std::string("UPDATE cost_line_blocks SET data = ") + damage).ok());
    Status s = ScanLineBlocks(db_.get(), LineFilter{},
                              [](const LineBlockInfo&, const StoredLine&) { return Status::Ok(); });
    EXPECT_FALSE(s.ok()) << damage;
  }
}

TEST(SeriesKeyTest, RoundTripsAndHashesAsStored) {
  SeriesKey key;
  key.dims[0] = 1;
  key.dims[7] = 300000;
  key.dims[kFocusDimCount - 1] = 5;
  key.period_start = 1714521600;
  std::string encoded;
  EncodeSeriesKey(key, &encoded);
  SeriesKey back;
  ASSERT_TRUE(DecodeSeriesKey(encoded, &back));
  EXPECT_EQ(back.dims, key.dims);
  EXPECT_EQ(back.period_start, key.period_start);
  EXPECT_FALSE(back.period_end);
  EXPECT_FALSE(DecodeSeriesKey(encoded.substr(0, encoded.size() - 1), &back));
  EXPECT_FALSE(DecodeSeriesKey(encoded + "x", &back));
  // FNV-1a 64: the persisted hashes must never change.
  EXPECT_EQ(static_cast<uint64_t>(SeriesKeyHash("")), 0xcbf29ce484222325ull);
  EXPECT_EQ(static_cast<uint64_t>(SeriesKeyHash("a")), 0xaf63dc4c8601ec8cull);
}

}  // namespace
}  // namespace tally::sqlite
