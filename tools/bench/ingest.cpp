// presence-bench ingest: the same event mix through raw RocksDB, storage::event_log and the engine.
#include <iostream>
#include <utility>

#include "engine_paths.hpp"
#include "raw_rocksdb.hpp"
#include "report.hpp"
#include "verbs.hpp"
#include "workload.hpp"

namespace presence::bench {

const char* durability_name(storage::durability sync) noexcept {
  return sync == storage::durability::fsync ? "fsync" : "wal";
}

namespace {

result<std::unique_ptr<storage::event_log>> open_log(const std::string& path,
                                                     storage::durability sync) {
  storage::open_options open;
  open.path = path;
  open.sync = sync;
  return storage::event_log::open(open);
}

/// CPU µs per event (process CPU, all threads), 0 without events.
double cpu_us_per_event(double cpu_seconds, uint64_t events) {
  return events == 0 ? 0 : cpu_seconds * 1e6 / static_cast<double>(events);
}

/// Appends the mix through event_log::append, `batch` events per call, timed (encoding included):
/// wall and CPU seconds.
result<std::pair<double, double>> storage_ingest(const std::string& path,
                                                 const bench_options& options) {
  auto log = open_log(path, options.sync);
  if (!log)
    return log.error();
  if (auto users = append_users(**log, options.users, options.batch); !users)
    return users.error();
  auto mix = make_events(options.users, options.events, now_us(), (*log)->current_epoch());
  std::vector<events::event> batch;
  stopwatch clock;
  for (std::size_t first = 0; first < mix.size(); first += options.batch) {
    std::size_t last = std::min(mix.size(), first + options.batch);
    batch.assign(std::make_move_iterator(mix.begin() + first),
                 std::make_move_iterator(mix.begin() + last));
    if (auto appended = (*log)->append(batch); !appended)
      return appended.error();
  }
  return std::make_pair(clock.seconds(), clock.cpu_seconds());
}

} // namespace

int run_ingest(const bench_options& options) {
  const char* sync = durability_name(options.sync);
  scratch_dir scratch{"presence-bench-ingest"};
  if (options.keep)
    scratch.keep();

  double raw_rate = 0;
  double storage_rate = 0;
  double raw_cpu_us = 0;
  if (!options.engine_only) {
    auto mix = make_events(options.users, options.events, now_us(), 1);
    auto raw = raw_ingest(scratch.sub("raw"), mix, options.sync, options.batch);
    if (!raw)
      return fail("raw ingest", raw.error());
    mix.clear();
    mix.shrink_to_fit();
    raw_rate = per_second(raw->records, raw->seconds);
    raw_cpu_us = cpu_us_per_event(raw->cpu_seconds, raw->records);
    emit({{"bench", "ingest"}, {"path", "raw_rocksdb"}, {"durability", sync},
          {"events", raw->records}, {"seconds", raw->seconds}, {"events_per_s", raw_rate},
          {"cpu_s", raw->cpu_seconds}, {"cpu_us_per_event", raw_cpu_us},
          {"bytes_written", raw->bytes}, {"batch", options.batch}});

    auto stored = storage_ingest(scratch.sub("storage"), options);
    if (!stored)
      return fail("storage ingest", stored.error());
    storage_rate = per_second(options.events, stored->first);
    emit({{"bench", "ingest"}, {"path", "event_log"}, {"durability", sync},
          {"events", options.events}, {"seconds", stored->first}, {"events_per_s", storage_rate},
          {"cpu_s", stored->second},
          {"cpu_us_per_event", cpu_us_per_event(stored->second, options.events)},
          {"ratio_to_raw", ratio(storage_rate, raw_rate)}, {"batch", options.batch}});
  }

  nlohmann::json summary = {{"bench", "ingest"}, {"durability", sync}, {"users", options.users},
                            {"events", options.events}};
  if (options.engine) {
    // The users exist before the clock starts (written through the storage fixture).
    const std::string engine_db = scratch.sub("engine");
    events::sequence fixture_seq = 0;
    {
      auto log = open_log(engine_db, options.sync);
      if (!log)
        return fail("engine fixture", log.error());
      if (auto users = append_users(**log, options.users, options.batch); !users)
        return fail("engine fixture", users.error());
      fixture_seq = (*log)->last_sequence();
    }
    auto driven = engine_ingest(engine_db, options);
    if (!driven)
      return fail("engine ingest", driven.error());
    // What the engine really logged (its start adds an epoch_started): read back after shutdown.
    auto reopened = open_log(engine_db, options.sync);
    if (!reopened)
      return fail("engine log read-back", reopened.error());
    const uint64_t logged = (*reopened)->last_sequence() - fixture_seq;
    reopened->reset();
    const double engine_rate = per_second(driven->acknowledged, driven->seconds);
    const double engine_cpu_us = cpu_us_per_event(driven->cpu_seconds, options.events);
    emit({{"bench", "ingest"}, {"path", "engine"}, {"durability", sync},
          {"events", driven->acknowledged}, {"failed", driven->failed},
          {"first_error", driven->first_error}, {"seconds", driven->seconds},
          {"events_per_s", engine_rate}, {"cpu_s", driven->cpu_seconds},
          {"cpu_us_per_event", engine_cpu_us}, {"logged_events", logged},
          {"open_s", driven->open_s}, {"window", options.window}});
    summary["engine_cpu_us_per_event"] = engine_cpu_us;
    // Raw CPU per event over the engine's: the ratio a machine with idle cores would approach.
    summary["cpu_ratio"] = options.engine_only ? nlohmann::json(nullptr)
                                               : nlohmann::json(ratio(raw_cpu_us, engine_cpu_us));
    summary["engine_events_per_s"] = engine_rate;
    summary["raw_events_per_s"] = options.engine_only ? nlohmann::json(nullptr) : nlohmann::json(raw_rate);
    summary["ratio"] = options.engine_only ? nlohmann::json(nullptr) : nlohmann::json(ratio(engine_rate, raw_rate));
    summary["errors"] = driven->failed;
  } else {
    summary["engine_events_per_s"] = nullptr;
    summary["raw_events_per_s"] = raw_rate;
    summary["ratio"] = nullptr;
  }
  summary["event_log_events_per_s"] = storage_rate;
  emit(summary);
  return summary.contains("errors") && summary["errors"] != 0 ? 1 : 0;
}

} // namespace presence::bench
