#pragma once

// Loaders: the actors that read the event log for user actors (recovery, past instants) and
// write their snapshots, so that no actor on the shared scheduler ever blocks on RocksDB.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <caf/fwd.hpp>

#include "presence/storage/event_log.hpp"
#include "protocol.hpp"

namespace presence::actors {

/// Bounds the reads of past instants queued or running on the history loaders: the directory
/// enters before it asks one, the loader leaves when it answered. Thread-safe.
class history_gate {
 public:
  /// At most `limit` reads at once.
  explicit history_gate(std::size_t limit) : limit_(limit) {}
  /// Takes a place; false (nothing taken) when `limit` reads are already under way.
  bool try_enter() {
    if (pending_.fetch_add(1) < limit_)
      return true;
    pending_.fetch_sub(1);
    return false;
  }
  void leave() { pending_.fetch_sub(1); }
  std::size_t pending() const { return pending_.load(); }

 private:
  std::size_t limit_;
  std::atomic<std::size_t> pending_{0};
};

/// Folded events past which a read of a past instant stores a checkpoint of what it rebuilt, so
/// that the next read near that instant starts there (storage/history.hpp).
inline constexpr uint64_t history_checkpoint_after = 1000;

/// Spawns a loader over `log` (shared with the journal; event_log reads are thread-safe).
/// Protocol (`loader_handle`, protocol.hpp):
/// - `(load_atom, user) -> events::user_state`: snapshot + tail (`storage::recover_user`).
/// - `(load_atom, user, timestamp_us at) -> events::presence_view`: the presence at instant `at`,
///   under the workspace context in force then: both streams from their newest checkpoint at or
///   before `at` plus their events up to `at` (`storage::user_state_at`, `storage::context_at`);
///   a fold longer than `history_checkpoint_after` events stores a checkpoint of its result.
///   Then leaves `gate` (when given): the history loaders answer these reads only.
/// - `(snapshot_atom, events::user_state)`: stores a snapshot; fire and forget (a failure is
///   logged: snapshots are an optimisation only).
/// Errors: `corrupt_record` naming the key, `storage_failure`.
/// `detached` = true runs it on its own thread (the engine); false on the scheduler (tests on the
/// test coordinator).
loader_handle spawn_loader(caf::actor_system& system, std::shared_ptr<storage::event_log> log,
                           bool detached = true, std::shared_ptr<history_gate> gate = {});

} // namespace presence::actors
