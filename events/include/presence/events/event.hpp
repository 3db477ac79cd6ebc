#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace presence::events {

/// Microseconds since the Unix epoch (UTC). Every instant in the domain is one of these.
using timestamp_us = int64_t;
/// Global sequence number, assigned by the journal; 1 is the first event, 0 means "none".
using sequence = uint64_t;

/// The stream name of workspace-wide events. User ids can never take this value.
inline constexpr std::string_view workspace_stream = "$workspace";
/// `by` value for events caused by timers, start-up recovery and other server work.
inline constexpr std::string_view system_actor = "system";
/// `token_id` of events authorised by the admin token configured at start (`--admin-token`,
/// `admin_token_file`, PRESENCE_ADMIN_TOKEN), which has no token id of its own; issued token ids
/// start with `T`, so this one can never be issued.
inline constexpr std::string_view configured_admin_token_id = "$admin-token";

/// One of the five presence values a client sees (docs/design.md §1).
enum class presence_value : uint8_t { online = 0, away = 1, busy = 2, offline = 3, disabled = 4 };

/// The manual presence a user chose; `automatic` is Slack's `auto`.
enum class manual_mode : uint8_t { automatic = 0, away = 1, busy = 2, invisible = 3 };

/// Why a connection closed.
/// Why a connection ended. The byte values are the wire tags of the event codec: never renumber.
/// `token_revoked` / `account_inactive`: the server closed the connection because its token was
/// revoked or its user deactivated. `node_lost`: the cluster node the connection came through
/// stopped (its etcd lease expired, or it restarted).
enum class disconnect_reason : uint8_t {
  closed = 0,
  timeout = 1,
  server_restart = 2,
  kicked = 3,
  token_revoked = 4,
  account_inactive = 5,
  node_lost = 6,
};

// --- user stream -------------------------------------------------------------------------

/// A client connection opened. Opening counts as activity.
struct connected {
  std::string conn;    ///< connection id, unique within the user
  std::string client;  ///< client kind, e.g. "web", "desktop", "rtm"
  uint64_t epoch = 0;  ///< server epoch the connection belongs to
};
/// A client connection closed.
struct disconnected {
  std::string conn;
  disconnect_reason reason = disconnect_reason::closed;
};
/// Activity on a connection (coalesced: logged only when it matters, docs/design.md §2).
struct activity {
  std::string conn;  ///< may be empty for activity not tied to one connection
};
/// The idle timer fired: the user is auto-away until the next activity.
struct away {};
/// The user chose a manual presence. `until` (µs, 0 = none) returns it to `automatic`.
struct presence_set {
  manual_mode mode = manual_mode::automatic;
  timestamp_us until = 0;
};
/// A manual presence reached its `until` and returned to `automatic`.
struct presence_expired {};
/// The custom status changed; empty text and emoji clear it. `expiration` in Unix seconds, 0 = never.
struct status_set {
  std::string text;
  std::string emoji;
  int64_t expiration = 0;
};
/// The custom status reached its expiration and was cleared.
struct status_expired {};
/// The user picked workspace preset `preset_id`: in one event, the status text becomes `text`
/// (the preset's name then; no emoji, no expiration) and the manual presence `mode` (no `until`).
/// It records the values, so renaming or deleting the preset later changes nothing it set.
struct preset_applied {
  std::string preset_id;
  std::string text;
  manual_mode mode = manual_mode::automatic;
};
/// Per-user preferences. `idle_timeout` in seconds; 0 = use the workspace default.
struct preferences_set {
  int64_t idle_timeout = 0;
  bool auto_away = true;
};

// --- workspace stream --------------------------------------------------------------------

