#include "ingest/bill_values.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

std::string Read(std::string_view text, bool* formatted = nullptr) {
  auto v = ParseBillDecimal(text);
  if (!v.ok()) return "error: " + v.status().message();
  if (formatted != nullptr) *formatted = v->formatted;
  return v->value ? v->value->ToString() : "null";
}

TEST(BillValuesTest, PlainNumbersAndNulls) {
  EXPECT_EQ(Read("12.5"), "12.5");
  EXPECT_EQ(Read(" 0.00 "), "0");
  EXPECT_EQ(Read("1.2E-5"), "0.000012");
  EXPECT_EQ(Read(""), "null");
  EXPECT_EQ(Read("NULL"), "null");
  EXPECT_EQ(Read("null"), "null");
}

TEST(BillValuesTest, FormattedMoneyFromRealExports) {
  bool formatted = false;
  EXPECT_EQ(Read("$10,000.00 ", &formatted), "10000");
  EXPECT_TRUE(formatted);
  EXPECT_EQ(Read("$100.00 "), "100");
  EXPECT_EQ(Read("-$5.25"), "-5.25");
  EXPECT_EQ(Read("$-5.25"), "-5.25");
  EXPECT_EQ(Read("(1,234.50)"), "-1234.5");
  EXPECT_EQ(Read("\xE2\x82\xAC"
                 "1,234,567.5"),
            "1234567.5");
  EXPECT_EQ(Read("1,234"), "1234");
  formatted = false;
  EXPECT_EQ(Read("5", &formatted), "5");
  EXPECT_FALSE(formatted);
}

TEST(BillValuesTest, RejectsAmbiguousOrBrokenNumbers) {
  for (const char* bad :
       {"1.2.3", "1,23", "12,34.5", ",123", "$", "abc", "1,234.5,6", "$$5", "--5", "1 000"}) {
    EXPECT_EQ(Read(bad).rfind("error: not a number", 0), 0u) << bad << " -> " << Read(bad);
  }
}

TEST(BillValuesTest, JsonEscaping) {
  std::string out;
  AppendJsonEscaped("a\"b\\c\nd\x01", &out);
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd\\u0001");
}

}  // namespace
}  // namespace tally
