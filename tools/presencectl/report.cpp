// `presencectl report USER --day YYYY-MM-DD`: time spent in each presence value on a UTC day.
#include <array>
#include <cstdio>
#include <ostream>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "database.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/presence_timeline.hpp"
#include "presence/storage/history.hpp"
#include "time_format.hpp"

namespace presence::tools {

namespace {

namespace ev = presence::events;

constexpr std::array<ev::presence_value, 5> all_presences = {
  ev::presence_value::online, ev::presence_value::away, ev::presence_value::busy,
  ev::presence_value::offline, ev::presence_value::disabled};

/// Microseconds spent in each presence value, indexed by its numeric value.
using durations = std::array<ev::timestamp_us, all_presences.size()>;

/// Microseconds spent in each presence over [start, end).
durations walk_day(const storage::history_slice& day, ev::timestamp_us start,
                   ev::timestamp_us end) {
  durations spent{};
  for (const auto& segment : ev::presence_timeline(day.base, day.events, start, end))
    spent[static_cast<std::size_t>(segment.presence)] += segment.to - segment.from;
  return spent;
}

std::string hms(ev::timestamp_us micros) {
  const auto seconds = micros / micros_per_second;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02lld:%02lld:%02lld",
                static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                static_cast<long long>(seconds % 60));
  return buffer;
}

double to_seconds(ev::timestamp_us micros) {
  return static_cast<double>(micros) / static_cast<double>(micros_per_second);
}

} // namespace

status run_report(const std::string& db, const report_options& options, std::ostream& out) {
  auto start = parse_day(options.day);
  if (!start)
    return start.error();
  const ev::timestamp_us end = *start + micros_per_day;
  if (options.user == ev::workspace_stream)
    return status{errc::invalid_argument, "report needs a user, not the workspace stream"};
  auto opened = open_for_stream(db, options.user);
  if (!opened)
    return opened.error();
  // The day alone: the states before it from checkpoints, then the day's events.
  auto day = storage::history_between(*opened->log, options.user, *start, end);
  if (!day)
    return day.error();
  const durations spent = walk_day(*day, *start, end);
  ev::timestamp_us total = 0;
  for (auto micros : spent)
    total += micros;
  if (options.json) {
    nlohmann::ordered_json json = {{"user", options.user},
                                   {"day", options.day},
                                   {"from", format_time(*start)},
                                   {"to", format_time(end)}};
    nlohmann::ordered_json seconds = nlohmann::ordered_json::object();
    for (auto presence : all_presences)
      seconds[std::string(ev::to_string(presence))] =
        to_seconds(spent[static_cast<std::size_t>(presence)]);
    json["seconds"] = std::move(seconds);
    json["total_seconds"] = to_seconds(total);
    out << json.dump(2) << '\n';
    return status::success();
  }
  out << "time in each presence for " << options.user << " on " << options.day << " (UTC)\n";
  for (auto presence : all_presences) {
    const auto micros = spent[static_cast<std::size_t>(presence)];
    char line[96];
    std::snprintf(line, sizeof line, "  %-9s %s  %12.6f s  %5.1f%%\n",
                  std::string(ev::to_string(presence)).c_str(), hms(micros).c_str(),
                  to_seconds(micros), 100.0 * to_seconds(micros) / to_seconds(micros_per_day));
    out << line;
  }
  out << "  total     " << hms(total) << "  " << to_seconds(total) << " s\n";
  return status::success();
}

} // namespace presence::tools
