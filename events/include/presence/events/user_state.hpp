#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "presence/events/event.hpp"

namespace presence::events {

/// One open client connection of a user.
struct connection_info {
  std::string id;
  std::string client;
  uint64_t epoch = 0;
  timestamp_us opened_at = 0;
  timestamp_us last_activity = 0;  ///< newest logged activity on this connection
};

/// A custom status. Empty text and emoji mean "no status".
struct custom_status {
  std::string text;
  std::string emoji;
  int64_t expiration = 0;  ///< Unix seconds; 0 = never
  bool empty() const noexcept { return text.empty() && emoji.empty(); }
};

/// The emoji a status with text but no emoji shows (Slack's default, 💬).
inline constexpr const char* default_status_emoji = ":speech_balloon:";

/// The named fields of a status update; a field left out keeps its value.
struct status_change {
  std::optional<std::string> text;
  std::optional<std::string> emoji;
  std::optional<int64_t> expiration; ///< Unix seconds; 0 = never
  bool empty() const noexcept { return !text && !emoji && !expiration; }
};

/// `current` with `change` merged in, as Slack's users.profile.set does: while the text is
/// non-empty an empty emoji becomes `default_status_emoji`; empty text and emoji clear the whole
/// status, its expiration included. Pure: the caller validates the result.
custom_status merge_status(custom_status current, const status_change& change);

/// Everything the log says about one user, as of `last_seq`. A pure fold of the user's stream:
/// the live actor and a replay hold byte-identical values for the same events.
struct user_state {
  std::string id;
  std::vector<connection_info> connections;  ///< open connections, oldest first
  timestamp_us last_activity = 0;  ///< newest logged activity over all connections (opens count)
  bool auto_away = false;          ///< an `away` event was logged since the last activity
  manual_mode manual = manual_mode::automatic;
  timestamp_us manual_until = 0;   ///< µs; 0 = no expiry
  custom_status status;
  int64_t idle_timeout = 0;        ///< seconds; 0 = the workspace default
  bool auto_away_enabled = true;
  sequence last_seq = 0;           ///< newest event folded in
  uint64_t event_count = 0;        ///< events folded in (for snapshot cadence and stats)

  bool operator==(const user_state& other) const;
  bool operator!=(const user_state& other) const { return !(*this == other); }
};

bool operator==(const connection_info& a, const connection_info& b);
bool operator==(const custom_status& a, const custom_status& b);

/// Folds one event of this user's stream into `state`. Total: events are facts, so an event that
/// does not fit (a disconnect of an unknown connection, a workspace event) changes only `last_seq`
/// and `event_count` (workspace events change nothing). Never reads a clock. An empty `state.id`
/// takes the event's stream, so a replay may start from a default-constructed state.
void apply(user_state& state, const event& ev);

} // namespace presence::events
