#pragma once

// The user actor (docs/design.md §4): one per user, spawned on demand by its directory shard.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "loader.hpp"
#include "protocol.hpp"

namespace presence::actors {

struct engine_counters; // engine_counters.hpp

/// What every user actor of one engine shares (one immutable instance, held by pointer so that a
/// resident actor costs one pointer for it).
struct user_env {
  journal_handle journal;                      ///< appends (the `stored_atom` form)
  std::vector<loader_handle> loaders;          ///< reads; a user always uses the same one
  /// Reads of past instants (`query` with `at`), apart from the loaders that rebuild users;
  /// empty = the loaders serve them too (tests).
  std::vector<loader_handle> history_readers;
  std::shared_ptr<history_gate> history_limit;  ///< bounds those reads; null = unbounded
  user_reports supervisor;                     ///< receives conn_delta; may be null (tests)
  std::vector<change_sink> broadcasters;       ///< by `user_shard`; may be empty (tests)
  std::function<events::timestamp_us()> clock; ///< µs since the epoch; null = system clock
  std::chrono::milliseconds passivate_after{60000};
  uint64_t snapshot_every = 1000;            ///< events between snapshots; 0 = never
  uint64_t epoch = 0;                        ///< the server epoch new connections belong to
  std::shared_ptr<engine_counters> counters; ///< monitoring; may be null (tests)
  /// Fault injection for tests; null (off) by default, and the engine never sets it. Called with
  /// each event the journal stored for a user, just before the actor applies it: a hook that
  /// throws makes the actor's handler throw in the middle of a command, as a bug would. The
  /// command's caller then gets CAF's `runtime_error` (`shutting_down` through the facade), the
  /// actor stops (CAF's exception handler) and its directory shard restarts it from the log,
  /// where the stored event is.
  std::function<void(const events::event&)> before_apply;

  /// The current instant from `clock`.
  events::timestamp_us now() const;
  /// The loader serving `user`.
  const loader_handle& loader_for(const std::string& user) const;
};

/// Spawns the actor of `user` (whose id the directory validated). Before serving anything it
/// rebuilds its state from the log (snapshot + tail, via the loader) — messages wait meanwhile;
/// a failed load stops it with that error. Then, per command (protocol.hpp), in arrival order and
/// one at a time: validate -> append to the journal -> apply the stored events -> notify the
/// subject's broadcaster shard (presence, status, manual changes) and the supervisor
/// (conn_delta) -> reply `unit` or the error (`invalid_*`, `expiration_in_past`,
/// `unknown_connection`, journal errors; nothing is applied when the append fails).
/// Should applying throw (see `user_env::before_apply`), the caller gets CAF's `runtime_error` and
/// the exception stops the actor (the shard restarts it from the log); requests queued behind it
/// get CAF's `request_receiver_down`. Both read as `shutting_down` (errors.hpp).
/// Activity is logged only when `should_log_activity` says so (else `unit` without a write).
/// It keeps one timer at `next_deadline` and logs `due_events` (by `system`) when it fires; it
/// writes a snapshot every `snapshot_every` events. Asked `(passivate_atom)` by its shard (which
/// forwarded nothing to it for `passivate_after`), it answers `(quiescent_atom, user,
/// commands_handled)` when it has no connection and no deadline; the shard stops it when nothing
/// is in flight. `commands_handled` counts every command and query it got.
caf::actor spawn_user(caf::actor_system& system, std::string user,
                      std::shared_ptr<const user_env> env, events::presence_context context,
                      int64_t activity_log_interval, caf::actor directory);

} // namespace presence::actors
