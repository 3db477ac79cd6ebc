#pragma once

// The engine's commands and queries: one plain struct per message, its fields written once, its
// units in its types. The same structs are the messages the engine's actors exchange (registered
// with CAF privately), so a command reaches the actor that handles it unchanged. Plain C++: no
// CAF here.
//
// Each struct names its reply (`reply`): `void` for a command acknowledged once its events are
// durable, else the value it answers with. `fields(f)` calls `f` with every field in order; it is
// how the actor layer serializes a message, so a new field must be added there too.

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/time.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence {

/// Who asked for a change, through what and with which credential: the `by` and `via` of the
/// events it causes, and what the audit needs beyond them.
struct origin {
  origin() = default;
  origin(std::string by_, std::string via_ = {}, std::string token_id_ = {},
         std::string address_ = {})
    : by(std::move(by_)), via(std::move(via_)), token_id(std::move(token_id_)),
      address(std::move(address_)) {}

  std::string by;       ///< acting user or admin id; empty = the subject user itself
  std::string via;      ///< connection id or API method
  std::string token_id; ///< id of the token that authorised it (never the secret); empty = none
  std::string address;  ///< the client's network address, for HTTP and WebSocket commands
  template <class F>
  auto fields(F&& f) {
    return f(by, via, token_id, address);
  }
};

/// The user a token belongs to, and which token it was.
struct identity {
  events::user_record user;
  std::string token_id;
  template <class F>
  auto fields(F&& f) {
    return f(user, token_id);
  }
};

/// An issued token: `secret` is shown once and never stored (only its SHA-256).
struct issued_token {
  std::string id;
  std::string user;
  std::string secret;
  template <class F>
  auto fields(F&& f) {
    return f(id, user, secret);
  }
};

namespace command {

/// Which actor serves a command: the actor of the user it names (reached through that user's
/// directory shard), or the workspace supervisor. A struct without `server` is the supervisor's.
enum class served_by { user_actor, supervisor };

// --- a user's commands: routed by `user` to its actor; each logs at most a few events ---------
// Every one of them can fail with `unknown_user`, `user_deactivated`, `storage_failure`,
// `disk_full`, `timeout` and `shutting_down`, besides the errors listed with it.

/// A client connection opened; opening counts as activity. A repeated `conn` is a no-op.
/// Error: `invalid_argument` (empty `conn`).
struct connect {
  using reply = void;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  std::string conn;   ///< connection id, unique within the user
  std::string client; ///< client kind: `web`, `desktop`, `mobile`, `bot`, `api`, `rtm`…
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, conn, client, from);
  }
};

/// A client connection closed. Error: `unknown_connection`.
struct disconnect {
  using reply = void;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  std::string conn;
  events::disconnect_reason reason = events::disconnect_reason::closed;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, conn, reason, from);
  }
};

/// Something the person did (logged when it matters for presence). `conn` may be empty.
/// Error: `unknown_connection`.
struct activity {
  using reply = void;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  std::string conn;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, conn, from);
  }
};

/// A manual presence, until `until` (none = no expiry); `automatic` also counts as activity.
/// Errors: `invalid_presence`, `expiration_in_past`.
struct set_presence {
  using reply = void;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  events::manual_mode mode = events::manual_mode::automatic;
  std::optional<events::instant> until;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, mode, until, from);
  }
};

/// The custom status; empty text and emoji clear it; `expiration` none = never. Errors:
/// `too_long` (text over 100 code points, emoji over its limit), `invalid_status_text`
/// (malformed), `invalid_emoji`, `expiration_in_past`.
struct set_status {
  using reply = void;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  std::string text;
  std::string emoji;
  std::optional<events::unix_seconds> expiration;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, text, emoji, expiration, from);
  }
};

