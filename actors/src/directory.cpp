#include "directory.hpp"

#include <string>
#include <unordered_map>
#include <utility>

#include <caf/all.hpp>

#include "errors.hpp"
#include "protocol.hpp"

namespace presence::actors {

std::size_t directory_shard(std::string_view user, std::size_t shards) noexcept {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : user) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(hash % shards);
}

namespace {

/// A user actor this shard runs, and how many messages it forwarded to it.
struct resident {
  caf::actor actor;
  uint64_t forwarded = 0;
};

struct directory_state {
  std::shared_ptr<const user_env> env;
  std::unordered_map<std::string, bool> users;  ///< id -> active
  std::unordered_map<std::string, resident> residents;
  std::unordered_map<caf::actor_addr, std::string> ids;  ///< resident actor -> user id
  events::presence_context context;
  int64_t activity_log_interval = 30;
  static inline const char* name = "presence.directory";
};

using directory_actor = caf::stateful_actor<directory_state>;

resident& spawn_resident(directory_actor* self, const std::string& user) {
  auto& st = self->state;
  auto actor = spawn_user(self->system(), user, st.env, st.context, st.activity_log_interval,
                          caf::actor_cast<caf::actor>(self));
  self->monitor(actor);
  st.ids[actor.address()] = user;
  auto& entry = st.residents[user];
  entry = resident{std::move(actor), 0};
  return entry;
}

/// The user's actor (spawned when needed), or why the command is refused.
caf::expected<resident*> route(directory_actor* self, const std::string& user) {
  auto& st = self->state;
  auto known = st.users.find(user);
  if (known == st.users.end())
    return make_caf_error(errc::unknown_user, user);
  if (!known->second)
    return make_caf_error(errc::user_deactivated, user);
  auto found = st.residents.find(user);
  if (found != st.residents.end())
    return &found->second;
  return &spawn_resident(self, user);
}

/// Forwards the current request to `user`'s actor, or answers it with the refusal.
template <class... Ts>
void forward(directory_actor* self, const std::string& user, Ts&&... xs) {
  auto promise = self->make_response_promise();
  auto target = route(self, user);
  if (!target) {
    promise.deliver(std::move(target.error()));
    return;
  }
  ++(*target)->forwarded;
  promise.delegate((*target)->actor, std::forward<Ts>(xs)...);
}

void on_down(directory_actor* self, const caf::down_msg& down) {
  auto& st = self->state;
  auto id = st.ids.find(down.source);
  if (id == st.ids.end())
    return;
  auto user = std::move(id->second);
  st.ids.erase(id);
  auto found = st.residents.find(user);
  if (found == st.residents.end() || found->second.actor.address() != down.source)
    return;
  st.residents.erase(found);
  // A failed load is not retried in a loop; any other abnormal stop is a crash: rebuild now.
  bool load_failure = down.reason && down.reason.category() == error_category();
  if (down.reason && down.reason != caf::exit_reason::user_shutdown && !load_failure)
    spawn_resident(self, user);
}

caf::behavior directory(directory_actor* self, std::shared_ptr<const user_env> env,
                        directory_config config) {
  auto& st = self->state;
  st.env = std::move(env);
  st.context = config.context;
  st.activity_log_interval = config.activity_log_interval;
  for (auto& record : config.users)
    st.users[record.id] = record.active;
  self->set_down_handler([=](const caf::down_msg& down) { on_down(self, down); });
  // A stopping shard stops its user actors with it (they hold nothing that is not in the log).
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    for (auto& [user, entry] : self->state.residents) {
      self->demonitor(entry.actor);
      self->send_exit(entry.actor, msg.reason);
    }
    self->state.residents.clear();
    self->state.ids.clear();
    self->quit(msg.reason);
  });
  return {
    [=](connect_atom a, const std::string& user, const std::string& conn,
        const std::string& client, const std::string& by, const std::string& via) {
      forward(self, user, a, user, conn, client, by, via);
    },
    [=](disconnect_atom a, const std::string& user, const std::string& conn,
        events::disconnect_reason reason, const std::string& by, const std::string& via) {
      forward(self, user, a, user, conn, reason, by, via);
    },
    [=](activity_atom a, const std::string& user, const std::string& conn, const std::string& by,
        const std::string& via) { forward(self, user, a, user, conn, by, via); },
    [=](set_presence_atom a, const std::string& user, events::manual_mode mode,
        events::timestamp_us until, const std::string& by, const std::string& via) {
      forward(self, user, a, user, mode, until, by, via);
    },
    [=](set_status_atom a, const std::string& user, const std::string& text,
        const std::string& emoji, int64_t expiration, const std::string& by,
        const std::string& via) { forward(self, user, a, user, text, emoji, expiration, by, via); },
    [=](set_prefs_atom a, const std::string& user, int64_t idle_timeout, bool auto_away,
        const std::string& by, const std::string& via) {
      forward(self, user, a, user, idle_timeout, auto_away, by, via);
    },
    [=](query_atom a, const std::string& user) { forward(self, user, a, user); },
    [=](query_atom a, const std::string& user, events::timestamp_us at) {
      forward(self, user, a, user, at);
    },
    [=](users_atom, const std::vector<events::user_record>& records) {
      for (const auto& record : records)
        self->state.users[record.id] = record.active;
    },
    [=](context_atom a, const events::presence_context& ctx, int64_t activity_log_interval) {
      auto& state = self->state;
      state.context = ctx;
      state.activity_log_interval = activity_log_interval;
      for (auto& [user, entry] : state.residents)
        self->send(entry.actor, a, ctx, activity_log_interval);
    },
    [=](quiescent_atom, const std::string& user, uint64_t commands_handled) {
      auto& state = self->state;
      auto found = state.residents.find(user);
      if (found == state.residents.end() || found->second.forwarded != commands_handled)
        return;  // a command is in flight: the actor stays
      auto actor = std::move(found->second.actor);
      state.residents.erase(found);
      state.ids.erase(actor.address());
      self->demonitor(actor);
      self->send_exit(actor, caf::exit_reason::user_shutdown);
    },
    [=](caf::get_atom, users_atom) {
      return static_cast<uint64_t>(self->state.residents.size());
    },
    [=](caf::get_atom, const std::string& user) -> caf::result<caf::actor> {
      auto found = self->state.residents.find(user);
      if (found == self->state.residents.end())
        return make_caf_error(errc::unknown_user, user + " is not resident");
      return found->second.actor;
    },
  };
}

} // namespace

caf::actor spawn_directory(caf::actor_system& system, std::shared_ptr<const user_env> env,
                           directory_config config) {
  return system.spawn(directory, std::move(env), std::move(config));
}

} // namespace presence::actors
