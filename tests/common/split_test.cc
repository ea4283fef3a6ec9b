#include <gtest/gtest.h>

#include <random>

#include "common/wide_int.h"
#include "tally/decimal.h"

namespace tally {
namespace {

Decimal P(std::string_view s) { return *Decimal::Parse(s); }

Decimal Sum(const std::vector<Decimal>& parts) {
  Decimal s;
  for (Decimal p : parts) s += p;
  return s;
}

TEST(SplitTest, ThirdsSumExactlyAndLeftoverGoesFirst) {
  std::vector<Decimal> w = {P("1"), P("1"), P("1")};
  auto parts = SplitProportionally(P("1"), w);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(Sum(parts), P("1"));
  EXPECT_EQ(parts[0].ToString(), "0.333333333333333334");
  EXPECT_EQ(parts[1].ToString(), "0.333333333333333333");
  EXPECT_EQ(parts[2].ToString(), "0.333333333333333333");
}

TEST(SplitTest, LargestRemainderWins) {
  // 10 split 1:2:3:4 of 0.000000000000000010 units -> exact 1,2,3,4.
  std::vector<Decimal> w = {P("1"), P("2"), P("3"), P("4")};
  auto parts = SplitProportionally(Decimal::FromRaw(10), w);
  EXPECT_EQ(parts[0].raw(), 1);
  EXPECT_EQ(parts[3].raw(), 4);
  // 7 units over 1:1:5 -> exact 1, 1, 5.
  auto seven =
      SplitProportionally(Decimal::FromRaw(7), std::vector<Decimal>{P("1"), P("1"), P("5")});
  EXPECT_EQ(seven[2].raw(), 5);
  // 5 units over 1:1:1 -> 5/3 = 1.67 each: two parts get the leftover.
  auto five =
      SplitProportionally(Decimal::FromRaw(5), std::vector<Decimal>{P("1"), P("1"), P("1")});
  EXPECT_EQ(five[0].raw() + five[1].raw() + five[2].raw(), 5);
  EXPECT_EQ(five[0].raw(), 2);
  EXPECT_EQ(five[1].raw(), 2);
  EXPECT_EQ(five[2].raw(), 1);
}

TEST(SplitTest, NegativeAndZeroWeights) {
  auto parts = SplitProportionally(P("-10"), std::vector<Decimal>{P("1"), P("0"), P("3")});
  EXPECT_EQ(parts[0].ToString(), "-2.5");
  EXPECT_EQ(parts[1].ToString(), "0");
  EXPECT_EQ(parts[2].ToString(), "-7.5");
  auto even = SplitProportionally(P("1"), std::vector<Decimal>{P("0"), P("0")});
  EXPECT_EQ(even[0].ToString(), "0.5");
  EXPECT_EQ(even[1].ToString(), "0.5");
  EXPECT_TRUE(SplitProportionally(P("1"), std::vector<Decimal>{}).empty());
}

TEST(SplitTest, HugeAmountsUseTheWidePathAndStillSumExactly) {
  // 10^15 dollars split by weights whose products overflow 128 bits.
  Decimal total = P("1000000000000000.000000000000000007");
  std::vector<Decimal> w = {P("123456789.123456789"), P("987654321.987654321"),
                            P("0.000000000000000001")};
  auto parts = SplitProportionally(total, w);
  EXPECT_EQ(Sum(parts), total);
  EXPECT_GT(parts[1], parts[0]);
}

TEST(SplitTest, RandomSplitsAlwaysSumExactly) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 2000; ++round) {
    Decimal total = Decimal::FromRaw(static_cast<Decimal::Raw>(rng()) *
                                     static_cast<Decimal::Raw>(rng() % 100000));
    if (round % 2 == 1) total = -total;
    std::vector<Decimal> w(1 + rng() % 20);
    for (Decimal& x : w)
      x = Decimal::FromRaw(static_cast<Decimal::Raw>(rng() % 1000000) * Decimal::kOne);
    auto parts = SplitProportionally(total, w);
    ASSERT_EQ(Sum(parts), total) << "round " << round;
  }
}

TEST(WideIntTest, MulDivMatchesNativeWhereItFits) {
  U128 rem = 0;
  EXPECT_EQ(MulDiv(10, 7, 3, &rem), 23u);
  EXPECT_EQ(rem, 1u);
  // (2^100 * 2^60) / 2^90 = 2^70, exercising the 256-bit path.
  U128 a = U128(1) << 100, b = U128(1) << 60, c = U128(1) << 90;
  EXPECT_EQ(MulDiv(a, b, c, &rem), U128(1) << 70);
  EXPECT_EQ(rem, 0u);
  // (2^127 - 1) * 3 / 4, remainder checked by reconstruction: q*4 + r == a*3 (mod 2^128 parts).
  U128 big = (U128(1) << 127) - 1;
  U128 q = MulDiv(big, 3, 4, &rem);
  EXPECT_EQ(rem, 1u);  // (2^127-1)*3 = 3*2^127 - 3 ≡ 1 mod 4
  EXPECT_EQ(q, (big / 4) * 3 + (big % 4) * 3 / 4);
}

}  // namespace
}  // namespace tally
