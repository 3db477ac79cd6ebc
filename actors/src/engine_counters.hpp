#pragma once

// Monitoring counters the engine's actors bump and `engine::stats` reads: relaxed atomics, so a
// scrape never waits on an actor and an actor never waits on a scrape. Private to the actors
// module.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "presence/actors/engine.hpp"

namespace presence::actors {

/// A fixed-bucket histogram of non-negative integer observations (events, microseconds) that any
/// thread may update and read. A snapshot taken during updates may be off by the updates in
/// flight, never torn within one counter.
class atomic_histogram {
 public:
  /// `bounds` ascending; an observation lands in the first bucket whose bound is >= it.
  explicit atomic_histogram(std::vector<uint64_t> bounds);

  void observe(uint64_t value) noexcept;
  /// The counts, with bounds and sum multiplied by `scale` (1e-6 turns µs into seconds).
  histogram snapshot(double scale = 1.0) const;

 private:
  std::vector<uint64_t> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  ///< bounds_.size() + 1
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> count_{0};
};

/// The journal's counters (journal.cpp writes, the engine reads).
struct journal_counters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> failed_writes{0};
  std::atomic<uint64_t> events{0};
  atomic_histogram batch_events{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}};
  atomic_histogram write_us{{50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
                             250000, 1000000}};
  atomic_histogram commit_us{{50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
                              250000, 1000000}};
};

/// The broadcaster shards' counters (broadcaster.cpp writes, the engine reads).
struct broadcaster_counters {
  /// How long after its due time a flush tick ran (the actor clock's and scheduler's delay).
  atomic_histogram tick_late_us{{100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
                                 250000, 1000000}};
  /// How long one tick's flush took: the fan-out's batches and handing them to their sinks.
  atomic_histogram flush_us{{50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
                             250000, 1000000}};
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
