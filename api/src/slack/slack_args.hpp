#pragma once

// The Web API's argument mapping: request parameters (http::collect_params) to the arguments of
// the engine calls. Pure functions of the parameters, the caller and the current time: no engine,
// no I/O, any thread. A refusal carries the Slack `error` code and the detail the method answers
// with (response_metadata.messages), checked in the order the method documents.

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/preferences.hpp"
#include "presence/events/event.hpp"
#include "presence/events/time.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::api::slack {

/// Why a call's arguments are refused: Slack's `error` code and an optional detail.
struct arg_error {
  std::string code;
  std::string detail;
};

/// The arguments of one method, or why they are refused.
template <class T>
using parsed = std::variant<T, arg_error>;

/// The user a call acts on: `user`, or the caller when it is absent, empty or the caller itself.
/// Naming someone else needs an admin caller: `not_admin`.
parsed<std::string> parse_target_user(const nlohmann::json& params,
                                      const events::user_record& caller);

/// users.setPresence: `presence` (auto, away, busy, invisible), `expiration` (Unix seconds, 0 or
/// absent = none; not with auto, and after `now_us`); a bot caller may only choose auto or away.
/// Codes: not_admin, invalid_presence, invalid_arguments, expiration_in_past.
struct set_presence_args {
  std::string user;
  events::manual_mode mode = events::manual_mode::automatic;
  std::optional<events::instant> until;
};
parsed<set_presence_args> parse_set_presence(const nlohmann::json& params,
                                             const events::user_record& caller,
                                             events::timestamp_us now_us);

/// users.getPresence: `user` (default the caller, anyone may be read) and `at` (Unix seconds, not
/// after `now_us`). Code: invalid_arguments.
struct get_presence_args {
  std::string user;
  std::optional<events::instant> at;
};
parsed<get_presence_args> parse_get_presence(const nlohmann::json& params,
                                             const events::user_record& caller,
                                             events::timestamp_us now_us);

/// The status fields a profile update names; absent ones keep their current value.
using status_update = events::status_change;

/// users.profile.set: `profile` (a JSON object or its text) or `name` + `value`, validated with
/// the domain's rules at `now_us`; or the extension `preset` (a preset id, alone: applying it
/// sets the status text and the manual presence in one event). Codes: not_allowed_token_type (a
/// bot's token), not_admin, invalid_profile, too_long, expiration_in_past, invalid_arguments
/// (`preset` with status fields).
struct profile_set_args {
  std::string user;
  status_update update;
  std::optional<std::string> preset;
};
parsed<profile_set_args> parse_profile_set(const nlohmann::json& params,
                                           const events::user_record& caller,
                                           events::timestamp_us now_us);

/// The `user` parameter, or the caller when it is absent or empty (reads need no admin).
std::string user_or_caller(const nlohmann::json& params, const events::user_record& caller);

/// rtm.connect's arguments.
struct rtm_connect_args {
  bool batch_presence_aware = true;
  std::string client = "rtm"; ///< the client kind (http::param_client_kind)
};

/// rtm.connect: `batch_presence_aware` (default true), `client` (`web`, `desktop`, `mobile`).
/// Code: invalid_arguments.
parsed<rtm_connect_args> parse_rtm_connect(const nlohmann::json& params);

/// A required non-empty string parameter `name`. Code: invalid_arguments.
parsed<std::string> parse_required(const nlohmann::json& params, const char* name);

/// admin.users.create: `id` (required), `name` (default the id), `admin` (default false).
/// Code: invalid_arguments.
struct create_user_args {
  std::string id;
  std::string name;
  bool admin = false;
  bool bot = false; ///< `is_bot`
};
parsed<create_user_args> parse_create_user(const nlohmann::json& params);

/// admin.settings.set: `settings` (a JSON object of key to value, or its text) or `key` +
/// `value`, as (key, value text) pairs in order. Code: invalid_arguments.
using setting_changes = std::vector<std::pair<std::string, std::string>>;
parsed<setting_changes> parse_settings_set(const nlohmann::json& params);

/// admin.users.setAlwaysActive: `user` and `always_active` (both required). Code:
/// invalid_arguments.
struct always_active_args {
  std::string user;
  bool always_active = false;
};
parsed<always_active_args> parse_set_always_active(const nlohmann::json& params);

/// admin.presets.create / update: `id` (update only, required), `name`, `presence` (online, away,
/// busy, offline). Create needs both name and presence. Codes: invalid_arguments,
/// invalid_presence.
struct preset_args {
  std::string id;
  std::optional<std::string> name;
  std::optional<events::presence_value> presence;
};
parsed<preset_args> parse_preset_create(const nlohmann::json& params);
parsed<preset_args> parse_preset_update(const nlohmann::json& params);

/// users.list: `cursor` (opaque, from `response_metadata.next_cursor`; empty = the first page),
/// `limit` (1..1000, default 100), `include_presence` (default false). Codes: invalid_cursor,
/// invalid_limit, invalid_arguments.
struct users_list_args {
  std::string after;  ///< the last user id of the previous page; empty = from the start
  std::size_t limit = 100;
  bool include_presence = false;
};
parsed<users_list_args> parse_users_list(const nlohmann::json& params);

/// The cursor that continues a listing after user `last_id`.
std::string users_list_cursor(const std::string& last_id);

/// admin.presence.report: `user` (required) and `day` (YYYY-MM-DD, UTC; required).
/// Code: invalid_arguments.
struct report_args {
  std::string user;
  std::string day;
  events::timestamp_us start = 0;  ///< the day's midnight, µs
  events::timestamp_us end = 0;    ///< the next midnight, µs
};
parsed<report_args> parse_report(const nlohmann::json& params);

/// users.prefs.set: `user` (admins), `auto_away` (boolean), `idle_timeout` (integer seconds,
/// 30..604800, or 0 = back to the workspace default); at least one of the two. Codes:
/// not_admin, invalid_arguments.
parsed<http::preference_change> parse_prefs_set(const nlohmann::json& params,
                                                const events::user_record& caller);

} // namespace presence::api::slack
