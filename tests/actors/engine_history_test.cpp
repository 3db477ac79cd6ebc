// Queries at a past instant through the engine facade, on a real RocksDB with the clock passed
// in: right after thousands of events (answered from checkpoints plus a short tail, also after a
// restart), refused with `busy` past `max_history_reads` instead of queueing, and unchanged from
// the horizon on after retention folded the older events away.

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "engine_test_support.hpp"
#include "presence/events/time.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::test {
namespace {

using events::presence_value;

constexpr events::timestamp_us t0 = 1'800'000'000'000'000;
constexpr events::timestamp_us second = 1'000'000;

/// The instant of the k-th connect: one every 10 s; each connection lasts 1 s.
events::timestamp_us connect_time(int k) {
  return t0 + k * 10 * second;
}

/// Opens an engine on `path` whose clock reads `now`.
std::unique_ptr<engine> open_engine(const std::string& path, std::atomic<events::timestamp_us>& now,
                                    uint64_t snapshot_every, std::size_t max_history_reads = 64) {
  auto config = test_config(path);
  config.clock = [&now] { return events::to_instant(now.load()); };
  config.snapshot_every = snapshot_every;
  config.max_history_reads = max_history_reads;
  auto opened = engine::open(config);
  EXPECT_TRUE(opened.ok()) << describe(opened.error());
  return opened.ok() ? std::move(opened.value()) : nullptr;
}

/// `sessions` connect/disconnect pairs of `user` at `connect_time(k)`.
void log_sessions(engine& eng, std::atomic<events::timestamp_us>& now, const std::string& user,
                  int sessions) {
  for (int k = 0; k < sessions; ++k) {
    now = connect_time(k);
    ASSERT_OK(eng.connect(user, "c" + std::to_string(k), "web"));
    now = connect_time(k) + second;
    ASSERT_OK(eng.disconnect(user, "c" + std::to_string(k)));
  }
}

/// What `user` was at instants inside and after sampled sessions, asked through `eng`.
void expect_history(engine& eng, const std::string& user, int sessions) {
  for (int k = 0; k < sessions; k += 37) {
    auto during = eng.query(user, events::to_instant(connect_time(k) + second / 2));
    ASSERT_OK(during);
    EXPECT_EQ(during->presence, presence_value::online) << "session " << k;
    EXPECT_EQ(during->connection_count, 1u);
    auto after = eng.query(user, events::to_instant(connect_time(k) + 5 * second));
    ASSERT_OK(after);
    EXPECT_EQ(after->presence, presence_value::offline) << "after session " << k;
  }
}

TEST(engine_history, answers_are_right_after_thousands_of_events_and_after_a_restart) {
  temp_dir dir;
  std::atomic<events::timestamp_us> now{t0 - second};
  constexpr int sessions = 1500;  // 3,000 events, a snapshot (and checkpoint) every 400
  {
    auto eng = open_engine(dir.sub("db"), now, 400);
    ASSERT_TRUE(eng);
    ASSERT_OK(eng->create_user("U1", "user U1", false));
    log_sessions(*eng, now, "U1", sessions);
    expect_history(*eng, "U1", sessions);
    auto before_any = eng->query("U1", events::to_instant(t0 - second / 2));
    ASSERT_OK(before_any);
    EXPECT_EQ(before_any->presence, presence_value::offline);
    ASSERT_OK(eng->shutdown());
  }
  now += 3600 * second;
  auto eng = open_engine(dir.sub("db"), now, 400);
  ASSERT_TRUE(eng);
  expect_history(*eng, "U1", sessions);
  ASSERT_ERRC(eng->query("nobody", events::to_instant(t0)), errc::unknown_user);
  ASSERT_OK(eng->shutdown());
}

TEST(engine_history, reads_past_the_bound_are_refused_busy_not_queued) {
  temp_dir dir;
  std::atomic<events::timestamp_us> now{t0 - second};
  constexpr int sessions = 1500;
  // No snapshots: each read of an early instant folds up to a thousand events from the start.
  auto eng = open_engine(dir.sub("db"), now, 1'000'000'000, 1);
  ASSERT_TRUE(eng);
  ASSERT_OK(eng->create_user("U2", "user U2", false));
  log_sessions(*eng, now, "U2", sessions);

  constexpr int asked = 300;
  std::mutex mutex;
  int busy = 0;
  int right = 0;
  int wrong = 0;
  std::vector<std::future<void>> answered;
  std::vector<std::promise<void>> done(asked);
  for (int i = 0; i < asked; ++i) {
    answered.push_back(done[i].get_future());
    auto at = events::to_instant(connect_time(i % 400) + second / 2);
    eng->run_async(command::query{"U2", at},
                   [&, i](result<events::presence_view> view) {
                     {
                       std::lock_guard<std::mutex> guard{mutex};
                       if (!view.ok())
                         (view.error().code == errc::busy ? busy : wrong) += 1;
                       else
                         (view->presence == presence_value::online ? right : wrong) += 1;
                     }
                     done[i].set_value();
                   });
  }
  for (auto& f : answered)
    f.wait();
  EXPECT_EQ(wrong, 0);
  EXPECT_GE(right, 1) << "the bound admits reads";
  EXPECT_GE(busy, 1) << "300 reads at once over a bound of 1";
  EXPECT_EQ(right + busy, asked);
  // Once they are answered the bound admits reads again.
  auto later = eng->query("U2", events::to_instant(connect_time(7) + second / 2));
  ASSERT_OK(later);
  EXPECT_EQ(later->presence, presence_value::online);
  ASSERT_OK(eng->shutdown());
}

TEST(engine_retention, a_pass_folds_the_old_history_and_keeps_every_later_answer) {
  temp_dir dir;
  std::atomic<events::timestamp_us> now{t0 - second};
  constexpr int sessions = 200;  // one every 10 s: 2,000 s of history
  {
    auto eng = open_engine(dir.sub("db"), now, 50);
    ASSERT_TRUE(eng);
    ASSERT_OK(eng->create_user("U1", "user U1", false));
    // Set long before the horizon: the folded past must keep it.
    ASSERT_OK(eng->set_status("U1", "On holiday", ":palm_tree:"));
    log_sessions(*eng, now, "U1", sessions);
    ASSERT_OK(eng->shutdown());
  }
  // Reopened with 1,000 s of retention: the first pass runs at start, on its own thread.
  now = connect_time(sessions);
  const events::timestamp_us horizon = now.load() - 1000 * second;
  auto config = test_config(dir.sub("db"));
  config.clock = [&now] { return events::to_instant(now.load()); };
  config.retention = std::chrono::seconds{1000};
  auto opened = engine::open(config);
  ASSERT_OK(opened);
  auto& eng = **opened;
  // Await the pass: an instant before the horizon becomes outside the retained history.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  result<events::presence_view> early{errc::timeout};
  do {
    early = eng.query("U1", events::to_instant(horizon - 5 * second));
  } while (early.ok() && std::chrono::steady_clock::now() < deadline);
  ASSERT_FALSE(early.ok()) << "no retention pass within 30 s";
  EXPECT_EQ(early.error().code, errc::before_retention);

  auto current = eng.query("U1");
  ASSERT_OK(current);
  EXPECT_EQ(current->presence, presence_value::offline);
  EXPECT_EQ(current->status.text, "On holiday");
  EXPECT_EQ(current->status.emoji, ":palm_tree:");
  for (int k = sessions - 90; k < sessions; k += 7) {
    auto during = eng.query("U1", events::to_instant(connect_time(k) + second / 2));
    ASSERT_OK(during);
    EXPECT_EQ(during->presence, presence_value::online) << "session " << k;
    auto after = eng.query("U1", events::to_instant(connect_time(k) + 5 * second));
    ASSERT_OK(after);
    EXPECT_EQ(after->presence, presence_value::offline) << "after session " << k;
  }
  ASSERT_OK(eng.shutdown());
  opened->reset();

  storage::open_options read;
  read.path = dir.sub("db");
  read.mode = storage::open_mode::read_only;
  auto log = storage::event_log::open(read);
  ASSERT_OK(log);
  EXPECT_TRUE((*log)->retained().trimmed());
  uint64_t kept = 0;
  ASSERT_OK((*log)->read_stream("U1", 0, [&](const events::event& ev) {
    EXPECT_GE(ev.ts, horizon) << ev.seq;
    ++kept;
    return true;
  }));
  EXPECT_LT(kept, 250u) << "of 402 events, about half are older than the horizon";
  auto base = (*log)->find_checkpoint("U1", (*log)->retained().from - 1);
  ASSERT_OK(base);
  EXPECT_TRUE(base->has_value()) << "the folded past is kept as a snapshot";
}

} // namespace
} // namespace presence::test
