#include "user.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <caf/all.hpp>

#include "broadcaster.hpp"
#include "engine_counters.hpp"
#include "errors.hpp"
#include "message_dispatch.hpp"
#include "presence/events/time.hpp"
#include "protocol.hpp"
#include "user_actor.hpp"

namespace presence::actors {

using events::payload;
using events::timestamp_us;

events::timestamp_us user_env::now() const {
  if (clock)
    return clock();
  return events::to_timestamp(events::wall_clock_now());
}

const loader_handle& user_env::loader_for(const std::string& user) const {
  return loaders[std::hash<std::string>{}(user) % loaders.size()];
}

namespace {

/// Longest single timer; a later deadline is re-armed when this one fires (keeps CAF's clock
/// arithmetic far from overflow for expiries years ahead).
constexpr timestamp_us max_timer_us = 24LL * 3600 * 1'000'000;

} // namespace

namespace user_impl {

/// (See `timer_armed`.) Passivation needs no timer here: the directory shard sweeps its idle
/// residents.
void schedule(user_actor* self, timestamp_us now) {
  auto& st = self->state;
  auto next = events::next_deadline(st.user, st.ctx, now);
  st.timer_deadline = next.value_or(0);
  if (!next || (st.timer_armed != 0 && st.timer_armed <= *next))
    return;
  st.timer_armed = *next;
  auto delay = std::clamp<timestamp_us>(*next - now, 0, max_timer_us);
  self->delayed_send(self, std::chrono::microseconds{delay}, timer_atom::value, *next);
  if (st.env->counters)
    st.env->counters->user_timers_armed.fetch_add(1, std::memory_order_relaxed);
}

void deliver_ok(caf::response_promise& promise) {
  if (promise.pending())
    promise.deliver(caf::unit);
}

} // namespace user_impl

namespace {

using user_impl::schedule;

/// Tells the broadcaster shard and the supervisor what the events just applied changed, given the
/// state's status, manual mode and connection count before them.
void notify(user_actor* self, const events::custom_status& status_before,
            events::manual_mode manual_before, std::size_t connections_before, timestamp_us now) {
  auto& st = self->state;
  const auto& env = *st.env;
  auto after = events::evaluate(st.user, st.ctx, now);
  if (!env.broadcasters.empty()) {
    uint8_t changes = 0;
    if (after.presence != st.told)
      changes |= change_presence;
    if (!(st.user.status == status_before))
      changes |= change_status;
    if (st.user.manual != manual_before)
      changes |= change_manual;
    if (changes != 0) {
      const auto& shard = env.broadcasters[user_shard(st.user.id, env.broadcasters.size())];
      self->send(shard, changed_atom::value, st.user.id, changes, after.presence,
                 (changes & change_status) != 0 ? after.status : events::custom_status{},
                 after.manual);
    }
  }
  // user_change reaches every socket: the supervisor adds the record that Slack's user object needs.
  if (!(st.user.status == status_before) && env.supervisor)
    self->send(env.supervisor, profile_atom::value, st.user.id, after.status);
  st.told = after.presence;
  auto delta =
    static_cast<int64_t>(st.user.connections.size()) - static_cast<int64_t>(connections_before);
  if (delta != 0 && env.supervisor)
    self->send(env.supervisor, conn_delta_atom::value, delta);
}

void deliver_error(caf::response_promise& promise, caf::error err) {
  if (promise.pending())
    promise.deliver(std::move(err));
}

/// Applies events the journal stored, notifies, snapshots when due and re-arms timers.
void apply_stored(user_actor* self, const std::vector<events::event>& stored, timestamp_us now) {
  auto& state = self->state;
  auto status_before = state.user.status;
  auto manual_before = state.user.manual;
  auto connections_before = state.user.connections.size();
  for (const auto& ev : stored) {
    if (state.env->before_apply)
      state.env->before_apply(ev);
    events::apply(state.user, ev);
  }
  notify(self, status_before, manual_before, connections_before, now);
  state.unsnapshotted += stored.size();
  if (state.env->snapshot_every > 0 && state.unsnapshotted >= state.env->snapshot_every) {
    state.unsnapshotted = 0;
    self->send(state.env->loader_for(state.user.id), snapshot_atom::value, state.user);
  }
  schedule(self, now);
}

} // namespace

namespace user_impl {

/// The actor awaits the journal: CAF skips every other message of the user meanwhile.
void commit(user_actor* self, std::vector<payload> bodies, const origin& from, timestamp_us now,
            caf::response_promise promise, std::function<void(caf::response_promise&)> answer) {
  auto& st = self->state;
  auto done = [answer](caf::response_promise& p) {
    if (answer)
      answer(p);
    else
      deliver_ok(p);
  };
  if (bodies.empty()) {
    schedule(self, now);
    done(promise);
    return;
  }
  std::vector<events::event> batch;
  batch.reserve(bodies.size());
  for (auto& body : bodies)
    batch.push_back(events::event{0, now, st.user.id, from.by.empty() ? st.user.id : from.by,
                                  from.via, std::move(body), from.token_id, from.address});
  self
    ->request(st.env->journal, caf::infinite, append_atom::value, std::move(batch),
              stored_atom::value)
    .await(
      [=](std::vector<events::event>& stored) mutable {
        try {
          apply_stored(self, stored, now);
        } catch (const std::exception& e) {
          // The current message is the journal's answer, so CAF's exception handler cannot reach
          // the caller: answer it here, then let the actor die (the shard restarts it).
          deliver_error(promise, caf::make_error(caf::sec::runtime_error, std::string{e.what()}));
          throw;
        } catch (...) {
          deliver_error(promise, caf::make_error(caf::sec::runtime_error, "unknown exception"));
          throw;
        }
        done(promise);
      },
      [=](caf::error& err) mutable {
        schedule(self, now);
        deliver_error(promise, std::move(err));
      });
}

caf::response_promise begin_command(user_actor* self) {
  ++self->state.commands_handled;
  return self->make_response_promise();
}

void reject(user_actor* self, caf::response_promise& promise, errc code, std::string message,
            timestamp_us now) {
  schedule(self, now);
  deliver_error(promise, make_caf_error(code, std::move(message)));
}

} // namespace user_impl

namespace {

using namespace user_impl; // the commands and shared steps, for dispatch below

void on_context(user_actor* self, const events::presence_context& ctx,
                int64_t activity_log_interval) {
  auto& st = self->state;
  st.ctx = ctx;
  st.activity_log_interval = activity_log_interval;
  schedule(self, st.env->now());
}

void on_timer(user_actor* self, events::timestamp_us armed) {
  auto& st = self->state;
  if (armed != st.timer_armed)
    return; // stale: a timer armed after it, for an earlier deadline, took its place
  st.timer_armed = 0;
  if (st.timer_deadline == 0)
    return; // the deadline went away (the user went offline, the expiry was cleared)
  auto now = st.env->now();
  if (st.timer_deadline > now) {
    schedule(self, now); // the deadline moved later since this timer was armed: wait on
    return;
  }
  st.timer_deadline = 0;
  commit(self, events::due_events(st.user, st.ctx, now),
         origin{std::string{events::system_actor}, {}}, now, caf::response_promise{});
}

void on_passivate(user_actor* self) {
  auto& st = self->state;
  if (st.user.connections.empty() && st.timer_deadline == 0)
    self->send(st.directory, quiescent_atom::value, st.user.id, st.commands_handled);
}

/// Every message of a loaded user actor (protocol.hpp) but the plain query goes through this
/// default handler, not through cases of a behavior: each case of a CAF behavior costs every
/// resident actor ~45 bytes (its handler object and match entry live in the actor's own
/// behavior), and idle user actors must stay within 2 KB. The handlers answer through response
/// promises, so the returned (empty) message is never sent. While the actor awaits its loader or
/// the journal, CAF skips every other message before it reaches this handler.
caf::result<caf::message> dispatch(caf::scheduled_actor* base, caf::message_view& msg) {
  auto* self = static_cast<user_actor*>(base);
  const auto& xs = msg.content();
  using ts = events::timestamp_us;
  bool handled = false;
  if (xs.size() > 0 && xs.match_element<caf::atom_value>(0)) {
    const auto atom = xs.get_as<caf::atom_value>(0);
    handled = try_handle<timer_atom, ts>(xs, atom, [self](ts armed) { on_timer(self, armed); }) ||
              try_handle<passivate_atom>(xs, atom, [self] { on_passivate(self); }) ||
              try_handle<context_atom, events::presence_context, int64_t>(
                xs, atom, [self](const events::presence_context& ctx, int64_t interval) {
                  on_context(self, ctx, interval);
                });
  } else {
    handled = handle_command(self, xs);
  }
  if (!handled)
    return caf::sec::unexpected_message;
  return caf::message{};
}

/// CAF stops an actor whose behavior stack is empty, so a loaded user actor keeps a behavior of
/// one case, the most frequent message; `dispatch` serves the rest.
caf::behavior serving(user_actor* self) {
  return {[self](const command::query& cmd) { on(self, cmd); }};
}

caf::behavior user_actor_fn(user_actor* self, std::string user, std::shared_ptr<const user_env> env,
                            events::presence_context context, int64_t activity_log_interval,
                            caf::actor directory) {
  auto& st = self->state;
  st.user.id = user;
  st.env = std::move(env);
  st.ctx = context;
  st.activity_log_interval = activity_log_interval;
  st.directory = std::move(directory);
  self->set_default_handler(dispatch);
  // Nothing is served before the state is rebuilt: `await` holds back every other message.
  self->request(st.env->loader_for(user), caf::infinite, load_atom::value, user)
    .await(
      [=](events::user_state& loaded) {
        auto& state = self->state;
        state.user = std::move(loaded);
        state.user.id = user;
        auto now = state.env->now();
        state.told = events::evaluate(state.user, state.ctx, now).presence;
        schedule(self, now);
      },
      [=](caf::error& err) { self->quit(std::move(err)); });
  return serving(self);
}

} // namespace

caf::actor spawn_user(caf::actor_system& system, std::string user,
                      std::shared_ptr<const user_env> env, events::presence_context context,
                      int64_t activity_log_interval, caf::actor directory) {
  return system.spawn(user_actor_fn, std::move(user), std::move(env), context,
                      activity_log_interval, std::move(directory));
}

} // namespace presence::actors