/// Merges the named status fields into the status in force now, in one `status_set` event
/// (Slack's users.profile.set; events::merge_status: a field left out keeps its value, text
/// without emoji shows `:speech_balloon:`, empty text and emoji clear everything). An update
/// that names nothing or changes nothing logs nothing. Replies the status in force afterwards.
/// Errors: as `set_status`.
struct update_status {
  using reply = events::custom_status;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  std::optional<std::string> text;
  std::optional<std::string> emoji;
  std::optional<events::unix_seconds> expiration; ///< absent = keep; the epoch = never
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, text, emoji, expiration, from);
  }
};

/// Per-user presence preferences. `idle_timeout` 0 = the workspace default, else 30 s to 7 days.
/// Error: `invalid_argument` (out of range).
struct set_preferences {
  using reply = void;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  std::chrono::seconds idle_timeout{0};
  bool auto_away = true;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, idle_timeout, auto_away, from);
  }
};

/// Applies a preset: status text = its name, manual presence from its presence value, both
/// validated first and written in one journal append (both events or neither). Errors:
/// `unknown_preset`, `invalid_preset` (a preset with no manual mode), then as `set_status`.
struct apply_preset {
  using reply = void;
  std::string user;
  std::string preset_id;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, preset_id, from);
  }
};

/// Every command of one user, for `engine::execute`.
using user_command = std::variant<connect, disconnect, activity, set_presence, set_status,
                                  set_preferences, apply_preset>;

/// The client on `conn` says its person went idle (Rocket.Chat's `UserPresence:away`): logged as
/// the same `away` event the idle timer writes, so the user is auto-away until the next activity.
/// A no-op when auto-away does not apply (a manual presence still shows; off by preference; a
/// bot; away already). Error: `unknown_connection`.
struct report_idle {
  using reply = void;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  std::string conn;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, conn, from);
  }
};

// --- queries ------------------------------------------------------------------------------------

/// The presence of `user` now (from memory), or at instant `at` (rebuilt from the log under the
/// settings in force then, from checkpoints plus a short tail, on loaders of its own). Replies
/// `events::presence_view`. Errors: `unknown_user`, `user_deactivated`; with `at`, also
/// `storage_failure` and `busy` (`engine_config::max_history_reads` under way). Who may ask about
/// whom is the caller's policy (presenced: the `presence_history` setting).
struct query {
  using reply = events::presence_view;
  static constexpr served_by server = served_by::user_actor;
  std::string user;
  std::optional<events::instant> at;
  template <class F>
  auto fields(F&& f) {
    return f(user, at);
  }
};

/// The record of `user` (deactivated users included) as the supervisor holds it: memory only,
/// never the log. Errors: `unknown_user`.
struct user_info {
  using reply = events::user_record;
  std::string user;
  template <class F>
  auto fields(F&& f) {
    return f(user);
  }
};

// --- workspace administration: each is one event of the workspace stream --------------------
// Every one can also fail with `storage_failure`, `disk_full`, `timeout`, `shutting_down`.

/// A person, or a bot (`bot`: no profile, no status, no auto-away; its tokens start `xoxb-`).
/// Errors: `invalid_user_id`, `user_exists`, `invalid_argument` (a bot cannot be an admin).
struct create_user {
  using reply = events::user_record;
  std::string id;
  std::string name;
  bool admin = false;
  origin from;
  bool bot = false;
  template <class F>
  auto fields(F&& f) {
    return f(id, name, admin, from, bot);
  }
};

/// A bot's always-active flag: shown present on every surface that shows a dot, while its Slack
/// `presence` stays what its connections make it. Errors: `unknown_user`, `user_deactivated`,
/// `not_a_bot`.
struct set_always_active {
  using reply = void;
  std::string user;
  bool always_active = false;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, always_active, from);
  }
};

/// Errors: `unknown_user`, `user_deactivated` (already).
struct deactivate_user {
  using reply = void;
  std::string id;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(id, from);
  }
};

/// Errors: `unknown_user`, `user_deactivated`.
struct issue_token {
  using reply = issued_token;
  std::string user;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, from);
  }
};

