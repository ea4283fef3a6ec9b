// Time in tally: UTC instants at one-second resolution, and half-open windows [start, end).
// The hour is the allocation grain.
//
// Value types. Thread-compatible; the parsing functions are thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tally/result.h"

namespace tally {

class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp FromUnixSeconds(int64_t s) { return Timestamp(s); }
  // The system clock, to the second.
  static Timestamp Now();
  // Midnight UTC of a civil date, plus seconds. Preconditions: month 1..12, day 1..31.
  static Timestamp FromCivil(int year, unsigned month, unsigned day, int64_t seconds = 0);

  constexpr int64_t unix_seconds() const { return seconds_; }
  // "2024-05-01T13:00:00Z".
  std::string ToString() const;
  // The first instant of this instant's UTC calendar month.
  Timestamp StartOfMonth() const;
  // The first instant of this instant's UTC hour.
  constexpr Timestamp StartOfHour() const {
    return Timestamp(seconds_ - ((seconds_ % 3600) + 3600) % 3600);
  }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  friend constexpr auto operator<=>(Timestamp, Timestamp) = default;

 private:
  constexpr explicit Timestamp(int64_t s) : seconds_(s) {}
  int64_t seconds_ = 0;
};

// A half-open UTC window [start, end).
struct TimeWindow {
  Timestamp start;
  Timestamp end;
  constexpr bool Contains(Timestamp t) const { return start <= t && t < end; }
  constexpr int64_t Seconds() const { return end.unix_seconds() - start.unix_seconds(); }
};

// Parses a timestamp as real billing exports write them, leniently where the meaning is clear:
//   2024-05-01                      2024-05-01T13:00:00Z       2024-05-01 13:00:00
//   2024-05-01T13:00Z               2024-05-01T13:00:00.000Z   2024-05-01T15:00:00+02:00
//   5/1/24 and 5/1/2024 (US month/day/year, optionally followed by a time and AM/PM)
// A missing zone means UTC. Fractional seconds are dropped. An hour past 24 (a known erratum
// in FOCUS examples: "T30:00:00") is carried into the next day, and *warning is set to say so.
// Errors (kInvalidArgument): anything else, including impossible dates such as 2024-02-30.
Result<Timestamp> ParseTimestamp(std::string_view text, std::string* warning = nullptr);

// Parses the bounds of a half-open window [from, to) as a user gives them; an empty text leaves
// its bound open. Errors (kInvalidArgument) name the bound as `prefix` + "from" / "to" (the
// command line says "--from", the API "from"), or say that to is not after from.
Status ParseWindowBounds(std::string_view from_text, std::string_view to_text,
                         std::string_view prefix, std::optional<Timestamp>* from,
                         std::optional<Timestamp>* to);

}  // namespace tally
