#pragma once

#include <string>
#include <string_view>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"

namespace presence::tools {

using events::timestamp_us;

inline constexpr timestamp_us micros_per_second = 1'000'000;
inline constexpr timestamp_us micros_per_day = 86'400 * micros_per_second;

/// Parses a TIME argument: RFC 3339 (`2026-11-21T10:00:00Z`, `…T11:00:00.25+01:00`; `T`, `t` or a
/// space between date and time; fraction up to 6 digits) or Unix seconds (`1795255200`, optionally
/// with a fraction). Error: `invalid_argument` naming the text and the accepted forms.
[[nodiscard]] result<timestamp_us> parse_time(std::string_view text);

/// A half-open window of time, [since, until).
struct time_range {
  timestamp_us since = 0;
  timestamp_us until = 0;
};

/// Parses the `--since` / `--until` TIME options; an empty one leaves that side unbounded.
/// Error: as `parse_time`.
[[nodiscard]] result<time_range> parse_time_range(std::string_view since, std::string_view until);

/// Parses an RFC 3339 timestamp only (the form `format_time` writes, any offset accepted).
[[nodiscard]] result<timestamp_us> parse_rfc3339(std::string_view text);

/// Parses a day `YYYY-MM-DD` and returns its first instant (00:00:00 UTC).
[[nodiscard]] result<timestamp_us> parse_day(std::string_view text);

/// RFC 3339 UTC with exactly six fraction digits, e.g. `2026-11-21T10:00:00.000000Z`.
std::string format_time(timestamp_us ts);

/// The current instant from the system clock (tools only; the domain never reads a clock).
timestamp_us now_us();

} // namespace presence::tools
