#include "tally/decimal.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

Decimal P(std::string_view s) {
  auto d = Decimal::Parse(s);
  EXPECT_TRUE(d.ok()) << s << ": " << d.status().message();
  return d.ok() ? *d : Decimal();
}

TEST(DecimalTest, ParsesAndPrintsExactly) {
  EXPECT_EQ(P("12.5").ToString(), "12.5");
  EXPECT_EQ(P("-0.000000000000000001").ToString(), "-0.000000000000000001");
  EXPECT_EQ(P("0").ToString(), "0");
  EXPECT_EQ(P("-0").ToString(), "0");
  EXPECT_EQ(P("+7").ToString(), "7");
  EXPECT_EQ(P("100.000").ToString(), "100");
  EXPECT_EQ(P(".5").ToString(), "0.5");
  EXPECT_EQ(P("5.").ToString(), "5");
  EXPECT_EQ(P("0012.50").raw(), Decimal::Raw(125) * Decimal::kOne / 10);
  EXPECT_EQ(P("123456789012345678.123456789012345678").ToString(),
            "123456789012345678.123456789012345678");
}

TEST(DecimalTest, ParsesExponentsExactly) {
  EXPECT_EQ(P("1.5E-3").ToString(), "0.0015");
  EXPECT_EQ(P("2e3").ToString(), "2000");
  EXPECT_EQ(P("-4.2e+1").ToString(), "-42");
  EXPECT_EQ(P("1e-18").ToString(), "0.000000000000000001");
  EXPECT_EQ(P("1e-19").ToString(), "0");
  EXPECT_EQ(P("5e-19").ToString(), "0.000000000000000001");
  EXPECT_EQ(P("0e999999").ToString(), "0");
}

TEST(DecimalTest, RoundsPastEighteenDigitsHalfAwayFromZero) {
  // Real exports carry float residue up to 28 fraction digits.
  EXPECT_EQ(P("0.1234567890123456784999999999").ToString(), "0.123456789012345678");
  EXPECT_EQ(P("0.1234567890123456785").ToString(), "0.123456789012345679");
  EXPECT_EQ(P("-0.0000000000000000015").ToString(), "-0.000000000000000002");
  EXPECT_EQ(P("0.9999999999999999999").ToString(), "1");
}

TEST(DecimalTest, RejectsMalformedText) {
  for (const char* bad : {"", "-", ".", "1.2.3", "abc", "1,5", "1e", "1e+", " 1", "1 ", "0x10",
                          "nan", "inf", "--1", "1e5x"}) {
    auto d = Decimal::Parse(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_NE(d.status().message().find("not a number"), std::string::npos);
    }
  }
}

TEST(DecimalTest, RejectsOutOfRange) {
  EXPECT_TRUE(Decimal::Parse("170141183460469231732").status().message().find("out of range") !=
              std::string::npos);
  EXPECT_FALSE(Decimal::Parse("1e21").ok());
  EXPECT_FALSE(Decimal::Parse("1e999999").ok());
  EXPECT_TRUE(Decimal::Parse("100000000000000000000").ok());  // 1e20 fits
  EXPECT_TRUE(Decimal::Parse("170141183460469231731").ok());  // the largest whole number
}

TEST(DecimalTest, SumsAreExactWhereBinaryFloatingPointIsNot) {
  Decimal sum;
  for (int i = 0; i < 10; ++i) sum += P("0.1");
  EXPECT_EQ(sum, P("1"));
  EXPECT_EQ((P("0.1") + P("0.2")).ToString(), "0.3");
  EXPECT_EQ((P("1") - P("1.000000000000000001")).ToString(), "-0.000000000000000001");
}

TEST(DecimalTest, CheckedAddReportsOverflow) {
  Decimal big = Decimal::FromRaw(std::numeric_limits<Decimal::Raw>::max());
  Decimal a = big;
  EXPECT_FALSE(a.CheckedAdd(Decimal::FromRaw(1)));
  EXPECT_EQ(a, big);
  Decimal b = P("1");
  EXPECT_TRUE(b.CheckedAdd(P("2.5")));
  EXPECT_EQ(b.ToString(), "3.5");
}

TEST(DecimalTest, SumOfTenToTheFifteenFits) {
  Decimal sum;
  Decimal item = P("1000000000000000");  // 10^15
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(sum.CheckedAdd(item));
  EXPECT_EQ(sum.ToString(), "1000000000000000000");
}

TEST(DecimalTest, MultipliesWithRounding) {
  EXPECT_EQ(P("0.146").Multiply(P("8"))->ToString(), "1.168");
  EXPECT_EQ(P("-2.5").Multiply(P("0.1"))->ToString(), "-0.25");
  EXPECT_EQ(P("0.000000000000000001").Multiply(P("0.5"))->ToString(), "0.000000000000000001");
  EXPECT_EQ(P("0.000000000000000001").Multiply(P("0.4"))->ToString(), "0");
  EXPECT_EQ(P("-0.000000000000000001").Multiply(P("0.5"))->ToString(), "-0.000000000000000001");
  EXPECT_EQ(P("123456789.123456789").Multiply(P("987654321.987654321"))->ToString(),
            "121932631356500531.347203169112635269");
  EXPECT_EQ(P("0").Multiply(P("99999999999999999999"))->ToString(), "0");
  EXPECT_FALSE(P("100000000000").Multiply(P("10000000000")).ok());
  EXPECT_FALSE(P("-170141183460469231731").Multiply(P("2")).ok());
}

TEST(DecimalTest, DividesWithRounding) {
  EXPECT_EQ(P("3221225472").Divide(P("1073741824"))->ToString(), "3");  // bytes to GiB
  EXPECT_EQ(P("1").Divide(P("3"))->ToString(), "0.333333333333333333");
  EXPECT_EQ(P("2").Divide(P("3"))->ToString(), "0.666666666666666667");
  EXPECT_EQ(P("-2").Divide(P("3"))->ToString(), "-0.666666666666666667");
  EXPECT_EQ(P("1").Divide(P("-0.5"))->ToString(), "-2");
  EXPECT_EQ(P("0.000000000000000001").Divide(P("2"))->ToString(), "0.000000000000000001");
  EXPECT_EQ(P("0.000000000000000001").Divide(P("3"))->ToString(), "0");
  EXPECT_FALSE(P("1").Divide(P("0")).ok());
  EXPECT_FALSE(P("100000000000000000000").Divide(P("0.000000000000000001")).ok());
}

TEST(DecimalTest, RoundsHalfAwayFromZero) {
  EXPECT_EQ(P("12.345").Round(2).ToString(), "12.35");
  EXPECT_EQ(P("12.344").Round(2).ToString(), "12.34");
  EXPECT_EQ(P("-12.345").Round(2).ToString(), "-12.35");
  EXPECT_EQ(P("0.5").Round(0).ToString(), "1");
  EXPECT_EQ(P("0.000000000000000001").Round(18).ToString(), "0.000000000000000001");
}

TEST(DecimalTest, ComparesByValue) {
  EXPECT_LT(P("-1"), P("0.5"));
  EXPECT_EQ(P("1.50"), P("1.5"));
  EXPECT_GT(P("2"), P("1.999999999999999999"));
}

}  // namespace
}  // namespace tally
