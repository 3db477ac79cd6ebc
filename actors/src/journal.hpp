#pragma once

// The journal (docs/design.md §3, §4): the one writer of the event log, with group commit.

#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>

#include "presence/storage/event_log.hpp"

namespace presence::actors {

struct journal_counters;  // engine_counters.hpp

/// How the journal runs.
struct journal_config {
  std::size_t max_batch = 4096;  ///< events per write at most (a larger single request is one write)
  /// true: its own thread (`caf::detached`), as the engine runs it, since writes block.
  /// false: on the scheduler, so tests on CAF's test coordinator can drive it deterministically.
  bool detached = true;
  /// Where it counts requests, writes, events and their histograms; null = its own private set.
  std::shared_ptr<journal_counters> counters;
};

/// Spawns the journal, which owns the log's write side (the log must be open read_write).
/// Protocol (protocol.hpp):
/// - `(append_atom, std::vector<event>) -> sequence`: the first sequence of the request's events.
/// - `(append_atom, std::vector<event>, stored_atom) -> std::vector<event>`: the events as stored.
/// - `(get_atom, stats_atom) -> (writes, events, requests)` (also in `config.counters`).
/// Group commit with no added latency: what has arrived is written at once; requests arriving
/// during a write queue in the mailbox and are written together as ONE `event_log::append` (up to
/// `max_batch` events). Every reply is sent only after its write returned; a failed write answers
/// every requester of that batch with the error (`read_only`, `disk_full`, `storage_failure`), and
/// nothing of it is stored. An empty request is answered `invalid_argument`.
caf::actor spawn_journal(caf::actor_system& system, std::shared_ptr<storage::event_log> log,
                         journal_config config);

} // namespace presence::actors
