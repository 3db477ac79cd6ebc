#pragma once

// Instants and durations as std::chrono types, and the one place each converts to and from the
// integers the log and the wire carry (µs since the Unix epoch, Unix seconds). Plain C++: the
// domain is handed its time, it never reads a clock.

#include <chrono>
#include <cstdint>
#include <optional>

#include "presence/events/event.hpp"

namespace presence::events {

/// An instant with microsecond resolution, on the system clock (UTC).
using instant = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
/// An instant with second resolution (Slack's `status_expiration`, Unix seconds).
using unix_seconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

/// The log's form of an instant.
constexpr timestamp_us to_timestamp(instant at) noexcept {
  return at.time_since_epoch().count();
}
/// The instant a log timestamp stands for.
constexpr instant to_instant(timestamp_us at) noexcept {
  return instant{std::chrono::microseconds{at}};
}
/// Unix seconds as carried by `status_set.expiration` (0 = never is the caller's convention).
constexpr int64_t to_unix(unix_seconds at) noexcept {
  return at.time_since_epoch().count();
}
constexpr unix_seconds from_unix(int64_t seconds) noexcept {
  return unix_seconds{std::chrono::seconds{seconds}};
}

/// The log's convention "0 = none" (no expiry, no deadline) as an optional, and back.
constexpr std::optional<instant> instant_or_none(timestamp_us at) noexcept {
  return at == 0 ? std::nullopt : std::optional<instant>{to_instant(at)};
}
constexpr std::optional<unix_seconds> unix_or_none(int64_t seconds) noexcept {
  return seconds == 0 ? std::nullopt : std::optional<unix_seconds>{from_unix(seconds)};
}

/// The system clock now, as an instant. For the edges (servers, tools); the domain takes time as
/// an argument.
inline instant wall_clock_now() noexcept {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

} // namespace presence::events
