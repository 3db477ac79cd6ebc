// The must-show durability run (10,000 users x 100 events through the facade, the process killed
// right after the last acknowledgement, then reopened) and the memory per resident idle user actor.

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "engine_test_support.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::test {
namespace {

constexpr int user_count = 10'000;
constexpr int events_per_user = 100;

std::string user_id(int i) {
  return "U" + std::to_string(i);
}

/// One line of the child's report: what a user looked like at the last acknowledgement.
std::string describe_view(const std::string& user, int acked, const events::presence_view& v) {
  std::ostringstream out;
  out << user << ' ' << acked << ' ' << events::to_string(v.presence) << ' ' << v.connection_count
      << ' ' << events::to_string(v.manual) << ' ' << v.last_activity << ' ' << v.status.text
      << ' ' << v.status.emoji;
  return out.str();
}

/// Drives `events_per_user` commands of one user, each logging exactly one event, one after the
/// other (the next is sent from the previous one's `done`), so all users run concurrently.
struct workload {
  explicit workload(engine& e) : eng(e) {}

  engine& eng;
  std::vector<int> acked = std::vector<int>(user_count, 0);
  std::atomic<int> failures{0};
  std::mutex mutex;
  std::condition_variable finished;
  int users_left = user_count;

  void step(int user, int k) {
    if (k == events_per_user) {
      std::lock_guard<std::mutex> guard{mutex};
      if (--users_left == 0)
        finished.notify_all();
      return;
    }
    auto id = user_id(user);
    auto next = [this, user, k](status st) {
      if (st.ok())
        ++acked[user];  // one writer per user at a time: the chain is sequential
      else
        ++failures;
      step(user, k + 1);
    };
    // Busy or away: `auto` would log two events (presence_set and the activity it counts as).
    const auto mode = k % 8 == 2 ? events::manual_mode::busy : events::manual_mode::away;
    switch (k % 4) {
      case 0:
        return eng.run_async(command::connect{id, "c" + std::to_string(k), "web", {}}, next);
      case 1:
        return eng.run_async(
          command::set_status{id, "status " + std::to_string(k), ":calendar:", std::nullopt, {}},
          next);
      case 2:
        return eng.run_async(command::set_presence{id, mode, std::nullopt, {}}, next);
      default:
        return eng.run_async(command::disconnect{id, "c" + std::to_string(k - 3),
                                                 events::disconnect_reason::closed, {}},
                             next);
    }
  }
};

TEST(engine_load_child, ten_thousand_users_then_die) {
  auto dir = child_dir();
  if (dir.empty())
    GTEST_SKIP() << "runs only as the child of engine_load.every_acknowledged_event_survives";
  auto config = test_config(dir + "/db");
  config.passivate_after = std::chrono::hours{1};
  auto opened = engine::open(config);
  ASSERT_OK(opened);
  auto& eng = *opened.value();
  for (int i = 0; i < user_count; ++i)
    ASSERT_OK(eng.create_user(user_id(i), "load user", false));
  workload work(eng);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < user_count; ++i)
    work.step(i, 0);
  {
    std::unique_lock<std::mutex> guard{work.mutex};
    ASSERT_TRUE(work.finished.wait_for(guard, std::chrono::minutes{10},
                                       [&] { return work.users_left == 0; }));
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(work.failures.load(), 0);
  std::ofstream report{dir + "/report"};
  report << "commands " << user_count * events_per_user << " seconds " << seconds << "\n";
  for (int i = 0; i < user_count; ++i) {
    auto view = eng.query(user_id(i));
    ASSERT_OK(view);
    report << describe_view(user_id(i), work.acked[i], *view) << "\n";
  }
  report << "end\n";
  report.close();
  ::_exit(0);  // no shutdown, no flush: an unclean stop right after the acknowledgements
}

TEST(engine_load, every_acknowledged_event_survives_an_unclean_stop) {
  temp_dir dir;
  ASSERT_EQ(run_child("engine_load_child.ten_thousand_users_then_die", dir.path().string()), 0);
  std::ifstream report{dir.sub("report")};
  std::string word;
  double seconds = 0;
  long commands = 0;
  report >> word >> commands >> word >> seconds;
  std::string line;
  std::getline(report, line);
  std::map<std::string, std::pair<int, std::string>> expected;  // user -> (acked, line)
  while (std::getline(report, line) && line != "end") {
    std::istringstream fields{line};
    std::string user;
    int acked = 0;
    fields >> user >> acked;
    expected[user] = {acked, line};
  }
  ASSERT_EQ(line, "end") << "the child's report is incomplete";
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(user_count));
  std::printf("[ load     ] child: %ld commands through the facade in %.1f s (%.0f/s), then _exit\n",
              commands, seconds, static_cast<double>(commands) / seconds);

