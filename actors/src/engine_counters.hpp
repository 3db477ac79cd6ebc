#pragma once

// Monitoring counters the engine's actors bump and `engine::stats` reads: relaxed atomics, so a
// scrape never waits on an actor and an actor never waits on a scrape. Private to the actors
// module.

#include <atomic>
#include <cstdint>

#include "presence/actors/engine.hpp"
#include "presence/actors/histogram.hpp"

namespace presence::actors {

/// The journal's counters (journal.cpp writes, the engine reads).
struct journal_counters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> failed_writes{0};
  std::atomic<uint64_t> events{0};
  atomic_histogram batch_events{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}};
  atomic_histogram write_us{latency_bounds_us()};
  atomic_histogram commit_us{latency_bounds_us()};
};

/// The broadcaster shards' counters (broadcaster.cpp writes, the engine reads).
struct broadcaster_counters {
  /// How long after its due time a flush tick ran (the actor clock's and scheduler's delay).
  atomic_histogram tick_late_us{latency_bounds_us()};
  /// How long one tick's flush took: the fan-out's batches and handing them to their sinks.
  atomic_histogram flush_us{latency_bounds_us()};
};

/// Every counter of one engine.
struct engine_counters {
  std::atomic<uint64_t> users_resident{0};  ///< directory shards: +1 spawn, -1 stop
  std::atomic<uint64_t> user_restarts{0};   ///< directory shards: a crashed actor respawned
  std::atomic<uint64_t> user_timers_armed{0};  ///< user actors: deadline timers started
  journal_counters journal;
  broadcaster_counters broadcast;

  engine_stats snapshot() const;
};

} // namespace presence::actors