/// Error: `unknown_token` (no such id, or already revoked).
struct revoke_token {
  using reply = void;
  std::string token_id;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(token_id, from);
  }
};

/// Who a secret belongs to. Errors: `unknown_token`, `token_revoked`, `user_deactivated`.
struct authenticate {
  using reply = identity;
  std::string secret;
  template <class F>
  auto fields(F&& f) {
    return f(secret);
  }
};

/// Who the token `token_id` belongs to while it is live: what real-time sessions and rtm.connect
/// tickets, which keep a token's id and never its secret, re-check. Errors: `unknown_token`,
/// `token_revoked`, `user_deactivated`, `unknown_user`.
struct check_token {
  using reply = identity;
  std::string token_id;
  template <class F>
  auto fields(F&& f) {
    return f(token_id);
  }
};

/// Error: `invalid_setting` (unknown key or value out of range).
struct set_setting {
  using reply = void;
  std::string key;
  std::string value;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(key, value, from);
  }
};

/// Errors: `invalid_preset` (name invalid or taken, ignoring ASCII case), `invalid_presence`.
struct create_preset {
  using reply = events::preset;
  std::string name;
  events::presence_value presence = events::presence_value::online;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(name, presence, from);
  }
};

/// Errors: `unknown_preset`, then as `create_preset`.
struct update_preset {
  using reply = void;
  std::string id;
  std::string name;
  events::presence_value presence = events::presence_value::online;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(id, name, presence, from);
  }
};

/// Error: `unknown_preset`.
struct delete_preset {
  using reply = void;
  std::string id;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(id, from);
  }
};

/// Turns the presence service back on. Error: `connection_limit_exceeded` while at or above the
/// limit.
struct enable_service {
  using reply = void;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(from);
  }
};

/// Turns the presence service off, logged as `service_disabled` with the reason `admin`; a no-op
/// while it is off.
struct disable_service {
  using reply = void;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(from);
  }
};

// --- every request ------------------------------------------------------------------------------

/// Every request the engine serves (`engine::submit`); a new command is added here, next to its
/// struct.
using any = std::variant<connect, disconnect, activity, report_idle, set_presence, set_status,
                         update_status, set_preferences, apply_preset, query, user_info,
                         create_user, set_always_active, deactivate_user, issue_token,
                         revoke_token, authenticate, check_token, set_setting, create_preset,
                         update_preset, delete_preset, enable_service, disable_service>;

namespace detail {
template <class Variant, class T>
struct add_unique;
template <class... Ts, class T>
struct add_unique<std::variant<Ts...>, T> {
  using type = std::conditional_t<(std::is_same_v<T, Ts> || ...), std::variant<Ts...>,
                                  std::variant<Ts..., T>>;
};
template <class Variant, class... Cs>
struct replies_of {
  using type = Variant;
};
template <class Variant, class C, class... Cs>
struct replies_of<Variant, C, Cs...> {
  using reply = std::conditional_t<std::is_void_v<typename C::reply>, std::monostate,
                                   typename C::reply>;
  using type = typename replies_of<typename add_unique<Variant, reply>::type, Cs...>::type;
};
template <class Any>
struct any_reply;
template <class... Cs>
struct any_reply<std::variant<Cs...>> {
  using type = typename replies_of<std::variant<std::monostate>, Cs...>::type;
};
} // namespace detail

/// Every reply a request can have, each once: `std::monostate` for the commands whose `reply` is
/// void, then the others' `reply` types.
using any_reply = detail::any_reply<any>::type;

/// Whether `C` is served by the actor of the user it names (see `served_by`).
template <class C, class = void>
inline constexpr bool served_by_user_actor = false;
template <class C>
inline constexpr bool served_by_user_actor<C, std::void_t<decltype(C::server)>> =
  C::server == served_by::user_actor;

} // namespace command

} // namespace presence
