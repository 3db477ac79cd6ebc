// presence-bench backup-stall: the latency of writes through the engine while an online backup
// runs, against the same writes with no backup, and how long a flush of the events the backup
// flushes takes on its own. What it shows: a backup holds writes up for at most about a flush
// (RocksDB's BackupEngine flushes the memtable, then copies table files while writes go on).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <thread>
#include <vector>

#include "completion_queue.hpp"
#include "engine_paths.hpp"
#include "report.hpp"
#include "verbs.hpp"
#include "workload.hpp"

namespace presence::bench {

namespace {

using clock_type = std::chrono::steady_clock;

/// Latencies of one phase, in microseconds.
struct phase_figures {
  std::vector<double> all_us;
  std::vector<double> during_backup_us; ///< commands sent while the backup ran
  uint64_t commands = 0;
  double seconds = 0;
  double backup_s = 0;
  uint64_t backup_bytes = 0;
  uint64_t sent_before_backup = 0; ///< commands of the phase sent before the backup began
};

double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

nlohmann::json latency_json(const std::vector<double>& us) {
  const double max = us.empty() ? 0 : *std::max_element(us.begin(), us.end());
  return {{"commands", us.size()},
          {"p50_ms", percentile(us, 0.50) / 1000},
          {"p99_ms", percentile(us, 0.99) / 1000},
          {"max_ms", max / 1000}};
}

/// Drives the mix for `seconds`, user u's next command being `next[u]` (updated), each user's
/// commands in order, at most `window` in flight; with `backup_dir`, an online backup starts a
/// quarter into the phase. Every command sent is answered before it returns.
result<phase_figures> drive(engine& target, std::vector<uint64_t>& next, double seconds,
                            std::size_t window, const std::string& backup_dir) {
  phase_figures out;
  const uint64_t users = next.size();
  std::vector<clock_type::time_point> sent_at(users);
  std::vector<clock_type::time_point> done_at(users);
  std::vector<char> during(users, 0);
  std::atomic<int> backup_state{0}; // 0 not yet, 1 running, 2 done
  std::thread backup;
  completion_queue queue;
  std::deque<uint64_t> waiting;
  std::vector<uint64_t> finished;
  uint64_t in_flight = 0;
  bool stuck = false;
  const auto start = clock_type::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  bool sending = true;
  auto launch = [&](uint64_t user) {
    if (!sending)
      return;
    if (in_flight >= window) {
      waiting.push_back(user);
      return;
    }
    const uint64_t index = next[user];
    next[user] += users;
    sent_at[user] = clock_type::now();
    during[user] = backup_state.load() == 1;
    if (backup_state.load() == 0)
      ++out.sent_before_backup;
    target.submit(request_for(op_at(index, users)),
                  [&queue, &done_at, user](result<engine::reply> outcome) {
                    done_at[user] = clock_type::now(); // published by the queue's mutex
                    queue.push(user, outcome ? status::success() : status{outcome.error()});
                  });
    ++in_flight;
  };
  for (uint64_t u = 0; u < users; ++u)
    launch(u);
  while (in_flight > 0) {
    const auto now = clock_type::now();
    if (now >= end)
      sending = false;
    if (!backup_dir.empty() && backup_state.load() == 0 &&
        now >= start + std::chrono::duration<double>(seconds / 4)) {
      backup_state = 1;
      backup = std::thread([&] {
        stopwatch took;
        auto made = target.backup(backup_dir);
        out.backup_s = took.seconds();
        out.backup_bytes = made ? made->bytes : 0;
        backup_state = 2;
      });
    }
    if (!queue.take(finished, std::chrono::milliseconds(60'000))) {
      stuck = true;
      break;
    }
    in_flight -= finished.size();
    for (uint64_t user : finished) {
      const double us =
        std::chrono::duration<double, std::micro>(done_at[user] - sent_at[user]).count();
      out.all_us.push_back(us);
      if (during[user] || backup_state.load() == 1)
        out.during_backup_us.push_back(us);
    }
    while (!waiting.empty() && in_flight < window) {
      uint64_t user = waiting.front();
      waiting.pop_front();
      launch(user);
    }
    for (uint64_t user : finished)
      launch(user);
  }
  if (backup.joinable())
    backup.join();
  if (stuck) // the callbacks still refer to this frame: no way to end cleanly
    std::abort();
  if (queue.failed() != 0)
    return error{errc::storage_failure, "backup-stall: " + queue.first_error()};
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  out.commands = out.all_us.size();
  return out;
}

/// Seconds to flush a memtable holding the first `events` events of the mix, on a storage log of
/// its own (the flush a backup starts with, measured alone).
result<double> flush_seconds(const std::string& db_path, const bench_options& options,
                             uint64_t events) {
  storage::open_options open;
  open.path = db_path;
  open.sync = options.sync;
  auto log = storage::event_log::open(open);
  if (!log)
    return log.error();
  if (auto st = append_users(**log, options.users, options.batch); !st)
    return st.error();
  if (auto st = (*log)->flush(); !st)
    return st.error();
  if (auto st = append_mix(**log, options.users, events, options.batch); !st)
    return st.error();
  stopwatch took;
  if (auto st = (*log)->flush(); !st)
    return st.error();
  return took.seconds();
}

} // namespace

int run_backup_stall(const bench_options& options, double phase_seconds) {
  scratch_dir scratch("presence-bench-backup-stall");
  if (options.keep)
    scratch.keep();
  const std::string db = scratch.sub("db");
  const uint64_t users = std::max<uint64_t>(options.users, 1);
  // Whole cycles only: the engine's start closes the connections the fixture left open, so every
  // user must have ended its last cycle with its disconnect.
  const uint64_t earlier = options.events / (users * ops_per_cycle) * (users * ops_per_cycle);
  {
    // The log holds the users and `options.events` earlier events: what the backup copies.
    storage::open_options open;
    open.path = db;
    auto log = storage::event_log::open(open);
    if (!log)
      return fail("open the fixture log", log.error());
    if (auto st = append_users(**log, users, options.batch); !st)
      return fail("append users", st.error());
    if (auto st = append_mix(**log, users, earlier, options.batch); !st)
      return fail("append the earlier events", st.error());
  }
  auto opened = engine::open(bench_engine_config(db, options));
  if (!opened)
    return fail("open the engine", opened.error());
  auto& target = **opened;
  if (auto unlimited = target.set_setting("connection_limit", "0"); !unlimited)
    return fail("set connection_limit", unlimited.error());
  std::vector<uint64_t> next(users);
  for (uint64_t u = 0; u < users; ++u)
    next[u] = earlier + u;
  const std::size_t window = std::max<std::size_t>(options.window, 1);
  // Unmeasured: every user actor is loaded from the log once, so both phases run warm.
  auto warm_up = drive(target, next, phase_seconds / 2, window, {});
  if (!warm_up)
    return fail("warm-up phase", warm_up.error());
  auto baseline = drive(target, next, phase_seconds, window, {});
  if (!baseline)
    return fail("baseline phase", baseline.error());
  auto with_backup = drive(target, next, phase_seconds, window, scratch.sub("backups"));
  if (!with_backup)
    return fail("backup phase", with_backup.error());
  if (auto st = target.shutdown(); !st)
    return fail("shutdown", st.error());
  // The memtable the backup flushed held what the engine wrote since it opened.
  const uint64_t flushed =
    warm_up->commands + baseline->commands + with_backup->sent_before_backup;
  auto flush = flush_seconds(scratch.sub("flush"), options, flushed);
  if (!flush)
    return fail("flush alone", flush.error());
  const nlohmann::json no_backup = latency_json(baseline->all_us);
  const nlohmann::json during = latency_json(with_backup->during_backup_us);
  emit({{"bench", "backup-stall"}, {"phase", "no backup"}, {"latency", no_backup},
        {"seconds", baseline->seconds}});
  emit({{"bench", "backup-stall"},
        {"phase", "backup"},
        {"latency", latency_json(with_backup->all_us)},
        {"latency_while_backing_up", during},
        {"seconds", with_backup->seconds},
        {"backup_s", with_backup->backup_s},
        {"backup_bytes", with_backup->backup_bytes}});
  emit({{"bench", "backup-stall"},
        {"summary", true},
        {"users", users},
        {"earlier_events", earlier},
        {"window", window},
        {"durability", durability_name(options.sync)},
        {"p99_ms_no_backup", no_backup["p99_ms"]},
        {"p99_ms_while_backing_up", during["p99_ms"]},
        {"max_ms_no_backup", no_backup["max_ms"]},
        {"max_ms_while_backing_up", during["max_ms"]},
        {"backup_s", with_backup->backup_s},
        {"flush_s", *flush},
        {"flushed_events", flushed}});
  return 0;
}

} // namespace presence::bench
