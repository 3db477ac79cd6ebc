#include "supervisor.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "connection_limit.hpp"
#include "directory.hpp"
#include "presence/events/time.hpp"
#include "protocol.hpp"
#include "token_hash.hpp"
#include "workspace_commands.hpp"

namespace presence::actors {

namespace {

using events::event_type;

struct supervisor_state {
  static constexpr const char* name = "supervisor";

  journal_handle journal;
  events::workspace_state workspace;
  std::function<events::timestamp_us()> clock;
  connection_limit connections;
  token_index tokens;
  std::vector<caf::actor> directories;
  std::vector<workspace_listener> broadcasters;
  bool replica = false;
};

using supervisor_actor = supervisor_handle::stateful_pointer<supervisor_state>;

/// Builds the reply once the event is applied (so it can read the new state).
using reply_builder = std::function<caf::message()>;

events::timestamp_us system_now() {
  return events::to_timestamp(events::wall_clock_now());
}

events::event workspace_event(const supervisor_state& st, events::payload body,
                              const origin& from) {
  events::event ev;
  ev.ts = st.clock();
  ev.stream = std::string{events::workspace_stream};
  ev.by = from.by.empty() ? std::string{events::system_actor} : from.by;
  ev.via = from.via;
  ev.token_id = from.token_id;
  ev.address = from.address;
  ev.body = std::move(body);
  return ev;
}

// --- announcements: what the rest of the engine must learn after an event is applied --------
// The directory shards are untyped actors, which a typed actor reaches with `anon_send` (CAF
// 0.17); they do not answer these.

void push_context(supervisor_actor self) {
  const auto& ws = self->state.workspace;
  for (const auto& shard : self->state.directories)
    caf::anon_send(shard, context_atom::value, directory_context(ws),
               ws.settings.activity_log_interval);
}

engine::service_state service_of(const supervisor_state& st) {
  return engine::service_state{st.workspace.service_enabled, st.connections.count(),
                               st.workspace.settings.connection_limit,
                               st.workspace.service_enabled ? std::string{}
                                                            : st.workspace.disabled_reason,
                               st.connections.local()};
}

void push_service(supervisor_actor self) {
  push_context(self);
  for (const auto& shard : self->state.broadcasters)
    self->send(shard, service_atom::value, service_of(self->state));
}

void push_settings(supervisor_actor self) {
  push_context(self);
  for (const auto& shard : self->state.broadcasters)
    self->send(shard, settings_atom::value, self->state.workspace.settings);
}

void push_user(supervisor_actor self, const std::string& id) {
  const auto& users = self->state.workspace.users;
  auto i = users.find(id);
  if (i == users.end())
    return;
  std::vector<events::user_record> one{events::to_record(i->first, i->second)};
  for (const auto& shard : self->state.directories)
    caf::anon_send(shard, users_atom::value, one);
}

/// Sends broadcaster shard 0 (which knows every subscriber) `user`'s profile for `user_change`.
void push_profile(supervisor_actor self, const std::string& user,
                  const events::custom_status& status) {
  const auto& users = self->state.workspace.users;
  auto i = users.find(user);
  if (i == users.end() || self->state.broadcasters.empty())
    return;
  self->send(self->state.broadcasters.front(), profile_atom::value,
             events::to_record(i->first, i->second), status);
}

void apply_and_announce(supervisor_actor self, const events::event& ev) {
  auto& st = self->state;
  events::apply(st.workspace, ev);
  switch (events::type_of(ev.body)) {
    case event_type::user_created:
      push_user(self, std::get<events::user_created>(ev.body).user);
      break;
    case event_type::user_deactivated: {
      const auto& user = std::get<events::user_deactivated>(ev.body).user;
      push_user(self, user);
      push_profile(self, user, {});  // user_change with deleted: true (no status any more)
      break;
    }
    case event_type::always_active_set:
      // A bot has no status: its profile is the flag alone.
      push_profile(self, std::get<events::always_active_set>(ev.body).user, {});
      break;
    case event_type::token_issued: {
      // One insertion, not a rebuild: issuing N tokens must stay O(N log N). Revoked tokens stay
      // indexed (authenticate names them as revoked), so token_revoked needs no index change.
      const auto& issued = std::get<events::token_issued>(ev.body);
      st.tokens.insert_or_assign(issued.hash, issued.id);
      break;
    }
    case event_type::setting_changed:
      push_settings(self);
      break;
    case event_type::service_disabled:
    case event_type::service_enabled:
      push_service(self);
      break;
    default:
      break;
  }
}

// --- writes -----------------------------------------------------------------------------------

void auto_service(supervisor_actor self, service_action action);

/// Appends `ev`, then applies and announces it as stored (sequence assigned, timestamp clamped, so
/// the state equals a replay's), then delivers `reply()` (or the journal's error) to `rp`. The
/// actor awaits the journal: no other message runs in between.
void record(supervisor_actor self, events::event ev, caf::response_promise rp,
            reply_builder reply) {
  std::vector<events::event> batch{std::move(ev)};
  self
    ->request(self->state.journal, caf::infinite, append_atom::value, std::move(batch),
              stored_atom::value)
    .await(
      [self, rp, reply](std::vector<events::event>& stored) mutable {
        auto settings_changed = false;
        for (const auto& applied : stored) {
          apply_and_announce(self, applied);
          settings_changed |= events::type_of(applied.body) == event_type::setting_changed;
        }
        if (rp.pending())
          rp.deliver(reply());
        if (settings_changed) {
          const auto& ws = self->state.workspace;
          auto_service(self, self->state.connections.on_settings(ws.settings, ws.service_enabled));
        }
      },
      [rp](caf::error& err) mutable {
        if (rp.pending())
          rp.deliver(std::move(err));
      });
}

/// Appends what the connection limit decided, by `system`. A failed append changes nothing: the
/// next connection change decides again.
void auto_service(supervisor_actor self, service_action action) {
  auto& st = self->state;
  if (st.replica)
    return;
  switch (action) {
    case service_action::disable:
      record(self,
             workspace_event(st,
                             events::service_disabled{"connection_limit", st.connections.count()},
                             origin{{}, "connection_limit"}),
             {}, [] { return caf::message{}; });
      break;
    case service_action::reenable:
      record(self,
             workspace_event(st, events::service_enabled{}, origin{{}, "auto_reenable_below"}), {},
             [] { return caf::message{}; });
      break;
    case service_action::none:
      break;
  }
}

/// Appends another node's workspace events as they were recorded there, then applies and announces
/// them; replies how many.
caf::response_promise replicate(supervisor_actor self, std::vector<events::event> batch) {
  auto rp = self->make_response_promise();
  for (auto& ev : batch)
    ev.seq = 0;
  self
    ->request(self->state.journal, caf::infinite, append_atom::value, std::move(batch),
              stored_atom::value)
    .await(
      [self, rp](std::vector<events::event>& stored) mutable {
        for (const auto& applied : stored)
          apply_and_announce(self, applied);
        rp.deliver(static_cast<uint64_t>(stored.size()));
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

/// The common shape of an admin request: a planned payload (or its error) is recorded and the
/// reply built after it is applied.
caf::response_promise admin(supervisor_actor self, result<events::payload> planned,
                            const origin& from, reply_builder reply) {
  auto rp = self->make_response_promise();
  if (!planned) {
    rp.deliver(to_caf_error(planned.error()));
    return rp;
  }
  record(self, workspace_event(self->state, std::move(planned.value()), from), rp,
         std::move(reply));
  return rp;
}

caf::message no_reply() {
  return caf::message{};
}

/// A random id with `prefix` that no entry of `taken` has yet.
template <class Map>
result<std::string> fresh_id(std::string_view prefix, const Map& taken) {
  for (;;) {
    auto id = new_random_id(prefix);
    if (!id || taken.count(id.value()) == 0)
      return id;
  }
}

caf::response_promise issue_token(supervisor_actor self, const command::issue_token& cmd) {
  const auto& user = cmd.user;
  auto& ws = self->state.workspace;
  auto rp = self->make_response_promise();
  if (auto st = check_token_owner(ws, user); !st) {
    rp.deliver(to_caf_error(st.error()));
    return rp;
  }
  auto id = fresh_id("T", ws.tokens);
  auto secret = new_token_secret(ws.users.at(user).bot);
  if (!id || !secret) {
    rp.deliver(to_caf_error(!id ? id.error() : secret.error()));
    return rp;
  }
  // Only the hash enters the event; the secret lives in the reply alone.
  events::token_issued body{id.value(), user, sha256_hex(secret.value())};
  issued_token reply{id.value(), user, std::move(secret.value())};
  record(self, workspace_event(self->state, std::move(body), cmd.from), rp,
         [reply] { return caf::make_message(reply); });
  return rp;
}

caf::response_promise enable(supervisor_actor self, const origin& from) {
  auto& st = self->state;
  auto rp = self->make_response_promise();
  if (st.workspace.service_enabled) {
    rp.deliver(caf::unit);
    return rp;
  }
  if (!st.connections.can_enable(st.workspace.settings)) {
    rp.deliver(make_caf_error(errc::connection_limit_exceeded,
                              std::to_string(st.connections.count()) +
                                " open connections, connection_limit " +
                                std::to_string(st.workspace.settings.connection_limit)));
    return rp;
  }
  record(self, workspace_event(st, events::service_enabled{}, from), rp, no_reply);
  return rp;
}

/// Turns the service off by an admin's hand (`service_disabled{"admin"}`); a no-op while off.
caf::response_promise disable(supervisor_actor self, const origin& from) {
  auto& st = self->state;
  auto rp = self->make_response_promise();
  if (!st.workspace.service_enabled) {
    rp.deliver(caf::unit);
    return rp;
  }
  record(self, workspace_event(st, events::service_disabled{"admin", st.connections.count()}, from),
         rp, no_reply);
  return rp;
}

/// Resolves the preset and hands the user's directory shard a `use_preset`, whose answer is the
/// command's. Errors: `unknown_preset`, `invalid_preset` (a presence value with no manual mode).
caf::response_promise apply_preset(supervisor_actor self, command::apply_preset& cmd) {
  auto& st = self->state;
  auto rp = self->make_response_promise();
  auto found = st.workspace.presets.find(cmd.preset_id);
  if (found == st.workspace.presets.end()) {
    rp.deliver(make_caf_error(errc::unknown_preset, cmd.preset_id));
    return rp;
  }
  auto mode = manual_mode_of(found->second);
  if (!mode) {
    rp.deliver(to_caf_error(mode.error()));
    return rp;
  }
  if (st.directories.empty()) {
    rp.deliver(make_caf_error(errc::shutting_down, "no directory shards"));
    return rp;
  }
  const auto& shard = st.directories[user_shard(cmd.user, st.directories.size())];
  rp.delegate(shard, use_preset{std::move(cmd.user), cmd.preset_id, found->second.name, *mode,
                                std::move(cmd.from)});
  return rp;
}

/// Takes the shards and broadcasters and pushes them the state; each shard gets its own users
/// unless `users_known` (the shards were spawned with them).
void attach(supervisor_actor self, std::vector<caf::actor> directories,
            std::vector<workspace_listener> broadcasters, bool users_known) {
  auto& st = self->state;
  st.directories = std::move(directories);
  st.broadcasters = std::move(broadcasters);
  if (!users_known && !st.directories.empty()) {
    std::vector<std::vector<events::user_record>> users(st.directories.size());
    for (const auto& [id, entry] : st.workspace.users)
      users[user_shard(id, users.size())].push_back(events::to_record(id, entry));
    for (std::size_t i = 0; i < users.size(); ++i)
      caf::anon_send(st.directories[i], users_atom::value, std::move(users[i]));
  }
  push_settings(self);
  for (const auto& shard : st.broadcasters)
    self->send(shard, service_atom::value, service_of(st));
}

supervisor_handle::behavior_type supervisor(supervisor_actor self, supervisor_config config) {
  auto& st = self->state;
  st.journal = std::move(config.journal);
  st.workspace = std::move(config.initial);
  st.clock = config.clock ? std::move(config.clock) : system_now;
  st.tokens = index_tokens(st.workspace);
  st.replica = config.replica;
  return {
    [self](attach_atom, std::vector<caf::actor>& directories,
           std::vector<workspace_listener>& broadcasters) {
      attach(self, std::move(directories), std::move(broadcasters), false);
    },
    [self](attach_atom, std::vector<caf::actor>& directories,
           std::vector<workspace_listener>& broadcasters, bool users_known) {
      attach(self, std::move(directories), std::move(broadcasters), users_known);
    },
    [self](profile_atom, const std::string& user, const events::custom_status& status) {
      push_profile(self, user, status);
    },
    [self](const command::user_info& cmd) -> caf::result<events::user_record> {
      const auto& users = self->state.workspace.users;
      auto i = users.find(cmd.user);
      if (i == users.end())
        return make_caf_error(errc::unknown_user, cmd.user);
      return events::to_record(i->first, i->second);
    },
    [self](conn_delta_atom, int64_t delta) {
      auto& st = self->state;
      auto action =
        st.connections.on_delta(delta, st.workspace.settings, st.workspace.service_enabled);
      auto_service(self, action);
    },
    [self](const command::create_user& cmd) -> answer<command::create_user> {
      return admin(self,
                   plan_create_user(self->state.workspace, cmd.id, cmd.name, cmd.admin, cmd.bot),
                   cmd.from, [self, id = cmd.id] {
                     return caf::make_message(
                       events::to_record(id, self->state.workspace.users.at(id)));
                   });
    },
    [self](const command::set_always_active& cmd) -> answer<command::set_always_active> {
      return admin(self,
                   plan_set_always_active(self->state.workspace, cmd.user, cmd.always_active),
                   cmd.from, no_reply);
    },
    [self](const command::deactivate_user& cmd) -> answer<command::deactivate_user> {
      return admin(self, plan_deactivate_user(self->state.workspace, cmd.id), cmd.from, no_reply);
    },
    [self](const command::issue_token& cmd) -> answer<command::issue_token> { return issue_token(self, cmd); },
    [self](const command::revoke_token& cmd) -> answer<command::revoke_token> {
      return admin(self, plan_revoke_token(self->state.workspace, cmd.token_id), cmd.from,
                   no_reply);
    },
    [self](const command::authenticate& cmd) -> caf::result<identity> {
      auto& st = self->state;
      auto hash = sha256_hex(cmd.secret);
      auto user = authenticate(st.workspace, st.tokens, hash);
      if (!user)
        return to_caf_error(user.error());
      return identity{std::move(user.value()), st.tokens.find(hash)->second};
    },
    [self](const command::check_token& cmd) -> caf::result<identity> {
      auto user = token_owner(self->state.workspace, cmd.token_id);
      if (!user)
        return to_caf_error(user.error());
      return identity{std::move(user.value()), cmd.token_id};
    },
    [self](const command::set_setting& cmd) -> answer<command::set_setting> {
      return admin(self, plan_set_setting(self->state.workspace, cmd.key, cmd.value), cmd.from,
                   no_reply);
    },
    [self](caf::get_atom, settings_atom) { return self->state.workspace.settings; },
    [self](const command::create_preset& cmd) -> answer<command::create_preset> {
      auto& ws = self->state.workspace;
      auto id = fresh_id("P", ws.presets);
      if (!id) {
        auto rp = self->make_response_promise();
        rp.deliver(to_caf_error(id.error()));
        return rp;
      }
      return admin(self, plan_create_preset(ws, id.value(), cmd.name, cmd.presence), cmd.from,
                   [self, id = id.value()] {
                     return caf::make_message(self->state.workspace.presets.at(id));
                   });
    },
    [self](const command::update_preset& cmd) -> answer<command::update_preset> {
      return admin(self, plan_update_preset(self->state.workspace, cmd.id, cmd.name, cmd.presence),
                   cmd.from, no_reply);
    },
    [self](const command::delete_preset& cmd) -> answer<command::delete_preset> {
      return admin(self, plan_delete_preset(self->state.workspace, cmd.id), cmd.from, no_reply);
    },
    [self](caf::get_atom, presets_atom) {
      std::vector<events::preset> out;
      for (const auto& kv : self->state.workspace.presets)
        out.push_back(kv.second);
      return out;
    },
    [self](const command::enable_service& cmd) -> answer<command::enable_service> { return enable(self, cmd.from); },
    [self](const command::disable_service& cmd) -> answer<command::disable_service> { return disable(self, cmd.from); },
    [self](caf::get_atom, users_atom, const std::string& after, uint64_t limit) {
      const auto& users = self->state.workspace.users;
      std::vector<events::user_record> out;
      for (auto i = users.upper_bound(after); i != users.end() && out.size() < limit; ++i)
        out.push_back(events::to_record(i->first, i->second));
      return out;
    },
    [self](command::apply_preset& cmd) -> answer<command::apply_preset> {
      return apply_preset(self, cmd);
    },
    [self](caf::get_atom, service_atom) { return service_of(self->state); },
    [self](replicate_atom, std::vector<events::event>& batch) -> caf::result<uint64_t> {
      return replicate(self, std::move(batch));
    },
    [self](peers_atom, uint64_t others) {
      auto& st = self->state;
      auto_service(self, st.connections.on_others(others, st.workspace.settings,
                                                  st.workspace.service_enabled));
    },
  };
}

} // namespace

supervisor_handle spawn_supervisor(caf::actor_system& system, supervisor_config config) {
  return system.spawn(supervisor, std::move(config));
}

} // namespace presence::actors
