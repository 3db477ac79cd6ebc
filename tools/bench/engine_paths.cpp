// The engine side of ingest, replay, restart and memory (see engine_paths.hpp).
#include "engine_paths.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <thread>

#include "completion_queue.hpp"
#include "presence/actors/engine.hpp"
#include "report.hpp"
#include "workload.hpp"

namespace presence::bench {

namespace {

/// Longest wait for any completion before the run is declared stuck.
constexpr std::chrono::milliseconds stall_limit{60'000};

} // namespace

engine_config bench_engine_config(const std::string& db_path, const bench_options& options) {
  engine_config config;
  config.db_path = db_path;
  config.sync = options.sync;
  // Resident actors must stay resident for the whole measurement.
  config.passivate_after = std::chrono::seconds(24 * 3600);
  config.request_timeout = std::chrono::milliseconds(120'000);
  return config;
}

engine::request request_for(const op& next) {
  const std::string user = user_id(next.user);
  const origin from{"", next.kind == op_kind::connect || next.kind == op_kind::disconnect
                          ? connection_id(next.cycle)
                          : std::string{"bench"}};
  switch (next.kind) {
    case op_kind::connect:
      return command::connect{user, connection_id(next.cycle), "bench", from};
    case op_kind::set_away:
      return command::set_presence{user, events::manual_mode::away, {}, from};
    case op_kind::set_status:
      return command::set_status{user, "In a meeting", ":calendar:", {}, from};
    case op_kind::set_auto:
      return command::set_presence{user, events::manual_mode::automatic, {}, from};
    case op_kind::disconnect:
      break;
  }
  return command::disconnect{user, connection_id(next.cycle), events::disconnect_reason::closed,
                             from};
}

namespace {

result<std::unique_ptr<engine>> open_timed(const std::string& db_path, const bench_options& options,
                                           engine_figures& figures) {
  stopwatch clock;
  auto opened = engine::open(bench_engine_config(db_path, options));
  figures.open_s = clock.seconds();
  if (!opened)
    return opened;
  // The default limit (200 open connections) would turn the presence service off part-way and
  // make every later command cheaper (no broadcasts): benchmark the service switched on.
  if (auto unlimited = (*opened)->set_setting("connection_limit", "0"); !unlimited)
    return unlimited.error();
  return opened;
}

/// Sends one command of the mix; `done` gets the tag (the user index) and the outcome.
void send_op(engine& target, const op& next, completion_queue& queue) {
  const uint64_t tag = next.user;
  target.submit(request_for(next), [&queue, tag](result<engine::reply> outcome) {
    queue.push(tag, outcome ? status::success() : status{outcome.error()});
  });
}

/// Counts the users of presence_change notifications (any CAF worker thread).
struct delivery_counter {
  std::atomic<uint64_t> users{0};
  std::atomic<int64_t> last_us{0}; ///< now_us() of the newest delivery
};

/// Subscribers covering users [0, users), each as large as `max_subscription` allows.
result<std::vector<uint64_t>> subscribe_all(engine& target, uint64_t users,
                                            const std::shared_ptr<delivery_counter>& counter) {
  auto settings = target.settings();
  if (!settings)
    return settings.error();
  const uint64_t per = std::max<uint64_t>(settings->max_subscription, 1);
  std::vector<uint64_t> ids;
  for (uint64_t first = 0; first < users; first += per) {
    auto id = target.subscribe([counter](const notification& note) {
      if (note.type != notification::kind::presence_change)
        return;
      counter->users.fetch_add(note.users.size(), std::memory_order_relaxed);
      counter->last_us.store(now_us(), std::memory_order_relaxed);
    });
    if (!id)
      return id.error();
    std::vector<std::string> subjects;
    for (uint64_t u = first; u < std::min(users, first + per); ++u)
      subjects.push_back(user_id(u));
    if (auto set = target.set_subscription(*id, subjects); !set)
      return set.error();
    ids.push_back(*id);
  }
  return ids;
}

/// Waits until no delivery arrived for `quiet` since the later of the newest delivery and now
/// (or `limit` passed); returns the newest delivery's time (0 if none ever came).
int64_t wait_for_quiet(const delivery_counter& counter, std::chrono::milliseconds quiet,
                       std::chrono::seconds limit) {
  const int64_t since = now_us();
  stopwatch clock;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const int64_t last = counter.last_us.load();
    if (now_us() - std::max(last, since) >= quiet.count() * 1000 || clock.seconds() > limit.count())
      return last;
  }
}

status finish(engine& target, engine_figures& figures, const completion_queue& queue) {
  figures.failed = queue.failed();
  figures.first_error = queue.first_error();
  return target.shutdown();
}

} // namespace

result<engine_figures> engine_ingest(const std::string& db_path, const bench_options& options) {
  engine_figures figures;
  auto opened = open_timed(db_path, options, figures);
  if (!opened)
    return opened.error();
  auto& target = **opened;
  const uint64_t users = std::max<uint64_t>(options.users, 1);
  auto counter = std::make_shared<delivery_counter>();
  std::chrono::milliseconds quiet{0};
  if (options.count_deliveries) {
    auto subscribed = subscribe_all(target, users, counter);
    if (!subscribed)
      return subscribed.error();
    auto settings = target.settings();
    quiet = std::chrono::milliseconds(2 * (settings ? settings->flush_interval_ms : 100) + 50);
    // The current presence of each new subject is sent at once: let it pass, then count afresh.
    wait_for_quiet(*counter, quiet, std::chrono::seconds(30));
    counter->users = 0;
  }
  // Command i of the mix belongs to user i % users; a user's next command is i + users. Each
  // user has at most one command in flight, so its commands apply in order.
  std::vector<uint64_t> next(users);
  for (uint64_t u = 0; u < users; ++u)
    next[u] = u;
  std::deque<uint64_t> waiting; // users with a command to send once the window has room
  completion_queue queue;
  std::vector<uint64_t> finished;
  uint64_t in_flight = 0;
  uint64_t answered = 0;
  const uint64_t window = std::max<std::size_t>(options.window, 1);
  stopwatch clock;
  auto launch = [&](uint64_t user) {
    if (next[user] >= options.events)
      return;
    if (in_flight >= window) {
      waiting.push_back(user);
      return;
    }
    send_op(target, op_at(next[user], users), queue);
    next[user] += users;
    ++in_flight;
  };
  for (uint64_t u = 0; u < users && u < options.events; ++u)
    launch(u);
  while (answered < options.events) {
    if (!queue.take(finished, stall_limit))
      return error{errc::timeout, "ingest: no command answered for 60 s (" +
                                    std::to_string(answered) + " answered)"};
    in_flight -= finished.size();
    answered += finished.size();
    while (!waiting.empty() && in_flight < window) {
      uint64_t user = waiting.front();
      waiting.pop_front();
      launch(user);
    }
    for (uint64_t user : finished)
      launch(user);
  }
  figures.seconds = clock.seconds();
  figures.cpu_seconds = clock.cpu_seconds();
  figures.acknowledged = answered - queue.failed();
  if (options.count_deliveries) {
    const int64_t started_us = now_us() - static_cast<int64_t>(figures.seconds * 1e6);
    const int64_t last = wait_for_quiet(*counter, quiet, std::chrono::seconds(60));
    figures.deliveries = counter->users.load();
    figures.deliver_seconds = std::max(0.0, static_cast<double>(last - started_us) / 1e6);
  }
  if (auto stopped = finish(target, figures, queue); !stopped)
    return stopped.error();
  return figures;
}

result<engine_figures> engine_load_all(const std::string& db_path, uint64_t users,
                                       const bench_options& options) {
  engine_figures figures;
  auto opened = open_timed(db_path, options, figures);
  if (!opened)
    return opened.error();
  auto& target = **opened;
  completion_queue queue;
  std::vector<uint64_t> finished;
  const uint64_t window = std::max<std::size_t>(options.window, 1);
  uint64_t sent = 0;
  uint64_t answered = 0;
  figures.rss_before = resident_bytes();
  stopwatch clock;
  auto launch = [&] {
    const uint64_t tag = sent++;
    target.run_async(command::query{user_id(tag), std::nullopt},
                     [&queue, tag](result<events::presence_view> view) {
                       queue.push(tag, view ? status::success() : status{view.error()});
                     });
  };
  while (sent < users && sent < window)
    launch();
  while (answered < users) {
    if (!queue.take(finished, stall_limit))
      return error{errc::timeout,
                   "load: no query answered for 60 s (" + std::to_string(answered) + " answered)"};
    answered += finished.size();
    for (std::size_t i = 0; i < finished.size() && sent < users; ++i)
      launch();
  }
  figures.seconds = clock.seconds();
  figures.rss_after = resident_bytes();
  figures.acknowledged = answered - queue.failed();
  if (auto stopped = finish(target, figures, queue); !stopped)
    return stopped.error();
  return figures;
}

result<engine_figures> engine_restart(const std::string& db_path, const bench_options& options) {
  engine_figures figures;
  stopwatch clock;
  auto opened = engine::open(bench_engine_config(db_path, options));
  if (!opened)
    return opened.error();
  // Ready = open returned and the first users' presence is answered: 64 users reach every
  // directory shard with near certainty, and each gets its actor rebuilt from the log.
  std::vector<std::string> first;
  for (uint64_t i = 0; i < std::min<uint64_t>(options.users, 64); ++i)
    first.push_back(user_id(i));
  auto answered = (*opened)->query_many(first);
  figures.open_s = clock.seconds();
  if (!answered)
    return answered.error();
  if (answered->size() != first.size())
    return presence::error{errc::unknown_user, "restart: " + std::to_string(answered->size()) +
                                                 " of " + std::to_string(first.size()) +
                                                 " users answered"};
  figures.seconds = figures.open_s;
  if (auto stopped = (*opened)->shutdown(); !stopped)
    return stopped.error();
  return figures;
}

} // namespace presence::bench
