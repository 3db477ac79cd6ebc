#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "presence/events/event.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::events {

/// The workspace facts the presence rule needs besides the user's own state.
struct presence_context {
  bool service_enabled = true;
  int64_t default_idle_timeout = 600;  ///< seconds
  int64_t mobile_idle_timeout = 0;     ///< seconds when every open connection is `mobile`; 0 = default
};

/// The presence context a workspace's state implies (service flag and idle timeouts).
presence_context context_of(const workspace_state& state) noexcept;

/// A user's presence as seen at one instant (docs/design.md §1, Slack's `users.getPresence`).
struct presence_view {
  presence_value presence = presence_value::offline;
  bool online = false;        ///< at least one open connection
  bool auto_away = false;     ///< away because idle (logged or due at `now`)
  bool manual_away = false;   ///< away because the user chose `away`
  std::size_t connection_count = 0;
  timestamp_us last_activity = 0;
  manual_mode manual = manual_mode::automatic;  ///< effective at `now` (an expired mode reads auto)
  custom_status status;       ///< effective at `now` (an expired status reads empty)
  int64_t idle_timeout = 0;   ///< the user's own preference, seconds; 0 = the workspace default
  int64_t effective_idle_timeout = 600;  ///< seconds of idleness before auto-away, in force
  bool auto_away_enabled = true;         ///< the user's preference
};

/// The idle timeout in force for this user, in seconds: the user's own preference when set; else
/// `mobile_idle_timeout` when it is set and every open connection is of client kind `mobile`;
/// else the workspace's `idle_timeout`.
int64_t effective_idle_timeout(const user_state& state, const presence_context& ctx) noexcept;

/// The presence rule of docs/design.md §1 evaluated at `now`, a pure function. Expiries and the
/// idle timeout are applied at `now` even if the live actor has not logged them yet, so replaying a
/// log and asking at instant T gives what a live server showed at T.
presence_view evaluate(const user_state& state, const presence_context& ctx, timestamp_us now);

/// Whether an `away` event may still be logged for this user: connected, auto-away on, not
/// already away, and not a bot (auto-away never applies to bots).
bool can_go_auto_away(const user_state& state) noexcept;

/// The events a live user actor must log at `now` because time passed: `away` when idle is due
/// (connected, auto-away on, not already away), `presence_expired`, `status_expired`. Empty when
/// nothing is due. Order: presence_expired, status_expired, away.
std::vector<payload> due_events(const user_state& state, const presence_context& ctx,
                                timestamp_us now);

/// The earliest instant after `now` at which `due_events` becomes non-empty, or nullopt when no
/// timer is needed (no connection and no expiry pending). A deadline already reached reads as
/// `now + 1`: log `due_events(state, ctx, now)` first.
std::optional<timestamp_us> next_deadline(const user_state& state, const presence_context& ctx,
                                          timestamp_us now);

/// Whether activity at `now` must be logged: it changes presence (auto-away → online), or the
/// newest logged activity is `activity_log_interval` seconds old or older. Activity precision of
/// the idle rule is therefore that interval (docs/design.md §2, coalescing).
bool should_log_activity(const user_state& state, const presence_context& ctx,
                         int64_t activity_log_interval, timestamp_us now);

} // namespace presence::events
