#include "tally/time.h"

#include <chrono>
#include <cstdio>

namespace tally {

Timestamp Timestamp::Now() {
  return Timestamp(std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
}
namespace {

namespace chr = std::chrono;

Status Malformed(std::string_view text) {
  return InvalidArgument("not a timestamp: \"" + std::string(text) + "\"");
}

// A tiny cursor over the text; each Take* consumes on success only.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool Done() const { return i == s.size(); }
  bool Peek(char c) const { return i < s.size() && s[i] == c; }
  bool Take(char c) {
    if (!Peek(c)) return false;
    ++i;
    return true;
  }
  // Takes between min and max digits; returns -1 when fewer than min are there.
  int64_t TakeDigits(int min, int max) {
    int64_t v = 0;
    int n = 0;
    while (n < max && i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i++] - '0');
      ++n;
    }
    return n < min ? -1 : v;
  }
  void SkipSpaces() {
    while (i < s.size() && s[i] == ' ') ++i;
  }
  bool TakeWordIgnoreCase(std::string_view w) {
    if (s.size() - i < w.size()) return false;
    for (size_t k = 0; k < w.size(); ++k) {
      if ((s[i + k] | 0x20) != (w[k] | 0x20)) return false;
    }
    i += w.size();
    return true;
  }
};

struct Clock {
  int64_t hour = 0, minute = 0, second = 0;
};

// Parses "HH:MM[:SS[.fff]]"; returns false on a malformed clock.
bool TakeClock(Cursor* c, Clock* clock) {
  clock->hour = c->TakeDigits(1, 2);
  if (clock->hour < 0 || !c->Take(':')) return false;
  clock->minute = c->TakeDigits(2, 2);
  if (clock->minute < 0 || clock->minute > 59) return false;
  if (c->Take(':')) {
    clock->second = c->TakeDigits(2, 2);
    if (clock->second < 0 || clock->second > 60) return false;
    if (c->Take('.') && c->TakeDigits(1, 12) < 0) return false;
  }
  return true;
}

// Parses the zone suffix: "", "Z", "UTC", "+02:00", "+0200"; sets the offset east of UTC.
bool TakeZone(Cursor* c, int64_t* offset_seconds) {
  *offset_seconds = 0;
  c->SkipSpaces();
  if (c->Done() || c->Take('Z') || c->Take('z') || c->TakeWordIgnoreCase("UTC")) return true;
  int sign = c->Take('+') ? 1 : (c->Take('-') ? -1 : 0);
  if (sign == 0) return false;
  int64_t h = c->TakeDigits(2, 2);
  c->Take(':');
  int64_t m = c->TakeDigits(2, 2);
  if (h < 0 || m < 0 || h > 23 || m > 59) return false;
  *offset_seconds = sign * (h * 3600 + m * 60);
  return true;
}

bool ValidDate(int64_t y, int64_t m, int64_t d) {
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  return chr::year_month_day(chr::year(static_cast<int>(y)), chr::month(static_cast<unsigned>(m)),
                             chr::day(static_cast<unsigned>(d)))
      .ok();
}

}  // namespace

Timestamp Timestamp::FromCivil(int year, unsigned month, unsigned day, int64_t seconds) {
  chr::sys_days days{chr::year(year) / chr::month(month) / chr::day(day)};
  return Timestamp(days.time_since_epoch().count() * 86400 + seconds);
}

std::string Timestamp::ToString() const {
  chr::sys_seconds tp{chr::seconds(seconds_)};
  chr::sys_days days = chr::floor<chr::days>(tp);
  chr::year_month_day ymd(days);
  int64_t sod = seconds_ - days.time_since_epoch().count() * 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return buf;
}

Timestamp Timestamp::StartOfMonth() const {
  chr::sys_days days = chr::floor<chr::days>(chr::sys_seconds{chr::seconds(seconds_)});
  chr::year_month_day ymd(days);
  return FromCivil(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), 1);
}

Result<Timestamp> ParseTimestamp(std::string_view text, std::string* warning) {
  Cursor c{text};
  c.SkipSpaces();
  int64_t year, month, day;
  const size_t first_begin = c.i;
  int64_t first = c.TakeDigits(1, 4);
  if (first < 0) return Malformed(text);
  const size_t first_digits = c.i - first_begin;
  if (c.Take('-')) {  // ISO: YYYY-MM-DD
    if (first_digits != 4) return Malformed(text);
    year = first;
    month = c.TakeDigits(2, 2);
    if (month < 0 || !c.Take('-')) return Malformed(text);
    day = c.TakeDigits(2, 2);
  } else if (c.Take('/')) {  // US: M/D/YY or M/D/YYYY
    month = first;
    day = c.TakeDigits(1, 2);
    if (day < 0 || !c.Take('/')) return Malformed(text);
    size_t before = c.i;
    year = c.TakeDigits(2, 4);
    if (year < 0 || (c.i - before) == 3) return Malformed(text);
    if (c.i - before == 2) year += 2000;
  } else {
    return Malformed(text);
  }
  if (!ValidDate(year, month, day)) return Malformed(text);

  Clock clock;
  int64_t offset = 0;
  if (c.Take('T') || c.Take('t') || (c.Peek(' ') && (c.SkipSpaces(), !c.Done()))) {
    if (!TakeClock(&c, &clock)) return Malformed(text);
    c.SkipSpaces();
    bool pm = c.TakeWordIgnoreCase("PM");
    bool am = !pm && c.TakeWordIgnoreCase("AM");
    if (am || pm) {
      if (clock.hour < 1 || clock.hour > 12) return Malformed(text);
      clock.hour = clock.hour % 12 + (pm ? 12 : 0);
    }
    if (!TakeZone(&c, &offset)) return Malformed(text);
  }
  c.SkipSpaces();
  if (!c.Done()) return Malformed(text);

  int64_t seconds_of_day = clock.hour * 3600 + clock.minute * 60 + clock.second;
  Timestamp t = Timestamp::FromCivil(static_cast<int>(year), static_cast<unsigned>(month),
                                     static_cast<unsigned>(day), seconds_of_day - offset);
  if (clock.hour > 24 || (clock.hour == 24 && seconds_of_day > 86400)) {
    if (warning != nullptr) {
      *warning = "hour " + std::to_string(clock.hour) + " is out of range in \"" +
                 std::string(text) + "\"; read as " + t.ToString();
    }
  }
  return t;
}

Status ParseWindowBounds(std::string_view from_text, std::string_view to_text,
                         std::string_view prefix, std::optional<Timestamp>* from,
                         std::optional<Timestamp>* to) {
  const std::string p(prefix);
  auto bound = [&](std::string_view text, const char* name, std::optional<Timestamp>* out) {
    if (text.empty()) return Status::Ok();
    auto parsed = ParseTimestamp(text);
    if (!parsed.ok()) return parsed.status().WithContext(p + name);
    *out = *parsed;
    return Status::Ok();
  };
  TALLY_RETURN_IF_ERROR(bound(from_text, "from", from));
  TALLY_RETURN_IF_ERROR(bound(to_text, "to", to));
  if (*from && *to && **to <= **from) {
    return InvalidArgument(p + "to must be after " + p + "from (the window is [from, to))");
  }
  return Status::Ok();
}

}  // namespace tally
