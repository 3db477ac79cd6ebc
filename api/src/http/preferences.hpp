#pragma once

// A user's presence preferences (auto-away on/off, own idle timeout), read and partly updated the
// same way by the Web API (users.prefs.get/set) and the REST API (users.getPreferences /
// users.setPreferences). Blocking: call these on the blocking pool.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "presence/actors/engine.hpp"

namespace presence::api::http {

/// The shortest and longest idle timeout a user may choose.
inline constexpr std::chrono::seconds min_user_idle_timeout{30};
inline constexpr std::chrono::seconds max_user_idle_timeout = std::chrono::hours{24 * 7};

/// Whether `seconds` is a timeout a user may choose (30 s to 7 days).
constexpr bool valid_user_idle_timeout(int64_t seconds) noexcept {
  return seconds >= min_user_idle_timeout.count() && seconds <= max_user_idle_timeout.count();
}

/// One user's preferences as stored, and the idle timeout in force for them.
struct user_preferences {
  bool auto_away = true;
  std::chrono::seconds idle_timeout{0};  ///< the user's own; 0 = the workspace default
  std::chrono::seconds in_force{600};    ///< the user's own, else the workspace default
};

/// A change: fields not given keep their value. `idle_timeout` 0 returns to the workspace
/// default.
struct preference_change {
  std::string user;
  std::optional<bool> auto_away;
  std::optional<std::chrono::seconds> idle_timeout;
};

/// The preferences of `user`. Errors: `unknown_user`, `user_deactivated`, the engine's.
result<user_preferences> read_preferences(presence::engine& engine, const std::string& user);

/// Applies `change` (one `preferences_set` event, by `from`) and returns the preferences after
/// it. Two concurrent partial changes of one user: the later write wins for both fields.
/// Errors: as `read_preferences`, `invalid_argument` (idle timeout out of range).
result<user_preferences> update_preferences(presence::engine& engine,
                                            const preference_change& change,
                                            const presence::origin& from);

} // namespace presence::api::http
