#include "presence/events/workspace_state.hpp"

namespace presence::events {

namespace {

/// Folds one workspace payload. User payloads never reach here (filtered by `apply`).
struct workspace_fold {
  workspace_state& state;
  timestamp_us ts;

  // storage::replay_user_flags (storage/src/recovery.cpp) applies the same two user rules to the
  // active flags alone; its test compares the two folds.
  void operator()(const user_created& p) const {
    // An existing id (active or not) keeps its record: creation is not reactivation.
    state.users.try_emplace(p.user, user_entry{p.name, p.admin, true, p.bot, false, ts});
  }
  void operator()(const user_deactivated& p) const {
    if (auto it = state.users.find(p.user); it != state.users.end())
      it->second.active = false;
  }
  void operator()(const token_issued& p) const {
    state.tokens.try_emplace(p.id, token_record{p.id, p.user, p.hash, ts, false});
  }
  void operator()(const token_revoked& p) const {
    if (auto it = state.tokens.find(p.id); it != state.tokens.end())
      it->second.revoked = true;
  }
  void operator()(const setting_changed& p) const {
    // A value that does not validate was never accepted live; the fold stays total.
    (void) set_setting(state.settings, p.key, p.value);
  }
  void operator()(const preset_created& p) const {
    state.presets.try_emplace(p.id, preset{p.id, p.name, p.presence, ts});
  }
  void operator()(const preset_updated& p) const {
    if (auto it = state.presets.find(p.id); it != state.presets.end()) {
      it->second.name = p.name;
      it->second.presence = p.presence;
      it->second.updated_at = ts;
    }
  }
  void operator()(const preset_deleted& p) const { state.presets.erase(p.id); }
  void operator()(const service_disabled& p) const {
    state.service_enabled = false;
    state.disabled_reason = p.reason;
    state.disabled_connections = p.connections;
  }
  void operator()(const service_enabled&) const {
    state.service_enabled = true;
    state.disabled_reason.clear();
    state.disabled_connections = 0;
  }
  void operator()(const epoch_started& p) const { state.epoch = p.epoch; }
  void operator()(const always_active_set& p) const {
    if (auto it = state.users.find(p.user); it != state.users.end() && it->second.bot)
      it->second.always_active = p.always_active;
  }
  template <class UserPayload>
  void operator()(const UserPayload&) const {}
};

} // namespace

user_record to_record(const std::string& id, const user_entry& entry) {
  return user_record{id,       entry.name,       entry.admin, entry.active,
                     entry.created_at, entry.bot, entry.always_active};
}

void apply(workspace_state& state, const event& ev) {
  if (is_user_event(type_of(ev.body)))
    return;
  std::visit(workspace_fold{state, ev.ts}, ev.body);
  state.last_seq = ev.seq;
  ++state.event_count;
}

} // namespace presence::events
