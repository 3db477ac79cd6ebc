#pragma once

// Loaders: the actors that read the event log for user actors (recovery, past instants) and
// write their snapshots, so that no actor on the shared scheduler ever blocks on RocksDB.

#include <memory>

#include <caf/fwd.hpp>

#include "presence/storage/event_log.hpp"
#include "protocol.hpp"

namespace presence::actors {

/// Spawns a loader over `log` (shared with the journal; event_log reads are thread-safe).
/// Protocol (`loader_handle`, protocol.hpp):
/// - `(load_atom, user) -> events::user_state`: snapshot + tail (`storage::recover_user`).
/// - `(load_atom, user, timestamp_us at) -> events::presence_view`: the presence at instant `at`,
///   under the workspace context in force then (both streams folded up to `at`)
///   (`storage::replay_user(until = at)`).
/// - `(snapshot_atom, events::user_state)`: stores a snapshot; fire and forget (a failure is
///   logged: snapshots are an optimisation only).
/// Errors: `corrupt_record` naming the key, `storage_failure`.
/// `detached` = true runs it on its own thread (the engine); false on the scheduler (tests on the
/// test coordinator).
loader_handle spawn_loader(caf::actor_system& system, std::shared_ptr<storage::event_log> log,
                           bool detached = true);

} // namespace presence::actors
