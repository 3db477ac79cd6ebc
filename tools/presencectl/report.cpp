// `presencectl report USER --day YYYY-MM-DD`: time spent in each presence value on a UTC day.
#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>
#include <ostream>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "database.hpp"
#include "presence/events/presence.hpp"
#include "time_format.hpp"

namespace presence::tools {

namespace {

namespace ev = presence::events;

constexpr std::array<ev::presence_value, 5> all_presences = {
  ev::presence_value::online, ev::presence_value::away, ev::presence_value::busy,
  ev::presence_value::offline, ev::presence_value::disabled};

/// Microseconds spent in each presence value, indexed by its numeric value.
using durations = std::array<ev::timestamp_us, all_presences.size()>;

/// The user's and the workspace's events before `end`, merged in sequence (= time) order.
result<std::vector<ev::event>> events_before(const storage::event_log& log, std::string_view user,
                                             ev::timestamp_us end) {
  std::vector<ev::event> user_events;
  std::vector<ev::event> workspace_events;
  for (auto [stream, sink] : {std::pair{user, &user_events},
                              std::pair{ev::workspace_stream, &workspace_events}}) {
    auto read = log.read_stream(stream, 0, [&, sink = sink](const ev::event& event) {
      if (event.ts >= end)
        return false;
      sink->push_back(event);
      return true;
    });
    if (!read.ok())
      return read.error();
  }
  std::vector<ev::event> merged;
  merged.reserve(user_events.size() + workspace_events.size());
  std::merge(user_events.begin(), user_events.end(), workspace_events.begin(),
             workspace_events.end(), std::back_inserter(merged),
             [](const ev::event& a, const ev::event& b) { return a.seq < b.seq; });
  return merged;
}

/// Walks [start, end): folds events as their time comes and evaluates the presence at every
/// instant where it can change (an event, the idle deadline, a manual-mode expiry).
durations walk_day(std::string_view user, const std::vector<ev::event>& log_events,
                   ev::timestamp_us start, ev::timestamp_us end) {
  ev::user_state state;
  state.id = std::string(user);
  ev::workspace_state workspace;
  std::size_t next_event = 0;
  const auto fold_until = [&](ev::timestamp_us t) {
    for (; next_event < log_events.size() && log_events[next_event].ts <= t; ++next_event) {
      const auto& event = log_events[next_event];
      if (event.stream == ev::workspace_stream)
        ev::apply(workspace, event);
      else
        ev::apply(state, event);
    }
  };
  durations spent{};
  fold_until(start);
  for (ev::timestamp_us t = start; t < end;) {
    const ev::presence_context ctx = ev::context_of(workspace);
    const auto presence = ev::evaluate(state, ctx, t).presence;
    ev::timestamp_us next = end;
    const auto consider = [&next, t](ev::timestamp_us candidate) {
      if (candidate > t)
        next = std::min(next, candidate);
    };
    if (next_event < log_events.size())
      consider(log_events[next_event].ts);
    // next_deadline answers t+1 for a deadline already passed (the live actor would log it
    // now); the replay applies it in `evaluate` instead, so only a future one is a change point.
    if (auto deadline = ev::next_deadline(state, ctx, t); deadline && ev::due_events(state, ctx, t).empty())
      consider(*deadline);
    if (!state.connections.empty())
      consider(state.last_activity + ev::effective_idle_timeout(state, ctx) * micros_per_second);
    if (state.manual_until != 0)
      consider(state.manual_until);
    spent[static_cast<std::size_t>(presence)] += next - t;
    t = next;
    fold_until(t);
  }
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
  auto log_events = events_before(*opened->log, options.user, end);
  if (!log_events)
    return log_events.error();
  const durations spent = walk_day(options.user, *log_events, *start, end);
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