  // Every acknowledged event is in the log: each user's stream holds exactly its acks.
  {
    storage::open_options options;
    options.path = dir.sub("db");
    auto log = storage::event_log::open(options);
    ASSERT_OK(log);
    long total = 0;
    for (const auto& [user, entry] : expected) {
      int stored = 0;
      ASSERT_OK((*log)->read_stream(user, 0, [&](const events::event&) {
        ++stored;
        return true;
      }));
      ASSERT_EQ(stored, entry.first) << user;
      ASSERT_EQ(stored, events_per_user) << user;
      total += stored;
    }
    std::printf("[ load     ] reopened log: %ld user events, all %d users complete\n", total,
                user_count);
  }
  // Every user's state equals what the child showed before it died.
  auto opened = engine::open(test_config(dir.sub("db")));
  ASSERT_OK(opened);
  auto& eng = *opened.value();
  int equal = 0;
  for (const auto& [user, entry] : expected) {
    auto view = eng.query(user);
    ASSERT_OK(view);
    EXPECT_EQ(describe_view(user, entry.first, *view), entry.second);
    equal += describe_view(user, entry.first, *view) == entry.second;
  }
  std::printf("[ load     ] %d of %d users equal after the restart\n", equal, user_count);
  ASSERT_OK(eng.shutdown());
}

TEST(engine_memory, bytes_per_resident_idle_user_actor) {
  constexpr int users = 100'000;
  temp_dir dir;
  auto config = test_config(dir.sub("db"));
  config.passivate_after = std::chrono::hours{1};  // keep them resident while measuring
  auto opened = engine::open(config);
  ASSERT_OK(opened);
  auto& eng = *opened.value();
  std::vector<std::string> ids;
  for (int i = 0; i < users; ++i) {
    ids.push_back(user_id(i));
    ASSERT_OK(eng.create_user(ids.back(), "idle user", false));
  }
  auto warm = eng.query_many({ids.begin(), ids.begin() + 500});  // warm up code paths and pools
  ASSERT_OK(warm);
  auto before = resident_bytes();
  std::size_t answered = 0;
  for (std::size_t first = 500; first < ids.size(); first += 500) {
    auto last = std::min(ids.size(), first + 500);
    auto batch = eng.query_many({ids.begin() + static_cast<std::ptrdiff_t>(first),
                                 ids.begin() + static_cast<std::ptrdiff_t>(last)});
    ASSERT_OK(batch);
    answered += batch->size();
  }
  auto after = resident_bytes();
  ASSERT_EQ(answered, static_cast<std::size_t>(users - 500));
  double per_actor = static_cast<double>(after - before) / static_cast<double>(answered);
  std::printf("[ memory   ] %zu idle user actors: RSS %.1f MB -> %.1f MB, %.0f bytes per actor\n",
              answered, static_cast<double>(before) / 1e6, static_cast<double>(after) / 1e6,
              per_actor);
  RecordProperty("bytes_per_idle_user_actor", static_cast<int>(per_actor));
  if (test::rss_bounds_apply) {  // not under ASan (test_support.hpp)
    EXPECT_LT(per_actor, 4096.0);
  }
  ASSERT_OK(eng.shutdown());
}

} // namespace
} // namespace presence::test
