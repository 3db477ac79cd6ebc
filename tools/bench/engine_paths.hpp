#pragma once

// The engine side of each benchmark: the same work through presence::engine (user actors,
// journal, broadcasters), on a database prepared by the storage-level fixture writers.

#include <cstdint>
#include <string>

#include "options.hpp"
#include "presence/actors/engine.hpp"
#include "presence/events/result.hpp"
#include "workload.hpp"

namespace presence::bench {

/// The outcome of driving commands through the engine.
struct engine_figures {
  uint64_t acknowledged = 0;  ///< commands answered with success
  uint64_t failed = 0;        ///< commands answered with an error
  double open_s = 0;          ///< engine::open until it returned; restart: until the first 64
                              ///< users were answered (ready)
  double seconds = 0;         ///< the timed phase
  double cpu_seconds = 0;     ///< process CPU (all threads) during the timed phase
  uint64_t rss_before = 0;    ///< memory: resident bytes before the timed phase
  uint64_t rss_after = 0;
  std::string first_error;    ///< describe() of the first failure, if any
  uint64_t deliveries = 0;    ///< count_deliveries: users in presence_change notifications
  double deliver_seconds = 0; ///< count_deliveries: from the first command to the last delivery
};

/// The engine configuration every path uses: `options.sync`, no passivation during a run, long
/// request timeouts.
engine_config bench_engine_config(const std::string& db_path, const bench_options& options);

/// The engine request of one command of the mix.
engine::request request_for(const op& next);

/// Opens an engine on `db_path` (whose users exist) and drives the first `options.events`
/// commands of the mix, each user's commands in order, at most `options.window` in flight, every
/// one acknowledged before the clock stops. With `options.count_deliveries`, subscribers cover
/// every user first, and the users of every presence_change they receive are counted until
/// deliveries stop for two flush intervals.
[[nodiscard]] result<engine_figures> engine_ingest(const std::string& db_path,
                                                   const bench_options& options);

/// Opens an engine on `db_path` and makes every one of `users` users resident (a query of each,
/// `options.window` ids in flight): a cold rebuild of each user from its stream (replay), or the
/// resident cost of idle user actors (memory, with rss_before/rss_after around it).
[[nodiscard]] result<engine_figures> engine_load_all(const std::string& db_path, uint64_t users,
                                                     const bench_options& options);

/// Times engine::open on `db_path` until it returns ready, then shuts down.
[[nodiscard]] result<engine_figures> engine_restart(const std::string& db_path,
                                                    const bench_options& options);

} // namespace presence::bench
