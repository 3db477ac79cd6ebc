#include "time_format.hpp"
#include "presence/events/time.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <utility>

namespace presence::tools {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (400-year era arithmetic).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned shifted_month = month > 2 ? month - 3 : month + 9;
  const unsigned day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

struct civil_date {
  int64_t year;
  unsigned month;
  unsigned day;
};

civil_date civil_from_days(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
    (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
    day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  return {static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(int64_t year, unsigned month) {
  static constexpr unsigned lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : lengths[month - 1];
}

/// A cursor over the text that reads fixed-width digit groups.
class digit_reader {
 public:
  explicit digit_reader(std::string_view text) : text_(text) {}

  bool digits(std::size_t count, unsigned& out) {
    if (pos_ + count > text_.size())
      return false;
    unsigned value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9')
        return false;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    out = value;
    pos_ += count;
    return true;
  }
  bool literal(char expected) {
    if (pos_ < text_.size() && text_[pos_] == expected) {
      ++pos_;
      return true;
    }
    return false;
  }
  /// Reads an optional `.` and 1 to 6 digits as microseconds; returns the fault, or nullptr.
  const char* fraction(int64_t& micros) {
    micros = 0;
    if (!literal('.'))
      return nullptr;
    int64_t scale = 100000;
    std::size_t count = 0;
    unsigned digit = 0;
    while (digits(1, digit)) {
      if (++count > 6)
        return "more than 6 fraction digits";
      micros += digit * scale;
      scale /= 10;
    }
    return count == 0 ? "empty fraction" : nullptr;
  }
  /// Reads up to `max_count` digits as a number; returns how many were read (more → max+1).
  std::size_t number(std::size_t max_count, int64_t& value) {
    value = 0;
    std::size_t count = 0;
    unsigned digit = 0;
    while (digits(1, digit)) {
      if (++count > max_count)
        return count;
      value = value * 10 + digit;
    }
    return count;
  }
  bool at_end() const { return pos_ == text_.size(); }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip() { ++pos_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

error bad_time(std::string_view text, const char* why) {
  return {errc::invalid_argument,
          "invalid time '" + std::string(text) + "': " + why +
            " (expected RFC 3339 such as 2026-11-21T10:00:00Z or Unix seconds)"};
}

bool read_date(digit_reader& in, unsigned& year, unsigned& month, unsigned& day) {
  return in.digits(4, year) && in.literal('-') && in.digits(2, month) && in.literal('-') &&
         in.digits(2, day);
}

bool valid_date(unsigned year, unsigned month, unsigned day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

result<timestamp_us> parse_unix_seconds(std::string_view text) {
  digit_reader in(text);
  const bool negative = in.literal('-');
  int64_t seconds = 0;
  const std::size_t count = in.number(12, seconds);
  if (count == 0)
    return bad_time(text, "not a number");
  if (count > 12)
    return bad_time(text, "Unix seconds out of range");
  int64_t micros = 0;
  if (const char* fault = in.fraction(micros))
    return bad_time(text, fault);
  if (!in.at_end())
    return bad_time(text, "unexpected characters");
  const int64_t total = seconds * micros_per_second + micros;
  return negative ? -total : total;
}

} // namespace

result<timestamp_us> parse_rfc3339(std::string_view text) {
  digit_reader in(text);
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_date(in, year, month, day))
    return bad_time(text, "malformed date");
  if (!(in.literal('T') || in.literal('t') || in.literal(' ')))
    return bad_time(text, "missing 'T' between date and time");
  if (!(in.digits(2, hour) && in.literal(':') && in.digits(2, minute) && in.literal(':') &&
        in.digits(2, second)))
    return bad_time(text, "malformed time of day");
  if (!valid_date(year, month, day) || hour > 23 || minute > 59 || second > 59)
    return bad_time(text, "field out of range");
  int64_t micros = 0;
  if (const char* fault = in.fraction(micros))
    return bad_time(text, fault);
  int64_t offset_minutes = 0;
  if (!(in.literal('Z') || in.literal('z'))) {
    const char sign = in.peek();
    if (sign != '+' && sign != '-')
      return bad_time(text, "missing time zone (Z or +HH:MM)");
    in.skip();
    unsigned offset_hours = 0, offset_mins = 0;
    if (!(in.digits(2, offset_hours) && in.literal(':') && in.digits(2, offset_mins)) ||
        offset_hours > 23 || offset_mins > 59)
      return bad_time(text, "malformed offset");
    offset_minutes = (sign == '-' ? -1 : 1) * static_cast<int64_t>(offset_hours * 60 + offset_mins);
  }
  if (!in.at_end())
    return bad_time(text, "trailing characters");
  const int64_t days = days_from_civil(year, month, day);
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * micros_per_second + micros;
}

result<timestamp_us> parse_time(std::string_view text) {
  if (text.size() >= 10 && text[4] == '-')
    return parse_rfc3339(text);
  return parse_unix_seconds(text);
}

result<time_range> parse_time_range(std::string_view since, std::string_view until) {
  time_range range{std::numeric_limits<timestamp_us>::min(),
                   std::numeric_limits<timestamp_us>::max()};
  for (auto [text, bound] : {std::pair{since, &range.since}, std::pair{until, &range.until}}) {
    if (text.empty())
      continue;
    auto parsed = parse_time(text);
    if (!parsed)
      return parsed.error();
    *bound = *parsed;
  }
  return range;
}

result<timestamp_us> parse_day(std::string_view text) {
  digit_reader in(text);
  unsigned year = 0, month = 0, day = 0;
  if (!read_date(in, year, month, day) || !in.at_end() || !valid_date(year, month, day))
    return error{errc::invalid_argument,
                 "invalid day '" + std::string(text) + "' (expected YYYY-MM-DD)"};
  return days_from_civil(year, month, day) * micros_per_day;
}

std::string format_time(timestamp_us ts) {
  // Floor division so instants before 1970 still print a valid date.
  int64_t days = ts / micros_per_day;
  int64_t rest = ts % micros_per_day;
  if (rest < 0) {
    rest += micros_per_day;
    --days;
  }
  const civil_date date = civil_from_days(days);
  const int64_t seconds_of_day = rest / micros_per_second;
  const int64_t micros = rest % micros_per_second;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(seconds_of_day / 3600),
                static_cast<long long>(seconds_of_day / 60 % 60),
                static_cast<long long>(seconds_of_day % 60), static_cast<long long>(micros));
  return buffer;
}

timestamp_us now_us() {
  return events::to_timestamp(events::wall_clock_now());
}

} // namespace presence::tools
