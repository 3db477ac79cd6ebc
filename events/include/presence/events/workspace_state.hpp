#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"

namespace presence::events {

/// Workspace-wide settings, changed by `setting_changed` events. Keys are the member names.
struct workspace_settings {
  int64_t idle_timeout = 600;          ///< seconds of inactivity before auto-away (1..604800)
  uint64_t connection_limit = 200;     ///< open connections before the service turns off; 0 = unlimited
  int64_t flush_interval_ms = 100;     ///< broadcaster coalescing window (1..10000)
  int64_t activity_log_interval = 30;  ///< seconds between logged activity events (1..3600)
  uint64_t auto_reenable_below = 0;    ///< turn the service back on below this count; 0 = off
  bool degraded_query_only = false;    ///< key `degraded_mode`: "off" or "query_only"
  uint64_t max_subscription = 500;     ///< ids per presence_sub (1..100000)
  int64_t mobile_idle_timeout = 0;     ///< idle seconds when only `mobile` clients are open; 0 = idle_timeout
  /// Key `presence_history`: "self" (false: only admins may read other users' presence at a past
  /// instant) or "everyone" (true). Everyone may always read their own.
  bool history_of_others = false;

  bool operator==(const workspace_settings& other) const;
};

/// Validates and sets one setting by key. Errors: `invalid_setting` naming the key and the
/// accepted range. Leaves `settings` unchanged on error.
status set_setting(workspace_settings& settings, std::string_view key, std::string_view value);

/// Every setting as (key, value) in a fixed order, values formatted as `set_setting` accepts them.
std::vector<std::pair<std::string, std::string>> list_settings(const workspace_settings& settings);

/// A user as the API and the actors pass it around.
struct user_record {
  std::string id;
  std::string name;
  bool admin = false;
  bool active = true;
  timestamp_us created_at = 0;
  bool bot = false;
  bool always_active = false; ///< bots only: shown present whatever their presence
};

/// A user as `workspace_state::users` keeps it: a `user_record` without the id, which is the key.
struct user_entry {
  std::string name;
  bool admin = false;
  bool active = true;
  bool bot = false;
  bool always_active = false;
  timestamp_us created_at = 0;
};

/// The record of the user `id`, whose entry is `entry`.
user_record to_record(const std::string& id, const user_entry& entry);

struct token_record {
  std::string id;
  std::string user;
  std::string hash;  ///< hex SHA-256 of the secret; the secret itself is never stored
  timestamp_us issued_at = 0;
  bool revoked = false;
};

struct preset {
  std::string id;
  std::string name;
  presence_value presence = presence_value::online;
  timestamp_us updated_at = 0;  ///< when it was created or last updated (the event's time)
};

/// Everything the workspace stream says, as of `last_seq`. A pure fold like `user_state`.
struct workspace_state {
  /// By id. A restart folds every user into this map, so its nodes are kept small: without a
  /// second copy of the id (in a `user_record`) a node is 112 bytes instead of 144 (with
  /// jemalloc's size classes 112 instead of 160: 48 MB less to fault in for 1,000,000 users).
  std::map<std::string, user_entry, std::less<>> users;
  std::map<std::string, token_record, std::less<>> tokens;  ///< by token id
  std::map<std::string, preset, std::less<>> presets;       ///< by preset id
  workspace_settings settings;
  bool service_enabled = true;
  std::string disabled_reason;
  uint64_t disabled_connections = 0;
  uint64_t epoch = 0;  ///< newest `epoch_started`
  sequence last_seq = 0;
  uint64_t event_count = 0;
};

/// Folds one workspace-stream event into `state`. Total, like the user fold; user events are
/// ignored; a `setting_changed` whose value does not validate leaves the setting unchanged.
void apply(workspace_state& state, const event& ev);

} // namespace presence::events
