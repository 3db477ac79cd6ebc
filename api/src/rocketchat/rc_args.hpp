#pragma once

// The REST API's argument mapping (Rocket.Chat-compatible): request parameters
// (http::collect_params) to the arguments of the engine calls. Pure functions of the parameters
// and the caller: no engine, no I/O, any thread. A refusal is the Rocket.Chat failure the method
// answers with (HTTP status, `error` text, `errorType`), checked in the method's order.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/error_mapping.hpp"
#include "http/preferences.hpp"
#include "presence/events/event.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::api::rocketchat {

/// The arguments of one method, or the failure that refuses it.
template <class T>
using parsed = std::variant<T, http::rc_failure>;

/// online -> auto, away -> away, busy -> busy, offline -> invisible; nullopt for anything else.
std::optional<events::manual_mode> manual_from_rc(const std::string& status) noexcept;

/// A custom status type: online, away, busy or offline; nullopt for anything else.
std::optional<events::presence_value> preset_presence_from_rc(const std::string& type) noexcept;

/// The user a call acts on: parameter `param` (e.g. "userId"), or the caller when it is absent,
/// empty or the caller itself. Naming someone else needs an admin caller: 403.
parsed<std::string> parse_target_user(const nlohmann::json& params, const char* param,
                                      const events::user_record& caller);

/// users.setStatus: `userId` (admins), `status` (online, away, busy, offline) and/or `message`
/// (the status text, validated). At least one of status and message. A status with a message
/// that names a custom status of that type applies the custom status (status_methods.cpp).
struct set_status_args {
  std::string user;
  std::optional<events::manual_mode> mode;
  std::optional<std::string> message;
  std::optional<events::presence_value> preset_type;  ///< `status` as a custom status's type
};
parsed<set_status_args> parse_set_status(const nlohmann::json& params,
                                         const events::user_record& caller);

/// users.getStatus: `userId`, else `username` (user ids are usernames here), else the caller.
std::string parse_get_status_user(const nlohmann::json& params, const events::user_record& caller);

/// users.presence: `ids`, a comma-separated list (empty items skipped), 1..`max_ids` of them.
parsed<std::vector<std::string>> parse_presence_ids(const nlohmann::json& params,
                                                    std::size_t max_ids);

/// custom-user-status.list: `name` (a case-insensitive substring of the name), `_id` (exactly
/// that status), `offset` (default 0) and `count` (default 50, 0 = all), both non-negative
/// integers.
struct status_list_args {
  std::string name;
  std::string id;
  int64_t offset = 0;
  int64_t count = 50;
};
parsed<status_list_args> parse_status_list(const nlohmann::json& params);

/// custom-user-status.create (`name` and `statusType`, both required) and update (`_id`
/// required, `name`, `statusType`), at the top level as current Rocket.Chat sends them or inside
/// the older `customUserStatusData` wrapper. `statusType` is online, away, busy or offline in
/// any letter case. `id` is empty for create.
struct custom_status_args {
  std::string id;
  std::optional<std::string> name;
  std::optional<events::presence_value> type;
};
parsed<custom_status_args> parse_status_create(const nlohmann::json& params);
parsed<custom_status_args> parse_status_update(const nlohmann::json& params);

/// custom-user-status.delete: `customUserStatusId`, required.
parsed<std::string> parse_status_delete(const nlohmann::json& params);

/// users.setPreferences: `userId` (admins), `data` (an object, required) with `enableAutoAway`
/// (a JSON boolean) and `idleTimeLimit` (a JSON integer, 30..604800 seconds), both optional;
/// other preferences in `data` are ignored. Refusals: 400 `error-invalid-params` (no `data`,
/// a wrong type, out of range), 403 `error-not-allowed`.
parsed<http::preference_change> parse_set_preferences(const nlohmann::json& params,
                                                      const events::user_record& caller);

/// POST settings/Troubleshoot_Disable_Presence_Broadcast: `value`, a JSON boolean (true turns
/// the presence service off). Refusal: 400 `error-invalid-params`.
parsed<bool> parse_setting_bool(const nlohmann::json& params);

} // namespace presence::api::rocketchat
