#include "presence/events/presence.hpp"

#include <algorithm>
#include <limits>

namespace presence::events {

namespace {

constexpr int64_t us_per_second = 1'000'000;
constexpr timestamp_us never = std::numeric_limits<timestamp_us>::max();

/// Seconds to microseconds, saturating instead of overflowing on absurd (decoded) values.
timestamp_us seconds_to_us(int64_t seconds) noexcept {
  if (seconds > never / us_per_second)
    return never;
  if (seconds < std::numeric_limits<timestamp_us>::min() / us_per_second)
    return std::numeric_limits<timestamp_us>::min();
  return seconds * us_per_second;
}

timestamp_us saturating_add(timestamp_us a, timestamp_us b) noexcept {
  timestamp_us sum = 0;
  if (__builtin_add_overflow(a, b, &sum))
    return b > 0 ? never : std::numeric_limits<timestamp_us>::min();
  return sum;
}

/// The instant the manual mode returns to automatic, or `never`.
timestamp_us manual_expiry(const user_state& state) noexcept {
  return state.manual != manual_mode::automatic && state.manual_until != 0 ? state.manual_until
                                                                          : never;
}

/// The instant the custom status is cleared, or `never`.
timestamp_us status_expiry(const user_state& state) noexcept {
  return !state.status.empty() && state.status.expiration != 0
           ? seconds_to_us(state.status.expiration)
           : never;
}

/// Whether a bot's connection is open: auto-away never applies to bots, whose connections are
/// recorded with client kind `bot`.
bool bot_connected(const user_state& state) noexcept {
  return std::any_of(state.connections.begin(), state.connections.end(),
                     [](const connection_info& c) { return c.client == "bot"; });
}

} // namespace

bool can_go_auto_away(const user_state& state) noexcept {
  return !state.connections.empty() && state.auto_away_enabled && !state.auto_away &&
         !bot_connected(state);
}

namespace {

/// The instant an `away` event becomes due, or `never` (not connected, auto-away off, away
/// already logged, or a bot).
timestamp_us idle_deadline(const user_state& state, const presence_context& ctx) noexcept {
  if (!can_go_auto_away(state))
    return never;
  return saturating_add(state.last_activity,
                        seconds_to_us(effective_idle_timeout(state, ctx)));
}

/// Idle at `now` by the clock alone (whether or not `away` was logged).
bool idle_at(const user_state& state, const presence_context& ctx, timestamp_us now) noexcept {
  return state.auto_away_enabled && !bot_connected(state)
         && now >= saturating_add(state.last_activity,
                                  seconds_to_us(effective_idle_timeout(state, ctx)));
}

} // namespace

int64_t effective_idle_timeout(const user_state& state, const presence_context& ctx) noexcept {
  if (state.idle_timeout > 0)
    return state.idle_timeout;
  bool only_mobile = !state.connections.empty()
                     && std::all_of(state.connections.begin(), state.connections.end(),
                                    [](const connection_info& c) { return c.client == "mobile"; });
  return only_mobile && ctx.mobile_idle_timeout > 0 ? ctx.mobile_idle_timeout
                                                    : ctx.default_idle_timeout;
}

presence_context context_of(const workspace_state& state) noexcept {
  presence_context ctx;
  ctx.service_enabled = state.service_enabled;
  ctx.default_idle_timeout = state.settings.idle_timeout;
  ctx.mobile_idle_timeout = state.settings.mobile_idle_timeout;
  return ctx;
}

presence_view evaluate(const user_state& state, const presence_context& ctx, timestamp_us now) {
  presence_view view;
  view.online = !state.connections.empty();
  view.connection_count = state.connections.size();
  view.last_activity = state.last_activity;
  view.manual = now >= manual_expiry(state) ? manual_mode::automatic : state.manual;
  if (!state.status.empty() && now < status_expiry(state))
    view.status = state.status;
  view.manual_away = view.manual == manual_mode::away;
  view.idle_timeout = state.idle_timeout;
  view.effective_idle_timeout = effective_idle_timeout(state, ctx);
  view.auto_away_enabled = state.auto_away_enabled;
  if (!ctx.service_enabled) {
    view.presence = presence_value::disabled;
  } else if (view.manual == manual_mode::invisible || !view.online) {
    view.presence = presence_value::offline;
  } else if (view.manual == manual_mode::busy) {
    view.presence = presence_value::busy;
  } else if (view.manual == manual_mode::away) {
    view.presence = presence_value::away;
  } else if (state.auto_away_enabled && (state.auto_away || idle_at(state, ctx, now))) {
    view.presence = presence_value::away;
    view.auto_away = true;
  } else {
    view.presence = presence_value::online;
  }
  return view;
}

std::vector<payload> due_events(const user_state& state, const presence_context& ctx,
                                timestamp_us now) {
  std::vector<payload> out;
  if (now >= manual_expiry(state))
    out.emplace_back(presence_expired{});
  if (now >= status_expiry(state))
    out.emplace_back(status_expired{});
  if (now >= idle_deadline(state, ctx))
    out.emplace_back(away{});
  return out;
}

std::optional<timestamp_us> next_deadline(const user_state& state, const presence_context& ctx,
                                          timestamp_us now) {
  const timestamp_us earliest =
    std::min({manual_expiry(state), status_expiry(state), idle_deadline(state, ctx)});
  if (earliest == never)
    return std::nullopt;
  // Already due: the caller logs `due_events(now)` first; "after now" is the next instant.
  return std::max(earliest, saturating_add(now, 1));
}

bool should_log_activity(const user_state& state, const presence_context& ctx,
                         int64_t activity_log_interval, timestamp_us now) {
  if (state.auto_away || idle_at(state, ctx, now))
    return true;
  return now >= saturating_add(state.last_activity, seconds_to_us(activity_log_interval));
}

} // namespace presence::events
