// admin.presence.report: one user's UTC day from the event log — the time in each presence (the
// figures of `presencectl report`), the stretches of constant presence, and every change that
// day with who made it and through what (the user's events and the workspace's service switch and
// settings, which change everyone's presence).

#include <array>
#include <cstdio>
#include <ctime>
#include <string>
#include <type_traits>
#include <variant>

#include "presence/events/presence_timeline.hpp"
#include "presence/events/time.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

namespace ev = presence::events;

/// "2026-12-06T04:42:43.837Z" for µs since the epoch.
std::string iso_time(ev::timestamp_us micros) {
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[80];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(micros % 1'000'000 / 1000));
  return text;
}

/// What an event changed, in a few words; empty for events that need none.
std::string detail(const ev::payload& body) {
  return std::visit(
    [](const auto& e) -> std::string {
      using T = std::decay_t<decltype(e)>;
      if constexpr (std::is_same_v<T, ev::connected>)
        return e.conn + " (" + e.client + ")";
      else if constexpr (std::is_same_v<T, ev::disconnected>)
        return e.conn + " (" + std::string(ev::to_string(e.reason)) + ")";
      else if constexpr (std::is_same_v<T, ev::presence_set>)
        return std::string(ev::to_string(e.mode)) +
               (e.until != 0 ? " until " + iso_time(e.until) : std::string{});
      else if constexpr (std::is_same_v<T, ev::status_set>)
        return (e.emoji.empty() ? std::string{} : e.emoji + " ") + e.text +
               (e.expiration != 0 ? " until " + iso_time(e.expiration * 1'000'000) : std::string{});
      else if constexpr (std::is_same_v<T, ev::preferences_set>)
        return "idle " + std::to_string(e.idle_timeout) + " s, auto-away " +
               (e.auto_away ? "on" : "off");
      else if constexpr (std::is_same_v<T, ev::setting_changed>)
        return e.key + " = " + e.value;
      else if constexpr (std::is_same_v<T, ev::service_disabled>)
        return e.reason + " at " + std::to_string(e.connections) + " connections";
      else
        return {};
    },
    body);
}

/// Whether a workspace event changes the presence of users (and so belongs in a user's audit).
bool affects_presence(const ev::payload& body) {
  if (const auto* setting = std::get_if<ev::setting_changed>(&body))
    return setting->key == "idle_timeout" || setting->key == "mobile_idle_timeout";
  return std::holds_alternative<ev::service_disabled>(body) ||
         std::holds_alternative<ev::service_enabled>(body);
}

} // namespace

void admin_presence_report(const call_ptr& call) {
  auto args = call->accept(parse_report(call->params));
  if (!args)
    return;
  call->blocking([call, args = *args] {
    auto history = call->gw.engine.history(args.user, ev::to_instant(args.start),
                                           ev::to_instant(args.end));
    if (!history.ok()) {
      call->fail(history.error());
      return;
    }
    bool known = history->base.user.event_count != 0;
    auto changes = nlohmann::json::array();
    for (const auto& e : history->events) {
      const bool own = e.stream == args.user;
      known = known || own;
      if (!own && !affects_presence(e.body))
        continue;
      changes.push_back({{"ts", iso_time(e.ts)},
                         {"type", std::string(ev::to_string(ev::type_of(e.body)))},
                         {"by", e.by},
                         {"via", e.via},
                         {"token_id", e.token_id},
                         {"address", e.address},
                         {"detail", detail(e.body)}});
    }
    if (!known) {
      call->fail("user_not_found", "no event of " + args.user + " before the end of that day");
      return;
    }
    constexpr std::array<ev::presence_value, 5> all = {
      ev::presence_value::online, ev::presence_value::away, ev::presence_value::busy,
      ev::presence_value::offline, ev::presence_value::disabled};
    std::array<ev::timestamp_us, all.size()> spent{};
    auto segments = nlohmann::json::array();
    for (const auto& s : ev::presence_timeline(history->base, history->events, args.start, args.end)) {
      spent[static_cast<std::size_t>(s.presence)] += s.to - s.from;
      segments.push_back({{"from", iso_time(s.from)},
                          {"to", iso_time(s.to)},
                          {"presence", std::string(ev::to_string(s.presence))}});
    }
    auto seconds = nlohmann::json::object();
    double total = 0;
    for (auto p : all) {
      double value = static_cast<double>(spent[static_cast<std::size_t>(p)]) / 1e6;
      seconds[std::string(ev::to_string(p))] = value;
      total += value;
    }
    call->ok({{"user", args.user},
              {"day", args.day},
              {"from", iso_time(args.start)},
              {"to", iso_time(args.end)},
              {"seconds", std::move(seconds)},
              {"total_seconds", total},
              {"segments", std::move(segments)},
              {"changes", std::move(changes)}});
  });
}

} // namespace presence::api::slack
