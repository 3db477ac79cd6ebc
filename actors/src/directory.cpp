#include "directory.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

#include <caf/all.hpp>

#include "engine_counters.hpp"
#include "errors.hpp"
#include "protocol.hpp"

namespace presence::actors {

namespace {

/// A user actor this shard runs, how many messages it forwarded to it, and when it last did.
struct resident {
  caf::actor actor;
  uint64_t forwarded = 0;
  events::timestamp_us last_forward = 0;
};

struct directory_state {
  std::shared_ptr<const user_env> env;
  std::size_t index = 0;
  std::size_t shards = 1;
  storage::user_flags users; ///< id -> active
  std::unordered_map<std::string, resident> residents;
  events::presence_context context;
  int64_t activity_log_interval = 30;
  static inline const char* name = "presence.directory";
};

using directory_actor = caf::stateful_actor<directory_state>;

/// Adds `delta` to the engine's count of resident user actors (when it keeps one).
void count_residents(const directory_state& st, int64_t delta) {
  if (st.env->counters)
    st.env->counters->users_resident.fetch_add(static_cast<uint64_t>(delta),
                                               std::memory_order_relaxed);
}

resident& spawn_resident(directory_actor* self, const std::string& user) {
  auto& st = self->state;
  count_residents(st, +1);
  auto actor = spawn_user(self->system(), user, st.env, st.context, st.activity_log_interval,
                          caf::actor_cast<caf::actor>(self));
  self->monitor(actor);
  auto& entry = st.residents[user];
  entry = resident{std::move(actor), 0, st.env->now()};
  return entry;
}

/// The user's actor (spawned when needed), or why the command is refused (a deactivated user's
/// unless `allow_inactive`).
caf::expected<resident*> route(directory_actor* self, const std::string& user,
                               bool allow_inactive = false) {
  auto& st = self->state;
  auto known = st.users.find(user);
  if (known == st.users.end())
    return make_caf_error(errc::unknown_user, user);
  if (!known->second && !allow_inactive)
    return make_caf_error(errc::user_deactivated, user);
  auto found = st.residents.find(user);
  if (found != st.residents.end())
    return &found->second;
  return &spawn_resident(self, user);
}

/// Answers a query at a past instant from a history loader, without the user's actor: reading
/// the past neither spawns user actors nor waits behind the loaders that rebuild them. `busy`
/// when the history loaders have `history_gate`'s limit of reads under way.
void ask_history(directory_actor* self, const command::query& cmd) {
  auto promise = self->make_response_promise();
  auto& st = self->state;
  auto known = st.users.find(cmd.user);
  if (known == st.users.end()) {
    promise.deliver(make_caf_error(errc::unknown_user, cmd.user));
    return;
  }
  if (!known->second) {
    promise.deliver(make_caf_error(errc::user_deactivated, cmd.user));
    return;
  }
  const auto& env = *st.env;
  if (env.history_readers.empty()) {
    promise.delegate(env.loader_for(cmd.user), load_atom::value, cmd.user,
                     events::to_timestamp(*cmd.at));
    return;
  }
  if (env.history_limit && !env.history_limit->try_enter()) {
    promise.deliver(make_caf_error(errc::busy, "too many reads of past presence under way"));
    return;
  }
  const auto& reader =
    env.history_readers[std::hash<std::string>{}(cmd.user) % env.history_readers.size()];
  promise.delegate(reader, load_atom::value, cmd.user, events::to_timestamp(*cmd.at));
}

/// Forwards the current request, a command for `cmd.user`, to that user's actor, or answers it
/// with the refusal.
template <class Command>
void forward(directory_actor* self, Command& cmd) {
  if constexpr (std::is_same_v<Command, command::query>) {
    if (cmd.at) {
      ask_history(self, cmd);
      return;
    }
  }
  auto promise = self->make_response_promise();
  // A deactivated user's disconnect still goes through: the connection must end in the log, or
  // it would stay open there and in the workspace's connection count.
  auto target = route(self, cmd.user, std::is_same_v<Command, command::disconnect>);
  if (!target) {
    promise.deliver(std::move(target.error()));
    return;
  }
  ++(*target)->forwarded;
  (*target)->last_forward = self->state.env->now();
  promise.delegate((*target)->actor, std::move(cmd));
}

/// A message handler that forwards every request among the alternatives of a variant that a user
/// actor serves.
template <class... Ts>
caf::message_handler forward_each(directory_actor* self, std::variant<Ts...>*) {
  caf::message_handler out;
  auto add = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    if constexpr (routed_to_user<T>)
      out = out.or_else([self](T& cmd) { forward(self, cmd); });
  };
  (add(static_cast<Ts*>(nullptr)), ...);
  return out;
}

void on_down(directory_actor* self, const caf::down_msg& down) {
  auto& st = self->state;
  // A linear search: only a crashed actor gets here (passivated ones are demonitored first), and
  // an index from address to id would cost every resident user memory.
  auto found = std::find_if(st.residents.begin(), st.residents.end(), [&](const auto& entry) {
    return entry.second.actor.address() == down.source;
  });
  if (found == st.residents.end())
    return;
  auto user = found->first;
  st.residents.erase(found);
  count_residents(st, -1);
  // A failed load is not retried in a loop; any other abnormal stop is a crash: rebuild now.
  bool load_failure = down.reason && down.reason.category() == error_category();
  if (down.reason && down.reason != caf::exit_reason::user_shutdown && !load_failure) {
    if (st.env->counters)
      st.env->counters->user_restarts.fetch_add(1, std::memory_order_relaxed);
    spawn_resident(self, user);
  }
}

/// How often a shard looks for residents idle for `passivate_after`.
std::chrono::microseconds sweep_interval(const user_env& env) {
  auto quarter = std::chrono::duration_cast<std::chrono::microseconds>(env.passivate_after) / 4;
  return std::max<std::chrono::microseconds>(quarter, std::chrono::milliseconds{10});
}

/// Asks every resident idle since `passivate_after` whether it may stop; re-arms itself. One timer
/// per shard instead of one per idle user actor.
void sweep(directory_actor* self) {
  auto& st = self->state;
  auto now = st.env->now();
  auto idle_for = std::chrono::duration_cast<std::chrono::microseconds>(st.env->passivate_after);
  for (const auto& [user, entry] : st.residents)
    if (now - entry.last_forward >= idle_for.count())
      self->send(entry.actor, passivate_atom::value);
  self->delayed_send(self, sweep_interval(*st.env), passivate_atom::value);
}

/// Whether `id` belongs to this shard.
bool owns(const directory_state& st, std::string_view id) {
  return user_shard(id, st.shards) == st.index;
}

/// Adds or updates `id` when it belongs to this shard.
void learn_one(directory_state& st, std::string id, bool active) {
  if (owns(st, id))
    st.users[std::move(id)] = active;
}

/// Keeps the records that belong to this shard.
void learn(directory_actor* self, const std::vector<events::user_record>& records) {
  auto& st = self->state;
  if (records.size() > 1) // a bulk load; reserving for single records could shrink the table
    st.users.reserve(st.users.size() + records.size());
  for (const auto& record : records)
    learn_one(st, record.id, record.active);
}

caf::behavior directory(directory_actor* self, std::shared_ptr<const user_env> env,
                        directory_config config) {
  auto& st = self->state;
  st.env = std::move(env);
  st.context = config.context;
  st.activity_log_interval = config.activity_log_interval;
  st.index = config.index;
  st.shards = config.shards == 0 ? 1 : config.shards;
  st.users = std::move(config.users);
  for (auto it = st.users.begin(); it != st.users.end();) // another shard's users are dropped
    it = owns(st, it->first) ? std::next(it) : st.users.erase(it);
  self->set_down_handler([=](const caf::down_msg& down) { on_down(self, down); });
  self->delayed_send(self, sweep_interval(*st.env), passivate_atom::value);
  // A stopping shard stops its user actors with it (they hold nothing that is not in the log).
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    for (auto& [user, entry] : self->state.residents) {
      self->demonitor(entry.actor);
      self->send_exit(entry.actor, msg.reason);
    }
    count_residents(self->state, -static_cast<int64_t>(self->state.residents.size()));
    self->state.residents.clear();
    self->quit(msg.reason);
  });
  auto commands = forward_each(self, static_cast<engine::request*>(nullptr))
                    .or_else(forward_each(self, static_cast<internal_message*>(nullptr)));
  return commands.or_else(
    [=](users_atom, const std::vector<events::user_record>& records) { learn(self, records); },
    [=](context_atom a, const events::presence_context& ctx, int64_t activity_log_interval) {
      auto& state = self->state;
      state.context = ctx;
      state.activity_log_interval = activity_log_interval;
      for (auto& [user, entry] : state.residents)
        self->send(entry.actor, a, ctx, activity_log_interval);
    },
    [=](passivate_atom) { sweep(self); },
    [=](quiescent_atom, const std::string& user, uint64_t commands_handled) {
      auto& state = self->state;
      auto found = state.residents.find(user);
      if (found == state.residents.end() || found->second.forwarded != commands_handled)
        return; // a command is in flight: the actor stays
      auto actor = std::move(found->second.actor);
      state.residents.erase(found);
      count_residents(state, -1);
      self->demonitor(actor);
      self->send_exit(actor, caf::exit_reason::user_shutdown);
    },
    [=](caf::get_atom, users_atom) { return static_cast<uint64_t>(self->state.residents.size()); },
    [=](caf::get_atom, const std::string& user) -> caf::result<caf::actor> {
      auto found = self->state.residents.find(user);
      if (found == self->state.residents.end())
        return make_caf_error(errc::unknown_user, user + " is not resident");
      return found->second.actor;
    });
}

} // namespace

caf::actor spawn_directory(caf::actor_system& system, std::shared_ptr<const user_env> env,
                           directory_config config) {
  return system.spawn(directory, std::move(env), std::move(config));
}

} // namespace presence::actors
