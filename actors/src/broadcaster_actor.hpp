#pragma once

// A broadcaster shard's state and the steps its two halves share: private to broadcaster.cpp
// (changes, flushes, the service switch) and broadcaster_subscribe.cpp (subscribers and their
// initial presence).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

#include "broadcaster.hpp"
#include "fanout.hpp"

namespace presence::actors::broadcaster_impl {

/// Where a subscriber's notifications go: a host actor, or a callback called on this thread.
struct sink {
  caf::actor actor;
  callback_sink_ptr callback;
};

struct broadcaster_state {
  static constexpr const char* name = "broadcaster";

  std::size_t index = 0;
  events::workspace_settings settings;
  bool service_enabled = true;
  /// What the supervisor said last: why the service is off (empty while on), the connections and
  /// the limit then.
  engine::service_state service;
  bool flush_armed = false;
  /// When the armed tick timer is due (the grid time, or 1 ms ahead when ticks are shorter).
  caf::actor_clock::time_point tick_due{};
  /// Ticks up to this one (clock time / tick length) are accounted for: flushed, or passed while
  /// nothing was pending.
  int64_t last_tick = 0;
  /// A timer carries the generation it was armed in; a new flush interval starts a new one, so
  /// a tick armed on the old grid is ignored.
  uint64_t timer_generation = 0;
  /// Subscriptions, what each subscriber was told, pending changes and the latest real (not
  /// `disabled`) presence of each subscribed subject (for the resync when the service is back on).
  /// Its phase count is the number of ticks per flush interval.
  fanout table;
  std::unordered_map<subscriber_id, sink> sinks;
  /// user_change (shard 0, which knows every subscriber): per phase, the latest profile of each
  /// user changed since that phase's last flush. Sized `table.phases()`.
  std::vector<std::map<std::string, user_profile>> profiles_pending;
  /// The ids of `sinks` by phase (`table.phase_of`), so a tick visits only its own phase's.
  std::vector<std::vector<subscriber_id>> sinks_by_phase;
  /// The directory shards (`attach_atom`), through which initial presence is read.
  std::vector<caf::actor> directories;
  std::shared_ptr<broadcaster_counters> counters;  ///< may be null
};

using broadcaster_actor = broadcaster_handle::stateful_pointer<broadcaster_state>;

// broadcaster.cpp
/// Sends each batch to its subscriber's sink.
void send_batches(broadcaster_actor self, std::vector<presence_batch> batches);
/// Starts the flush timer unless one is already running.
void arm_flush(broadcaster_actor self);
/// Tells one sink whether the service is on.
void tell_service_status(broadcaster_actor self, const sink& to, bool enabled);

// broadcaster_profiles.cpp
/// Holds `profile` for every phase's next flush (replacing an older one of the same user) and
/// arms the flush timer.
void publish_profile(broadcaster_actor self, user_profile profile);
/// Sends each subscriber of the phases in `mask` one `user_change` note with what its phase
/// holds, and empties those phases.
void flush_profiles(broadcaster_actor self, uint64_t mask);
/// Whether a profile waits for some phase.
bool profiles_waiting(const broadcaster_state& st) noexcept;

// broadcaster_subscribe.cpp
/// Adds `id`'s sink (`sinks`, `sinks_by_phase`); false when it is there already.
bool add_sink(broadcaster_state& st, subscriber_id id, sink to);
/// Removes `id`'s sink from `sinks` and `sinks_by_phase`.
void remove_sink(broadcaster_state& st, subscriber_id id);
/// Registers subscriber `id` with its sink and owner (`invalid_argument` when known already).
caf::error add_subscriber(broadcaster_actor self, subscriber_id id, sink to, std::string owner);
/// `(subscribe_atom, id, subjects)` (broadcaster.hpp): answered when the initial reads are in.
caf::response_promise replace_subjects(broadcaster_actor self, subscriber_id id,
                                       const std::vector<std::string>& subjects);
/// `(subscribe_atom, id, sink, subjects)`: `replace_subjects`, registering `id` first when this
/// shard does not know it yet and it has subjects here.
caf::response_promise register_and_replace(broadcaster_actor self, subscriber_id id, sink to,
                                           const std::vector<std::string>& subjects);

} // namespace presence::actors::broadcaster_impl
