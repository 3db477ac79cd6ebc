// presence-bench history: a query at a past instant for a user with a long stream, answered by
// the engine (checkpoints + a short tail, on its history loaders), beside the full replay of the
// user's and the workspace's streams up to the same instants (how such a query was answered
// before checkpoints), on the same log in the same run. Both must give the same presence.
#include <algorithm>
#include <atomic>
#include <random>
#include <vector>

#include "presence/actors/engine.hpp"
#include "presence/events/time.hpp"
#include "presence/storage/recovery.hpp"
#include "report.hpp"
#include "verbs.hpp"

namespace presence::bench {

namespace {

constexpr int64_t event_spacing_us = 500'000;  ///< the engine's clock moves this much per read

/// p-th percentile (0..1) of `samples` in ms; sorts them.
double percentile_ms(std::vector<double>& samples, double p) {
  if (samples.empty())
    return 0;
  std::sort(samples.begin(), samples.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1));
  return samples[index] * 1000.0;
}

nlohmann::json figures(const char* path, std::vector<double> seconds) {
  return {{"bench", "history"}, {"path", path}, {"queries", seconds.size()},
          {"p50_ms", percentile_ms(seconds, 0.5)}, {"p99_ms", percentile_ms(seconds, 0.99)},
          {"max_ms", percentile_ms(seconds, 1.0)}};
}

} // namespace

int run_history(const bench_options& options, uint64_t queries) {
  scratch_dir dir{"presence-bench-history"};
  if (options.keep)
    dir.keep();
  const std::string db = dir.sub("db");
  const int64_t start = now_us() - static_cast<int64_t>(options.events + 10) * 2 * event_spacing_us;
  std::atomic<int64_t> ticks{0};
  engine_config config;
  config.db_path = db;
  config.sync = options.sync;
  config.request_timeout = std::chrono::milliseconds(120'000);
  config.clock = [&ticks, start] {
    return events::to_instant(start + ticks.fetch_add(1) * event_spacing_us);
  };
  auto opened = engine::open(config);
  if (!opened)
    return fail("open", opened.error());
  auto& eng = **opened;
  const std::string user = "history0";
  if (auto made = eng.create_user(user, "History", false); !made)
    return fail("create_user", made.error());
  stopwatch writing;
  for (uint64_t i = 0; i + 1 < options.events; i += 2) {
    const std::string conn = "c" + std::to_string(i);
    if (auto st = eng.connect(user, conn, "bench"); !st)
      return fail("connect", st.error());
    if (auto st = eng.disconnect(user, conn); !st)
      return fail("disconnect", st.error());
  }
  const int64_t end = start + ticks.load() * event_spacing_us;
  emit({{"bench", "history"}, {"path", "fixture"}, {"events", options.events},
        {"seconds", writing.seconds()}});

  std::mt19937_64 random{42};
  std::uniform_int_distribution<int64_t> instant{start, end};
  std::vector<int64_t> instants(queries);
  for (auto& at : instants)
    at = instant(random);

  std::vector<double> engine_seconds;
  std::vector<events::presence_value> engine_answers;
  for (auto at : instants) {
    stopwatch one;
    auto view = eng.query(user, events::to_instant(at));
    engine_seconds.push_back(one.seconds());
    if (!view)
      return fail("query at", view.error());
    engine_answers.push_back(view->presence);
  }
  emit(figures("engine", engine_seconds));
  if (auto st = eng.shutdown(); !st)
    return fail("shutdown", st.error());
  opened->reset();

  storage::open_options read;
  read.path = db;
  read.mode = storage::open_mode::read_only;
  auto log = storage::event_log::open(read);
  if (!log)
    return fail("open log", log.error());
  std::vector<double> replay_seconds;
  for (std::size_t i = 0; i < instants.size(); ++i) {
    stopwatch one;
    auto past = storage::replay_user(**log, user, instants[i]);
    auto workspace = storage::replay_workspace(**log, instants[i]);
    if (!past)
      return fail("replay_user", past.error());
    if (!workspace)
      return fail("replay_workspace", workspace.error());
    auto view = events::evaluate(*past, events::context_of(*workspace), instants[i]);
    replay_seconds.push_back(one.seconds());
    if (view.presence != engine_answers[i])
      return fail("answers differ", "at " + std::to_string(instants[i]));
  }
  emit(figures("full_replay", replay_seconds));
  auto engine_p50 = percentile_ms(engine_seconds, 0.5);
  auto replay_p50 = percentile_ms(replay_seconds, 0.5);
  emit({{"bench", "history"}, {"summary", true}, {"events", options.events},
        {"queries", queries}, {"engine_p50_ms", engine_p50},
        {"engine_p99_ms", percentile_ms(engine_seconds, 0.99)},
        {"full_replay_p50_ms", replay_p50},
        {"full_replay_p99_ms", percentile_ms(replay_seconds, 0.99)},
        {"speedup_p50", ratio(replay_p50, engine_p50)}});
  return 0;
}

} // namespace presence::bench
