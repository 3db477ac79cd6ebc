// Concurrent clients through the engine facade on the real (work-stealing) scheduler: several host
// threads — like the gateway's sessions — call the blocking and the async forms at once, on their
// own users and on one user they all share, while subscribers receive batches on CAF threads and an
// admin thread changes presets, settings and tokens. Small enough to run in a few seconds under
// ThreadSanitizer (scripts/tsan.sh), where it is the race check of the facade, the directory, the
// user actors, the journal and the broadcasters together.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <map>
#include <set>
#include <thread>

#include "engine_test_support.hpp"

namespace presence::test {
namespace {

using events::manual_mode;
using events::presence_value;

constexpr int client_threads = 6;
constexpr int users_per_thread = 3;
constexpr int rounds = 12;
constexpr const char* shared_user = "S";

std::string own_user(int thread, int k) {
  return "U" + std::to_string(thread) + "_" + std::to_string(k);
}

/// Counts what the subscription callbacks saw (they run on CAF worker threads).
struct observed {
  std::mutex mutex;
  std::condition_variable changed;
  std::set<std::string> seen_online;
  int notes = 0;
  notification_callback callback() {
    return [this](const notification& note) {
      std::lock_guard<std::mutex> guard{mutex};
      ++notes;
      if (note.type == notification::kind::presence_change && note.presence == presence_value::online)
        seen_online.insert(note.users.begin(), note.users.end());
      changed.notify_all();
    };
  }
  bool saw_online(const std::string& user) {
    std::unique_lock<std::mutex> guard{mutex};
    return changed.wait_for(guard, std::chrono::seconds{30},
                            [&] { return seen_online.count(user) == 1; });
  }
};

/// Counts one client's outstanding async calls and their failures; the client waits for zero
/// before its next blocking call on the same connection (async and blocking calls are not ordered
/// with respect to each other).
struct async_calls {
  std::mutex mutex;
  std::condition_variable done;
  int pending = 0;
  std::atomic<int> failures{0};
  engine::status_callback track() {
    {
      std::lock_guard<std::mutex> guard{mutex};
      ++pending;
    }
    return [this](status st) {
      if (!st.ok())
        ++failures;
      std::lock_guard<std::mutex> guard{mutex};
      if (--pending == 0)
        done.notify_all();
    };
  }
  bool wait() {
    std::unique_lock<std::mutex> guard{mutex};
    return done.wait_for(guard, std::chrono::seconds{60}, [this] { return pending == 0; });
  }
};

TEST(engine_concurrency, clients_on_many_threads_share_users_subscribers_and_admin) {
  temp_dir dir;
  auto config = test_config(dir.sub("db"));
  auto opened = engine::open(config);
  ASSERT_OK(opened);
  auto& eng = *opened.value();
  std::vector<std::string> everyone{shared_user};
  std::vector<uint64_t> subscriber_ids;
  ASSERT_OK(eng.create_user(shared_user, "shared", false));
  for (int t = 0; t < client_threads; ++t)
    for (int k = 0; k < users_per_thread; ++k) {
      everyone.push_back(own_user(t, k));
      ASSERT_OK(eng.create_user(everyone.back(), "client user", false));
    }
  ASSERT_OK(eng.set_setting("flush_interval_ms", "5"));

  observed subscribers[2];
  for (auto& sub : subscribers) {
    auto id = eng.subscribe(sub.callback());
    ASSERT_OK(id);
    ASSERT_OK(eng.set_subscription(*id, everyone));
    subscriber_ids.push_back(*id);
  }

  std::atomic<int> failures{0};
  auto check = [&failures](const status& st) {
    if (!st.ok())
      ++failures;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < client_threads; ++t)
    threads.emplace_back([&, t] {
      const std::string shared_conn = "shared-" + std::to_string(t);
      async_calls async;
      for (int r = 0; r < rounds; ++r) {
        const std::string conn = "c" + std::to_string(t) + "-" + std::to_string(r);
        check(eng.connect(shared_user, shared_conn, "web"));
        for (int k = 0; k < users_per_thread; ++k) {
          const auto user = own_user(t, k);
          check(eng.connect(user, conn, "web"));
          check(eng.activity(user, conn));
          check(eng.set_status(user, "round " + std::to_string(r), ":spiral_calendar_pad:"));
          check(eng.set_presence(user, r % 2 == 0 ? manual_mode::busy : manual_mode::automatic));
          eng.run_async(command::activity{user, conn, {}}, async.track());
          eng.run_async(
            command::set_status{shared_user, "from " + std::to_string(t), "", std::nullopt, {}},
            async.track());
          auto view = eng.query(user);
          if (!view || view->connection_count != 1)
            ++failures;
          if (!async.wait())
            ++failures;
          check(eng.disconnect(user, conn));
        }
        auto many = eng.query_many(everyone);
        if (!many || many->size() != everyone.size())
          ++failures;
        check(eng.activity(shared_user, shared_conn));
        check(eng.disconnect(shared_user, shared_conn));
      }
      failures += async.failures.load();
    });
  threads.emplace_back([&] {  // the admin
    for (int r = 0; r < rounds; ++r) {
      auto preset = eng.create_preset("Preset " + std::to_string(r), presence_value::busy);
      if (!preset) {
        ++failures;
        continue;
      }
      check(eng.update_preset(preset->id, "Renamed " + std::to_string(r), presence_value::away));
      check(eng.set_setting("idle_timeout", std::to_string(600 + r)));
      auto token = eng.issue_token(own_user(r % client_threads, 0));
      if (!token || !eng.authenticate(token->secret))
        ++failures;
      if (token)
        check(eng.revoke_token(token->id));
      check(eng.delete_preset(preset->id));
      if (!eng.presets() || !eng.settings() || !eng.service())
        ++failures;
    }
  });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);

