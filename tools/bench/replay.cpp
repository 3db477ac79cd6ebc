// presence-bench replay and restart: raw scans, the storage fold and the engine's cold rebuild of
// the same log; then time to ready after a "crash" with users left online.
#include <algorithm>
#include <unordered_map>

#include "engine_paths.hpp"
#include "presence/events/user_state.hpp"
#include "raw_rocksdb.hpp"
#include "report.hpp"
#include "verbs.hpp"
#include "workload.hpp"

namespace presence::bench {

namespace {

result<std::unique_ptr<storage::event_log>> open_log(const std::string& path,
                                                     storage::open_mode mode) {
  storage::open_options open;
  open.path = path;
  open.mode = mode;
  return storage::event_log::open(open);
}

/// Writes users, then the mix, and flushes: the log every replay path reads.
status write_replay_fixture(const std::string& path, const bench_options& options) {
  auto log = open_log(path, storage::open_mode::read_write);
  if (!log)
    return log.error();
  if (auto users = append_users(**log, options.users, options.batch); !users)
    return users;
  if (auto mix = append_mix(**log, options.users, options.events, options.batch); !mix)
    return mix;
  return (*log)->flush();
}

/// Writes users, an epoch, `online` users connected in it, and flushes: a crashed server's log.
status write_restart_fixture(const std::string& path, uint64_t users, uint64_t online,
                             std::size_t batch) {
  auto log = open_log(path, storage::open_mode::read_write);
  if (!log)
    return log.error();
  if (auto created = append_users(**log, users, batch); !created)
    return created;
  if (auto epoch = (*log)->start_epoch(now_us()); !epoch)
    return epoch.error();
  if (auto connected = append_online(**log, std::min(online, users), batch); !connected)
    return connected;
  return (*log)->flush();
}

struct fold_figures {
  uint64_t events = 0;
  uint64_t users = 0;
  double seconds = 0;
};

/// Decodes the whole global log through event_log::read_range and folds every user event into
/// its user's state: the single-threaded storage + domain replay.
result<fold_figures> storage_fold(const std::string& path) {
  auto log = open_log(path, storage::open_mode::read_only);
  if (!log)
    return log.error();
  std::unordered_map<std::string, events::user_state> states;
  fold_figures figures;
  stopwatch clock;
  auto read = (*log)->read_range(1, (*log)->last_sequence(), [&](const events::event& ev) {
    ++figures.events;
    if (ev.stream != events::workspace_stream)
      events::apply(states[ev.stream], ev);
    return true;
  });
  if (!read)
    return read.error();
  figures.seconds = clock.seconds();
  figures.users = states.size();
  return figures;
}

nlohmann::json raw_line(const char* family, const raw_figures& figures) {
  return {{"bench", "replay"}, {"path", std::string{"raw_scan_"} + family},
          {"records", figures.records}, {"bytes", figures.bytes}, {"seconds", figures.seconds},
          {"events_per_s", per_second(figures.records, figures.seconds)}};
}

/// Builds the restart fixture and times engine::open on it; nullopt figures without the engine.
result<engine_figures> measure_restart(const bench_options& options, uint64_t users,
                                       nlohmann::json& line) {
  scratch_dir scratch{"presence-bench-restart"};
  if (options.keep)
    scratch.keep();
  stopwatch fixture_clock;
  if (auto written = write_restart_fixture(scratch.sub("db"), users, options.online, options.batch);
      !written)
    return written.error();
  line = {{"bench", "restart"}, {"users", users}, {"online", std::min(options.online, users)},
          {"fixture_s", fixture_clock.seconds()}};
  auto restarted = engine_restart(scratch.sub("db"), options);
  if (!restarted)
    return restarted.error();
  line["restart_ready_s"] = restarted->open_s;
  return restarted;
}

} // namespace

int run_replay(const bench_options& options, uint64_t restart_users) {
  scratch_dir scratch{"presence-bench-replay"};
  if (options.keep)
    scratch.keep();
  const std::string db = scratch.sub("db");
  stopwatch fixture_clock;
  if (auto written = write_replay_fixture(db, options); !written)
    return fail("replay fixture", written.error());
  const double fixture_s = fixture_clock.seconds();
  // Every pass below reads the same compacted log: otherwise the first pass that opens the
  // database for writing (the engine's) shares the 2 cores with the compaction that the
  // fixture's level-0 files trigger, while the read-only passes before it run alone.
  auto compacted = raw_compact(db);
  if (!compacted)
    return fail("compaction of the fixture", compacted.error());
  emit({{"bench", "replay"}, {"path", "fixture"}, {"users", options.users},
        {"events", options.events}, {"seconds", fixture_s}, {"compact_s", compacted->seconds},
        {"disk_bytes", directory_bytes(db)}});

  evict_from_page_cache(db);
  auto raw_log = raw_scan(db, "log");
  if (!raw_log)
    return fail("raw scan of log", raw_log.error());
  emit(raw_line("log", *raw_log));
  evict_from_page_cache(db);
  auto raw_streams = raw_scan(db, "streams");
  if (!raw_streams)
    return fail("raw scan of streams", raw_streams.error());
  emit(raw_line("streams", *raw_streams));
  // The ceiling is the faster of the two scans (the engine reads `streams`, one prefix per user).
  const double raw_rate = std::max(per_second(raw_log->records, raw_log->seconds),
                                   per_second(raw_streams->records, raw_streams->seconds));

  evict_from_page_cache(db);
  auto folded = storage_fold(db);
  if (!folded)
    return fail("storage fold", folded.error());
  const double fold_rate = per_second(folded->events, folded->seconds);
  emit({{"bench", "replay"}, {"path", "event_log_fold"}, {"events", folded->events},
        {"users", folded->users}, {"seconds", folded->seconds}, {"events_per_s", fold_rate},
        {"ratio_to_raw", ratio(fold_rate, raw_rate)}});

  nlohmann::json summary = {{"bench", "replay"}, {"durability", durability_name(options.sync)},
                            {"users", options.users}, {"events", options.events}};
  summary["raw_events_per_s"] = raw_rate;
  summary["event_log_events_per_s"] = fold_rate;
  summary["engine_events_per_s"] = nullptr;
  summary["ratio"] = nullptr;
  summary["restart_ready_s"] = nullptr;
  if (options.engine) {
    evict_from_page_cache(db);
    auto rebuilt = engine_load_all(db, options.users, options);
    if (!rebuilt)
      return fail("engine rebuild", rebuilt.error());
    // Every mix event is folded by exactly one user actor; the workspace stream is replayed
    // inside open (reported as open_s).
    const double engine_rate = per_second(options.events, rebuilt->seconds);
    emit({{"bench", "replay"}, {"path", "engine"}, {"events", options.events},
          {"users_rebuilt", rebuilt->acknowledged}, {"failed", rebuilt->failed},
          {"first_error", rebuilt->first_error}, {"open_s", rebuilt->open_s},
          {"seconds", rebuilt->seconds}, {"events_per_s", engine_rate}});
    summary["engine_events_per_s"] = engine_rate;
    summary["ratio"] = ratio(engine_rate, raw_rate);
    summary["errors"] = rebuilt->failed;
    if (restart_users > 0) {
      nlohmann::json line;
      auto restarted = measure_restart(options, restart_users, line);
      if (!restarted)
        return fail("restart", restarted.error());
      emit(line);
      summary["restart_ready_s"] = restarted->open_s;
      summary["restart_users"] = restart_users;
      summary["restart_online"] = std::min(options.online, restart_users);
    }
  }
  emit(summary);
  return summary.value("errors", 0) != 0 ? 1 : 0;
}

int run_restart(const bench_options& options) {
  if (!options.engine) {
    emit({{"bench", "restart"}, {"error", "engine unavailable"}});
    return 1;
  }
  nlohmann::json line;
  auto restarted = measure_restart(options, options.users, line);
  if (!restarted)
    return fail("restart", restarted.error());
  emit(line);
  return 0;
}

int run_memory(const bench_options& options) {
  if (!options.engine) {
    emit({{"bench", "memory"}, {"error", "engine unavailable"}});
    return 1;
  }
  scratch_dir scratch{"presence-bench-memory"};
  if (options.keep)
    scratch.keep();
  {
    auto log = open_log(scratch.sub("db"), storage::open_mode::read_write);
    if (!log)
      return fail("memory fixture", log.error());
    if (auto users = append_users(**log, options.users, options.batch); !users)
      return fail("memory fixture", users.error());
  }
  auto loaded = engine_load_all(scratch.sub("db"), options.users, options);
  if (!loaded)
    return fail("memory", loaded.error());
  const int64_t grown = static_cast<int64_t>(loaded->rss_after) -
                        static_cast<int64_t>(loaded->rss_before);
  const double per_user =
    options.users == 0 ? 0.0 : static_cast<double>(grown) / static_cast<double>(options.users);
  emit({{"bench", "memory"}, {"path", "engine"}, {"rss_before", loaded->rss_before},
        {"rss_after", loaded->rss_after}, {"resident_users", loaded->acknowledged},
        {"failed", loaded->failed}, {"first_error", loaded->first_error},
        {"seconds", loaded->seconds}});
  emit({{"bench", "memory"}, {"users", options.users},
        {"bytes_per_user_actor", static_cast<int64_t>(per_user)}});
  return loaded->failed == 0 ? 0 : 1;
}

} // namespace presence::bench
