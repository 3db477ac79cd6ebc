#pragma once

// Broadcaster shards (docs/design.md §4): hold subscriptions by subject user, coalesce presence
// changes over `flush_interval_ms` and send `presence::notification` messages to subscriber sinks.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "presence/actors/engine.hpp"
#include "presence/events/workspace_state.hpp"
#include "protocol.hpp"
#include "shard.hpp"

namespace presence::actors {

struct broadcaster_counters;  // engine_counters.hpp

/// A host callback the shards call directly, on their own thread: no actor (and no mailbox) per
/// subscriber. The mutex keeps the callback's contract — one call at a time per subscription —
/// when several shards deliver at once; each shard's calls keep its order. A callback that throws
/// loses that one note and counts it in `failures`: it must not take the shard, and every other
/// subscriber of it, down.
struct callback_sink {
  explicit callback_sink(notification_callback f) : callback(std::move(f)) {}
  void operator()(const notification& note) noexcept {
    std::lock_guard<std::mutex> guard{mutex};
    try {
      callback(note);
    } catch (...) {
      ++failures;
    }
  }
  std::mutex mutex;
  notification_callback callback;
  uint64_t failures = 0;  ///< notes lost to a throwing callback (guarded by `mutex`)
};

/// How a shard starts.
struct broadcaster_config {
  /// This shard's index. Shard 0 is the one that sends `presence_service_status` (every shard
  /// knows every subscriber, so only one of them may tell it).
  std::size_t index = 0;
  events::workspace_settings settings; ///< flush_interval_ms, max_subscription
  bool service_enabled = true;         ///< broadcasts on or off at start
  /// Ticks per flush interval (1..fanout::max_phases): subscriber `id` is flushed at the ticks
  /// where `tick % flush_phases == id % flush_phases`, once per interval, so an interval's
  /// deliveries leave in this many smaller bursts. Every shard of an engine must use the same.
  uint32_t flush_phases = 10;
  /// Where the shard records its tick lateness and flush durations (none: not recorded).
  std::shared_ptr<broadcaster_counters> counters;
};

/// Spawns one broadcaster shard on the shared scheduler. Protocol (protocol.hpp):
/// - `(subscribe_atom, id, sink, owner) -> unit`: registers subscriber `id`; the engine sends it
///   to EVERY shard. The sink is monitored; when it stops, its subscribers are dropped. If the
///   service is off, shard 0 tells the new sink at once. Re-registering a known id:
///   `invalid_argument`.
/// - `(subscribe_atom, id, callback_sink_ptr, owner) -> unit`: the same with a callback, called
///   on the shard's thread (dropped only by `unsubscribe_atom`).
/// - `(attach_atom, std::vector<caf::actor> directory_shards)`: where initial presence is read
///   (`(query_atom, user)`, routed by `user_shard`). Without it no initial presence is sent.
/// - `(subscribe_atom, id, sink, subjects) -> unit` (sink: caf::actor or callback_sink_ptr): as
///   the next form, but a shard that does not know `id` registers it first (without an owner)
///   when `subjects` is not empty, and ignores it when it is. The engine registers a subscriber
///   up front only with shard 0 and its owner's shard; the others learn it when it first
///   subscribes to one of their subjects (an idle connection costs 2 entries, not 4).
/// - `(subscribe_atom, id, subjects) -> unit`: replaces the subscriber's subjects held by this
///   shard (at most `max_subscription`, else `invalid_argument`; unknown id: `invalid_argument`).
///   The newly added subjects are registered first, then their presence is read from their user
///   actors; when every read is in, the subscriber is sent (one `presence_change` per presence
///   value, while the service is on) each latest presence it was not told yet, and the subscribe
///   is answered. A change of a subject after its registration is never lost, and an initial
///   read never overwrites a newer change (broadcaster_subscribe.cpp, `replace_subjects`).
///   Reads have no timer of their own (one per read would fill CAF's clock at high subscribe
///   rates): a read lasts until the user actor answers, or CAF answers for it with an error
///   when it stops; an unknown or deactivated user reads as nothing. The engine's caller times
///   out as usual.
/// - `(unsubscribe_atom, id) -> unit`.
/// - `(changed_atom, user, changes, presence_value, custom_status, manual_mode)` (protocol.hpp),
///   each part that `changes` names, in this order: the presence is buffered per subscriber (at
///   most every `flush_interval_ms` each subscriber gets one `presence_change` per presence value
///   with the subjects whose presence differs from what it was last sent, at its phase's tick:
///   a change waits at most one interval); the status goes to
///   `user`'s subscribers as `user_status_changed` at once; the manual mode goes to subscribers
///   owned by `user` as `manual_presence_change` at once (`presence` is the mode's view:
///   auto->online, away, busy, invisible->offline).
/// - `(profile_atom, user_record, custom_status)` (shard 0, which knows every subscriber): a
///   user's profile changed. Held per phase, the latest of each user replacing older ones; at a
///   phase's tick every subscriber of that phase, whatever its subjects, gets one `user_change`
///   note with the phase's profiles in id order (a change waits at most one interval). Not
///   stopped by the service switch: a status is not presence.
/// - `(service_atom, engine::service_state)`: off drops pending batches and stops presence_change (the
///   reason goes with the status frames); back on resends every subscriber the latest known
///   presence of all its subjects (they were shown `disabled`).
///   Shard 0 sends `presence_service_status` to every sink at once, unbatched.
/// - `(settings_atom, workspace_settings)`: new flush interval and subscription bound.
broadcaster_handle spawn_broadcaster(caf::actor_system& system, broadcaster_config config);

} // namespace presence::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(presence::actors::callback_sink_ptr)