  // Every client disconnected everything it connected; the last status each thread set stuck.
  for (int t = 0; t < client_threads; ++t)
    for (int k = 0; k < users_per_thread; ++k) {
      auto view = eng.query(own_user(t, k));
      ASSERT_OK(view);
      EXPECT_EQ(view->connection_count, 0u) << own_user(t, k);
      EXPECT_EQ(view->status.text, "round " + std::to_string(rounds - 1)) << own_user(t, k);
    }
  auto shared = eng.query(shared_user);
  ASSERT_OK(shared);
  EXPECT_EQ(shared->connection_count, 0u);
  EXPECT_EQ(shared->presence, presence_value::offline);
  auto settings = eng.settings();
  ASSERT_OK(settings);
  EXPECT_EQ(settings->idle_timeout, 600 + rounds - 1);
  auto left = eng.presets();
  ASSERT_OK(left);
  EXPECT_TRUE(left->empty());

  // The subscriptions survived the storm: a connection now reaches both subscribers. Resubscribing
  // first makes "offline" the value last sent for S (an offline->online flip inside one flush
  // window would rightly produce nothing).
  for (std::size_t i = 0; i < 2; ++i) {
    {
      std::lock_guard<std::mutex> guard{subscribers[i].mutex};
      EXPECT_GT(subscribers[i].notes, 0);
    }
    ASSERT_OK(eng.set_subscription(subscriber_ids[i], {}));
    ASSERT_OK(eng.set_subscription(subscriber_ids[i], everyone));
    std::lock_guard<std::mutex> guard{subscribers[i].mutex};
    subscribers[i].seen_online.clear();
  }
  ASSERT_OK(eng.connect(shared_user, "last", "web"));
  for (auto& sub : subscribers)
    EXPECT_TRUE(sub.saw_online(shared_user));
  ASSERT_OK(eng.disconnect(shared_user, "last"));
  ASSERT_OK(eng.shutdown());
}

/// The last presence_change one subscriber was told about each user, in the order told.
struct last_told {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, presence_value> value;
  notification_callback callback() {
    return [this](const notification& note) {
      if (note.type != notification::kind::presence_change)
        return;
      std::lock_guard<std::mutex> guard{mutex};
      for (const auto& user : note.users)
        value[user] = note.presence;
      changed.notify_all();
    };
  }
  /// Waits (at most 10 s) until what was told last of each user is `expected`.
  bool settles_on(const std::map<std::string, presence_value>& expected) {
    std::unique_lock<std::mutex> guard{mutex};
    return changed.wait_for(guard, std::chrono::seconds{10}, [&] { return value == expected; });
  }
  std::string describe() {
    std::lock_guard<std::mutex> guard{mutex};
    std::string out;
    for (const auto& [user, presence] : value)
      out += user + "=" + std::string{events::to_string(presence)} + " ";
    return out;
  }
};

/// Each round a new subscriber subscribes to users whose presence flips on another thread (the
/// previous round's subscriber is gone, so nobody else holds them at their shards), and the flips
/// stop once the subscription is in: the last flips race its final steps. The subscriber must end
/// up told each user's real presence. When the engine read the initial presence before the shards
/// held the subscription, a last flip landing in between was dropped and the subscriber kept the
/// value from before it (broadcaster.hpp).
TEST(engine_concurrency, a_subscriber_joining_mid_change_is_told_the_final_presence) {
  temp_dir dir;
  auto opened = engine::open(test_config(dir.sub("db")));
  ASSERT_OK(opened);
  auto& eng = *opened.value();
  std::vector<std::string> flipping;
  for (int i = 0; i < 16; ++i) {
    flipping.push_back("F" + std::to_string(i));
    ASSERT_OK(eng.create_user(flipping.back(), "flipping", false));
    ASSERT_OK(eng.connect(flipping.back(), "c1", "web"));
  }
  ASSERT_OK(eng.set_setting("flush_interval_ms", "5"));
  for (int round = 0; round < 400; ++round) {
    last_told told;
    auto id = eng.subscribe(told.callback());
    ASSERT_OK(id);
    std::atomic<bool> subscribed{false};
    std::atomic<int> flips{0};
    std::atomic<int> failures{0};
    std::thread flipper([&] {
      for (std::size_t k = 0; !subscribed.load(); ++k) {
        auto mode = (k / flipping.size()) % 2 == 0 ? manual_mode::away : manual_mode::automatic;
        if (!eng.set_presence(flipping[k % flipping.size()], mode).ok())
          ++failures;
        ++flips;
      }
    });
    while (flips.load() < 1 + round % 7)  // the subscription starts at a varying flip
      std::this_thread::yield();
    ASSERT_OK(eng.set_subscription(*id, flipping));
    subscribed = true;
    flipper.join();
    ASSERT_EQ(failures.load(), 0);
    auto now = eng.query_many(flipping);
    ASSERT_OK(now);
    std::map<std::string, presence_value> expected{now->begin(), now->end()};
    ASSERT_TRUE(told.settles_on(expected))
      << "round " << round << ": the subscriber was last told " << told.describe();
    ASSERT_OK(eng.unsubscribe(*id));
  }
  ASSERT_OK(eng.shutdown());
}

} // namespace
} // namespace presence::test
