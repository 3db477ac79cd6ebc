#include "presence/events/user_state.hpp"

#include <algorithm>
#include <type_traits>

namespace presence::events {

bool operator==(const connection_info& a, const connection_info& b) {
  return a.id == b.id && a.client == b.client && a.epoch == b.epoch
         && a.opened_at == b.opened_at && a.last_activity == b.last_activity;
}

bool operator==(const custom_status& a, const custom_status& b) {
  return a.text == b.text && a.emoji == b.emoji && a.expiration == b.expiration;
}

custom_status merge_status(custom_status current, const status_change& change) {
  if (change.text)
    current.text = *change.text;
  if (change.emoji)
    current.emoji = *change.emoji;
  if (change.expiration)
    current.expiration = *change.expiration;
  if (current.text.empty() && current.emoji.empty())
    return custom_status{};
  if (!current.text.empty() && current.emoji.empty())
    current.emoji = default_status_emoji;
  return current;
}

bool user_state::operator==(const user_state& other) const {
  return id == other.id && connections == other.connections
         && last_activity == other.last_activity && auto_away == other.auto_away
         && manual == other.manual && manual_until == other.manual_until
         && status == other.status && idle_timeout == other.idle_timeout
         && auto_away_enabled == other.auto_away_enabled && last_seq == other.last_seq
         && event_count == other.event_count;
}

namespace {

auto find_connection(user_state& state, const std::string& id) {
  return std::find_if(state.connections.begin(), state.connections.end(),
                      [&](const connection_info& c) { return c.id == id; });
}

/// Folds one payload. Workspace payloads never reach here (filtered by `apply`).
struct user_fold {
  user_state& state;
  timestamp_us ts;

  void operator()(const connected& p) const {
    // A reopened id replaces the old entry and moves to the end: connections stay oldest first.
    if (auto it = find_connection(state, p.conn); it != state.connections.end())
      state.connections.erase(it);
    state.connections.push_back(connection_info{p.conn, p.client, p.epoch, ts, ts});
    state.last_activity = ts;
    state.auto_away = false;
  }
  void operator()(const disconnected& p) const {
    if (auto it = find_connection(state, p.conn); it != state.connections.end())
      state.connections.erase(it);
  }
  void operator()(const activity& p) const {
    state.last_activity = ts;
    state.auto_away = false;
    if (auto it = find_connection(state, p.conn); it != state.connections.end())
      it->last_activity = ts;
  }
  void operator()(const away&) const { state.auto_away = true; }
  void operator()(const presence_set& p) const {
    state.manual = p.mode;
    state.manual_until = p.mode == manual_mode::automatic ? 0 : p.until;
  }
  void operator()(const presence_expired&) const {
    state.manual = manual_mode::automatic;
    state.manual_until = 0;
  }
  void operator()(const status_set& p) const {
    state.status = custom_status{p.text, p.emoji, p.expiration};
  }
  void operator()(const status_expired&) const { state.status = custom_status{}; }
  // Folds as status_set{text} followed by presence_set{mode} would.
  void operator()(const preset_applied& p) const {
    state.status = custom_status{p.text, {}, 0};
    state.manual = p.mode;
    state.manual_until = 0;
  }
  void operator()(const preferences_set& p) const {
    state.idle_timeout = p.idle_timeout;
    state.auto_away_enabled = p.auto_away;
    if (!p.auto_away)
      state.auto_away = false;
  }
  template <class WorkspacePayload>
  void operator()(const WorkspacePayload&) const {}
};

} // namespace

void apply(user_state& state, const event& ev) {
  if (!is_user_event(type_of(ev.body)))
    return;
  if (state.id.empty())
    state.id = ev.stream;
  std::visit(user_fold{state, ev.ts}, ev.body);
  state.last_seq = ev.seq;
  ++state.event_count;
}

} // namespace presence::events
