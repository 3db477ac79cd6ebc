#pragma once

// The presence-bench verbs. Each prints its figures as JSON lines (report.hpp), the last line a
// summary of the run, and returns the process exit code (0 ok, 1 a failed run).

#include <string>

#include "options.hpp"

namespace presence::bench {

/// Raw RocksDB ceiling, storage::event_log and engine ingest of the same mix.
int run_ingest(const bench_options& options);
/// Raw scans, storage fold and engine rebuild of the same log; then a restart's time to ready.
int run_replay(const bench_options& options, uint64_t restart_users);
/// Time to ready of an engine on a log of `options.users` users, `options.online` left online.
int run_restart(const bench_options& options);
/// Resident bytes per idle user actor with `options.users` users resident.
int run_memory(const bench_options& options);
/// `queries` queries at random past instants of one user with `options.events` events: the
/// engine's answer (checkpoints + tail) beside a full replay of both streams, same log.
int run_history(const bench_options& options, uint64_t queries);
/// The Redis baseline beside the engine ingest, same mix, same run.
int run_redis(const bench_options& options);
/// Write latency (p50/p99/max) through the engine during an online backup against the same
/// writes without one, each phase `phase_seconds` long after a warm-up of half that, on a log of
/// `options.events` earlier events; and the time a flush of what the backup flushed takes alone.
int run_backup_stall(const bench_options& options, double phase_seconds);
/// Writes `options.users` users with one token each into the database at `db_path` and their
/// "id secret" lines into `tokens_file` (a presence-load fixture).
int run_users(const bench_options& options, const std::string& db_path,
              const std::string& tokens_file);

/// "wal" or "fsync".
const char* durability_name(storage::durability sync) noexcept;

} // namespace presence::bench
