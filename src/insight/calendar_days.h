// Days as whole numbers since 1970-01-01 (UTC), the unit forecasts, anomalies and budgets count
// in, with the calendar periods they project to; and their statistics as text: a forecast
// amount as money, a share as a percent.
// Header-only, pure functions.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "tally/time.h"

namespace tally::days {

constexpr int64_t kSeconds = 86400;

// "YYYY-MM-DD"
inline std::string DateOf(int64_t day) {
  return Timestamp::FromUnixSeconds(day * kSeconds).ToString().substr(0, 10);
}

// The first day of the month `months` after the month of `day`.
inline int64_t MonthStart(int64_t day, int months = 0) {
  Timestamp t = Timestamp::FromUnixSeconds(day * kSeconds).StartOfMonth();
  for (int i = 0; i < months; ++i) {
    t = Timestamp::FromUnixSeconds(t.unix_seconds() + 32 * kSeconds).StartOfMonth();
  }
  return t.unix_seconds() / kSeconds;
}

// The first day of the calendar quarter of `day`.
inline int64_t QuarterStart(int64_t day) {
  int64_t start = MonthStart(day);
  const int month = std::stoi(DateOf(start).substr(5, 2));
  for (int m = month; (m - 1) % 3 != 0; --m) start = MonthStart(start - 1);
  return start;
}

// "2026-10" for a month, "2026-Q4" for a quarter, of `day`.
inline std::string MonthName(int64_t day) { return DateOf(day).substr(0, 7); }
inline std::string QuarterName(int64_t day) {
  const int month = std::stoi(DateOf(day).substr(5, 2));
  return DateOf(day).substr(0, 4) + "-Q" + std::to_string((month - 1) / 3 + 1);
}

// A forecast amount (a statistic, not exact money) as money text rounded to cents.
inline std::string Cents(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", value);
  return std::string(text) == "-0.00" ? "0.00" : text;
}

// 90.91 -> "90.9%"
inline std::string Percent(double percent) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", percent);
  return text;
}

}  // namespace tally::days
