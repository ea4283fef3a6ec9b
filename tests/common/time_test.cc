#include "tally/time.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

std::string Parsed(std::string_view text, std::string* warning = nullptr) {
  auto t = ParseTimestamp(text, warning);
  return t.ok() ? t->ToString() : "error: " + t.status().message();
}

TEST(TimeTest, ParsesTheFormsRealExportsUse) {
  EXPECT_EQ(Parsed("2024-05-01T13:00:00Z"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(Parsed("2024-05-01 13:00:00"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(Parsed("2024-05-01T13:00:00"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(Parsed("2024-05-01T13:00Z"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(Parsed("2024-05-01T13:00:00.000Z"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(Parsed("2024-05-01T15:00:00+02:00"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(Parsed("2024-05-01T08:00:00-0500"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(Parsed("2024-05-01 13:00:00 UTC"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(Parsed("2024-05-01"), "2024-05-01T00:00:00Z");
  EXPECT_EQ(Parsed(" 2024-05-01 "), "2024-05-01T00:00:00Z");
}

TEST(TimeTest, ParsesUsMonthDayYear) {
  EXPECT_EQ(Parsed("5/1/25"), "2025-05-01T00:00:00Z");
  EXPECT_EQ(Parsed("12/31/2024"), "2024-12-31T00:00:00Z");
  EXPECT_EQ(Parsed("1/2/2024 1:05 PM"), "2024-01-02T13:05:00Z");
  EXPECT_EQ(Parsed("1/2/2024 12:00:00 AM"), "2024-01-02T00:00:00Z");
}

TEST(TimeTest, CarriesAnHourPastTwentyFourWithAWarning) {
  std::string warning;
  EXPECT_EQ(Parsed("2023-02-01T30:00:00Z", &warning), "2023-02-02T06:00:00Z");
  EXPECT_NE(warning.find("hour 30 is out of range"), std::string::npos);
  warning.clear();
  EXPECT_EQ(Parsed("2023-02-01T24:00:00Z", &warning), "2023-02-02T00:00:00Z");
  EXPECT_TRUE(warning.empty());
}

TEST(TimeTest, RejectsWhatItCannotRead) {
  for (const char* bad : {"", "2024", "2024-13-01", "2024-02-30", "2023-02-29", "24-05-01",
                          "2024-05-01T1", "2024-05-01T13:60", "2024-05-01X", "13/45/2024",
                          "2024-05-01T13:00:00+25:00", "yesterday"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseTimestamp("2024-02-29").ok());
}

TEST(TimeTest, CalendarHelpers) {
  Timestamp t = *ParseTimestamp("2024-02-29T17:45:12Z");
  EXPECT_EQ(t.StartOfMonth().ToString(), "2024-02-01T00:00:00Z");
  EXPECT_EQ(t.StartOfHour().ToString(), "2024-02-29T17:00:00Z");
  EXPECT_EQ(Timestamp::FromUnixSeconds(-1).StartOfHour().ToString(), "1969-12-31T23:00:00Z");
  EXPECT_EQ(Timestamp::FromCivil(1970, 1, 1).unix_seconds(), 0);
  TimeWindow w{*ParseTimestamp("2024-01-01"), *ParseTimestamp("2024-01-02")};
  EXPECT_TRUE(w.Contains(w.start));
  EXPECT_FALSE(w.Contains(w.end));  // half-open
  EXPECT_EQ(w.Seconds(), 86400);
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

TEST(ParseWindowBoundsTest, OpenBoundsErrorsNamedByPrefix) {
  std::optional<Timestamp> from, to;
  ASSERT_TRUE(ParseWindowBounds("", "", "--", &from, &to).ok());
  EXPECT_FALSE(from || to);
  ASSERT_TRUE(ParseWindowBounds("2026-01-01", "2026-01-02", "", &from, &to).ok());
  EXPECT_EQ(from->ToString(), "2026-01-01T00:00:00Z");
  EXPECT_EQ(to->ToString(), "2026-01-02T00:00:00Z");
  std::optional<Timestamp> f, t;
  Status bad = ParseWindowBounds("yesterday", "", "--", &f, &t);
  EXPECT_EQ(bad.message().substr(0, 8), "--from: ");
  Status backwards = ParseWindowBounds("2026-01-02", "2026-01-01", "", &f, &t);
  EXPECT_EQ(backwards.message().substr(0, 21), "to must be after from");
}

}  // namespace
}  // namespace tally