struct user_created {
  std::string user;
  std::string name;
  bool admin = false;
  bool bot = false; ///< a bot user (no profile, no status, no auto-away); record version 2
};
struct user_deactivated {
  std::string user;
};
/// A token was issued; only its hash is ever stored.
struct token_issued {
  std::string id;    ///< public token id (used to revoke)
  std::string user;  ///< owner
  std::string hash;  ///< hex SHA-256 of the secret
};
struct token_revoked {
  std::string id;
};
/// A workspace setting changed (see workspace_state.hpp for keys and validation).
struct setting_changed {
  std::string key;
  std::string value;
};
/// A custom status preset: a name tied to a presence value (docs/design.md §1).
struct preset_created {
  std::string id;
  std::string name;
  presence_value presence = presence_value::online;
};
struct preset_updated {
  std::string id;
  std::string name;
  presence_value presence = presence_value::online;
};
struct preset_deleted {
  std::string id;
};
/// The connection limit was passed: the presence service turned off.
struct service_disabled {
  std::string reason;
  uint64_t connections = 0;
};
/// The presence service was turned back on (`by` says by whom).
struct service_enabled {};
/// A server process started; connections carry the epoch they were opened in.
struct epoch_started {
  uint64_t epoch = 0;
};
/// A bot's always-active flag (Slack's bot presence toggle for Events API bots).
struct always_active_set {
  std::string user;
  bool always_active = false;
};

/// The payload of an event. The order of alternatives is NOT the wire type: see `event_type`.
using payload = std::variant<connected, disconnected, activity, away, presence_set,
                             presence_expired, status_set, status_expired, preferences_set,
                             user_created, user_deactivated, token_issued, token_revoked,
                             setting_changed, preset_created, preset_updated, preset_deleted,
                             service_disabled, service_enabled, epoch_started, preset_applied,
                             always_active_set>;

/// Wire type tag of each payload. Stored in every record: never renumber, only append.
enum class event_type : uint8_t {
  connected = 1,
  disconnected = 2,
  activity = 3,
  away = 4,
  presence_set = 5,
  presence_expired = 6,
  status_set = 7,
  status_expired = 8,
  preferences_set = 9,
  preset_applied = 10,
  user_created = 32,
  user_deactivated = 33,
  token_issued = 34,
  token_revoked = 35,
  setting_changed = 36,
  preset_created = 37,
  preset_updated = 38,
  preset_deleted = 39,
  service_disabled = 40,
  service_enabled = 41,
  epoch_started = 42,
  always_active_set = 43,
};

/// One entry of the log: who did what, when, from where, and in which stream.
struct event {
  sequence seq = 0;       ///< assigned by the journal on append; 0 before
  timestamp_us ts = 0;    ///< when it happened
  std::string stream;     ///< a user id, or `workspace_stream`
  std::string by;         ///< user id, admin id, or `system_actor`
  std::string via;        ///< connection id or API method, may be empty
  payload body;
  /// Id of the token that authorised it (never the secret); `configured_admin_token_id` for the
  /// configured admin token; empty for server work and in records older than format version 3.
  std::string token_id;
  /// The client's network address (HTTP and WebSocket commands), e.g. "127.0.0.1"; may be empty.
  std::string address;
};

/// The wire tag of the payload held by `body`.
event_type type_of(const payload& body) noexcept;

/// The name of an event type (docs/design.md §2), e.g. "presence_set".
std::string_view to_string(event_type type) noexcept;
/// Inverse of `to_string(event_type)`; nullopt for an unknown name.
std::optional<event_type> parse_event_type(std::string_view name) noexcept;

/// "online", "away", "busy", "offline", "disabled".
std::string_view to_string(presence_value value) noexcept;
std::optional<presence_value> parse_presence_value(std::string_view name) noexcept;

/// "auto", "away", "busy", "invisible".
std::string_view to_string(manual_mode mode) noexcept;
std::optional<manual_mode> parse_manual_mode(std::string_view name) noexcept;

/// "closed", "timeout", "server_restart", "kicked", "token_revoked", "account_inactive",
/// "node_lost".
std::string_view to_string(disconnect_reason reason) noexcept;
std::optional<disconnect_reason> parse_disconnect_reason(std::string_view name) noexcept;

/// True for events that belong to a user stream, false for workspace events.
bool is_user_event(event_type type) noexcept;

} // namespace presence::events
