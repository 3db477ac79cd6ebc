#include "broadcaster.hpp"

#include "broadcaster_actor.hpp"

#include <chrono>
#include <map>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_clock.hpp>

#include "engine_counters.hpp"
#include "fanout.hpp"
#include "protocol.hpp"

namespace presence::actors {

namespace broadcaster_impl {

using events::presence_value;

namespace {

/// Sends `note` to the sink: a message to an actor, or a direct call of a callback.
void deliver(const sink& to, notification note) {
  if (to.callback)
    (*to.callback)(note);
  else // a typed actor sends to an untyped one anonymously (CAF 0.17); sinks need no sender
    caf::anon_send(to.actor, std::move(note));
}

/// What a manual mode looks like to its owner's own clients.
presence_value manual_view(events::manual_mode mode) noexcept {
  switch (mode) {
    case events::manual_mode::away:
      return presence_value::away;
    case events::manual_mode::busy:
      return presence_value::busy;
    case events::manual_mode::invisible:
      return presence_value::offline;
    case events::manual_mode::automatic:
      break;
  }
  return presence_value::online;
}

void send_to(broadcaster_actor self, subscriber_id id, notification note) {
  auto i = self->state.sinks.find(id);
  if (i != self->state.sinks.end())
    deliver(i->second, std::move(note));
}

} // namespace

void send_batches(broadcaster_actor self, std::vector<presence_batch> batches) {
  for (auto& batch : batches) {
    notification note;
    note.type = notification::kind::presence_change;
    note.presence = batch.presence;
    note.users = std::move(batch.users);
    send_to(self, batch.subscriber, std::move(note));
  }
}

namespace {

/// The length of one tick: `flush_interval_ms` / `flush_phases` of the actor clock (> 0).
caf::actor_clock::duration_type tick_length(const broadcaster_state& st) {
  auto interval = std::chrono::duration_cast<caf::actor_clock::duration_type>(
    std::chrono::milliseconds(st.settings.flush_interval_ms));
  return std::max(interval / st.table.phases(), caf::actor_clock::duration_type{1});
}

/// `d` in whole microseconds, 0 when negative.
uint64_t micros(caf::actor_clock::duration_type d) noexcept {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return us < 0 ? 0 : static_cast<uint64_t>(us);
}

/// The tick the actor clock is in now.
int64_t current_tick(broadcaster_actor self) {
  return static_cast<int64_t>(self->clock().now().time_since_epoch() / tick_length(self->state));
}

/// Arms the timer for the end of tick `st.last_tick`, at least 1 ms ahead when ticks are shorter
/// than that (`flush_interval_ms` < `flush_phases`): the late tick then flushes every phase it
/// passed, so a change may wait up to one interval + 1 ms there.
void arm_next_tick(broadcaster_actor self) {
  auto& st = self->state;
  const auto length = tick_length(st);
  const auto due = caf::actor_clock::time_point{length * (st.last_tick + 1)};
  auto delay = std::max(due - self->clock().now(), caf::actor_clock::duration_type::zero());
  const auto shortest = std::chrono::duration_cast<caf::actor_clock::duration_type>(
    std::chrono::milliseconds(1));
  if (length < shortest)
    delay = std::max(delay, shortest);
  st.flush_armed = true;
  st.tick_due = self->clock().now() + delay;
  self->delayed_send(self, delay, caf::tick_atom::value, st.timer_generation);
}

} // namespace

/// Starts the flush timer unless one is already running. Timers run only while changes wait.
/// Ticks fall on a grid of the actor clock shared by every shard (`flush_phases` ticks per
/// `flush_interval_ms`); tick t flushes the subscribers of phase `t % flush_phases`, so each
/// subscriber is flushed by every shard at the same tick (its session merges the shards' notes
/// into one frame per presence value), and an interval's deliveries leave in `flush_phases`
/// smaller bursts instead of one. A subscriber is flushed once per interval and a change waits
/// at most one interval, except: a tick that runs late flushes every phase it passed (those
/// subscribers' next flush then comes less than an interval later), and a new interval flushes
/// everything at once.
void arm_flush(broadcaster_actor self) {
  auto& st = self->state;
  if (st.flush_armed)
    return;
  st.last_tick = current_tick(self);  // idle until now: earlier ticks had nothing to flush
  arm_next_tick(self);
}

namespace {

/// The phases of ticks `after` + 1 .. `upto`.
uint64_t phases_between(int64_t after, int64_t upto, const fanout& table) {
  if (upto - after >= static_cast<int64_t>(table.phases()))
    return table.all_phases();
  uint64_t mask = 0;
  for (int64_t tick = after + 1; tick <= upto; ++tick)
    mask |= uint64_t{1} << static_cast<uint32_t>(tick % table.phases());
  return mask;
}

/// Flushes, in one pass, the phases of every tick that ended since the last one (one, unless
/// this shard ran late), then re-arms while changes wait.
void flush(broadcaster_actor self) {
  auto& st = self->state;
  st.flush_armed = false;
  const auto started = self->clock().now();
  const int64_t now = current_tick(self);
  if (now > st.last_tick) {
    const auto mask = phases_between(st.last_tick, now, st.table);
    // Presence waits while the service is off (nothing is pending then); profiles do not.
    if (st.service_enabled)
      send_batches(self, st.table.flush_phases(mask));
    flush_profiles(self, mask);
    if (st.counters) {
      st.counters->tick_late_us.observe(micros(started - st.tick_due));
      st.counters->flush_us.observe(micros(self->clock().now() - started));
    }
  }
  st.last_tick = now;  // also when early: the clock never runs backwards within a generation
  if ((st.service_enabled && st.table.has_pending()) || profiles_waiting(st))
    arm_next_tick(self);
}

/// A new flush interval is a new tick grid: what waits goes now, and the armed tick (due on the
/// old grid, possibly far later than the new interval) is disowned.
void change_interval(broadcaster_actor self) {
  auto& st = self->state;
  ++st.timer_generation;
  st.flush_armed = false;
  if (st.service_enabled)
    send_batches(self, st.table.flush());
  flush_profiles(self, st.table.all_phases());
}

void drop_subscriber(broadcaster_state& st, subscriber_id id) {
  st.table.remove(id);
  remove_sink(st, id);
}

} // namespace

void tell_service_status(broadcaster_actor self, const sink& to, bool enabled) {
  notification note;
  note.type = notification::kind::presence_service_status;
  note.service_enabled = enabled;
  if (!enabled)
    note.reason = self->state.service.reason;
  note.connections = self->state.service.connections;
  note.limit = self->state.service.limit;
  deliver(to, std::move(note));
}

namespace {

void set_service(broadcaster_actor self, engine::service_state service) {
  auto& st = self->state;
  auto enabled = service.enabled;
  st.service = std::move(service);
  if (enabled == st.service_enabled)
    return;
  st.service_enabled = enabled;
  if (st.index == 0)
    for (const auto& kv : st.sinks)
      tell_service_status(self, kv.second, enabled);
  if (!enabled) {
    st.table.drop_pending();
    return;
  }
  // Clients showed every presence as disabled: resend the latest known value of every subject.
  if (st.table.resend_known())
    arm_flush(self);
}

/// Buffers `user`'s new presence for the next flush.
void publish(broadcaster_actor self, const std::string& user, presence_value value) {
  auto& st = self->state;
  if (st.table.publish(user, value, st.service_enabled) && st.service_enabled)
    arm_flush(self);
}

/// Sends `user_status_changed` to the subscribers of `user` at once.
void status_changed(broadcaster_actor self, const std::string& user,
                    const events::custom_status& status) {
  for (auto id : self->state.table.subscribers_of(user)) {
    notification note;
    note.type = notification::kind::user_status_changed;
    note.users = {user};
    note.status = status;
    send_to(self, id, std::move(note));
  }
}

/// Sends `manual_presence_change` to the subscribers owned by `user` at once.
void manual_changed(broadcaster_actor self, const std::string& user, events::manual_mode mode) {
  for (auto id : self->state.table.owned_by(user)) {
    notification note;
    note.type = notification::kind::manual_presence_change;
    note.presence = manual_view(mode);
    note.users = {user};
    send_to(self, id, std::move(note));
  }
}

broadcaster_handle::behavior_type broadcaster(broadcaster_actor self, broadcaster_config config) {
  self->state.index = config.index;
  self->state.table = fanout{config.flush_phases};
  self->state.settings = config.settings;
  self->state.service_enabled = config.service_enabled;
  self->state.counters = std::move(config.counters);
  self->set_down_handler([self](const caf::down_msg& down) {
    std::vector<subscriber_id> dead;
    for (const auto& kv : self->state.sinks)
      if (kv.second.actor && kv.second.actor.address() == down.source)
        dead.push_back(kv.first);
    for (auto id : dead)
      drop_subscriber(self->state, id);
  });
  return {
    [self](subscribe_atom, subscriber_id id, const caf::actor& actor,
           std::string& owner) -> caf::result<void> {
      if (!actor)
        return make_caf_error(errc::invalid_argument, "subscriber without a sink");
      if (auto refused = add_subscriber(self, id, sink{actor, nullptr}, std::move(owner)))
        return refused;
      self->monitor(actor);
      return caf::unit;
    },
    [self](subscribe_atom, subscriber_id id, const callback_sink_ptr& callback,
           std::string& owner) -> caf::result<void> {
      if (!callback)
        return make_caf_error(errc::invalid_argument, "subscriber without a sink");
      if (auto refused = add_subscriber(self, id, sink{nullptr, callback}, std::move(owner)))
        return refused;
      return caf::unit;
    },
    [self](subscribe_atom, subscriber_id id,
           const std::vector<std::string>& subjects) -> caf::result<void> {
      return replace_subjects(self, id, subjects);
    },
    [self](subscribe_atom, subscriber_id id, const caf::actor& actor,
           const std::vector<std::string>& subjects) -> caf::result<void> {
      return register_and_replace(self, id, sink{actor, nullptr}, subjects);
    },
    [self](subscribe_atom, subscriber_id id, const callback_sink_ptr& callback,
           const std::vector<std::string>& subjects) -> caf::result<void> {
      return register_and_replace(self, id, sink{nullptr, callback}, subjects);
    },
    [self](attach_atom, std::vector<caf::actor>& directories) {
      self->state.directories = std::move(directories);
    },
    [self](unsubscribe_atom, subscriber_id id) { drop_subscriber(self->state, id); },
    [self](changed_atom, const std::string& user, uint8_t changes, presence_value value,
           const events::custom_status& status, events::manual_mode mode) {
      if ((changes & change_presence) != 0)
        publish(self, user, value);
      if ((changes & change_status) != 0)
        status_changed(self, user, status);
      if ((changes & change_manual) != 0)
        manual_changed(self, user, mode);
    },
    [self](service_atom, engine::service_state& service) {
      set_service(self, std::move(service));
    },
    [self](profile_atom, events::user_record& user, events::custom_status& status) {
      publish_profile(self, user_profile{std::move(user), std::move(status)});
    },
    [self](settings_atom, const events::workspace_settings& settings) {
      if (settings.flush_interval_ms != self->state.settings.flush_interval_ms)
        change_interval(self);
      self->state.settings = settings;
    },
    [self](caf::tick_atom, uint64_t generation) {
      if (generation == self->state.timer_generation)
        flush(self);
    },
  };
}

} // namespace
} // namespace broadcaster_impl

broadcaster_handle spawn_broadcaster(caf::actor_system& system, broadcaster_config config) {
  return system.spawn(broadcaster_impl::broadcaster, std::move(config));
}

} // namespace presence::actors
