// The engine facade on the real scheduler with a real RocksDB: commands and queries, admin,
// subscriptions, shutdown, and a restart after a crash with open connections.

#include <atomic>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>

#include <caf/all.hpp>

#include "engine_test_support.hpp"
#include "presence/actors/engine_caf.hpp"
#include "presence/events/time.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::test {
namespace {

using namespace std::chrono_literals;
using events::presence_value;

class engine_test : public ::testing::Test {
 protected:
  void open() {
    auto opened = engine::open(test_config(dir_.sub("db")));
    ASSERT_OK(opened);
    engine_ = std::move(opened.value());
  }
  void SetUp() override {
    open();
    for (const char* id : {"U1", "U2", "U3"})
      ASSERT_OK(engine_->create_user(id, std::string{"user "} + id, false));
  }

  temp_dir dir_;
  std::unique_ptr<engine> engine_;
};

TEST_F(engine_test, connect_query_disconnect) {
  ASSERT_OK(engine_->connect("U1", "c1", "web"));
  auto view = engine_->query("U1");
  ASSERT_OK(view);
  EXPECT_EQ(view->presence, presence_value::online);
  EXPECT_EQ(view->connection_count, 1u);
  ASSERT_OK(engine_->set_status("U1", "Vacationing", ":palm_tree:"));
  ASSERT_OK(engine_->set_presence("U1", events::manual_mode::busy));
  EXPECT_EQ(engine_->query("U1")->presence, presence_value::busy);
  ASSERT_OK(engine_->disconnect("U1", "c1"));
  view = engine_->query("U1");
  EXPECT_EQ(view->presence, presence_value::offline);
  EXPECT_EQ(view->status.text, "Vacationing");
  ASSERT_ERRC(engine_->connect("nobody", "c1", "web"), errc::unknown_user);
  ASSERT_ERRC(engine_->disconnect("U1", "c1"), errc::unknown_connection);
  ASSERT_ERRC(engine_->set_status("U1", "<!channel>", ""), errc::invalid_status_text);
  auto many = engine_->query_many({"U1", "nobody", "U2"});
  ASSERT_OK(many);
  ASSERT_EQ(many->size(), 2u);
  EXPECT_EQ((*many)[0].first, "U1");
  EXPECT_EQ((*many)[1].first, "U2");
}

TEST_F(engine_test, stats_count_resident_users_and_journal_writes) {
  auto before = engine_->stats();
  EXPECT_EQ(before.users_resident, 0u) << "creating users spawns no user actor";
  EXPECT_EQ(before.events_appended, 3u) << "three user_created events";
  ASSERT_OK(engine_->connect("U1", "c1", "web"));
  ASSERT_OK(engine_->set_presence("U2", events::manual_mode::away));
  auto after = engine_->stats();
  EXPECT_EQ(after.users_resident, 2u);
  EXPECT_EQ(after.user_actor_restarts, 0u);
  EXPECT_EQ(after.events_appended, before.events_appended + 2);
  EXPECT_EQ(after.journal_failed_writes, 0u);
  EXPECT_GE(after.journal_requests, after.journal_writes);
  for (const auto* h : {&after.journal_batch_events, &after.journal_write_seconds,
                        &after.journal_commit_seconds}) {
    ASSERT_EQ(h->counts.size(), h->bounds.size() + 1);
    uint64_t total = 0;
    for (auto n : h->counts)
      total += n;
    EXPECT_EQ(total, h->count);
  }
  EXPECT_EQ(after.journal_batch_events.count, after.journal_writes);
  EXPECT_EQ(after.journal_batch_events.sum, static_cast<double>(after.events_appended));
  EXPECT_EQ(after.journal_commit_seconds.count, after.journal_requests);
  EXPECT_GT(after.journal_write_seconds.sum, 0.0);
}

TEST(engine_stats, passivated_users_leave_the_resident_count) {
  temp_dir dir;
  auto config = test_config(dir.sub("db"));
  config.passivate_after = std::chrono::seconds{1};
  auto opened = engine::open(config);
  ASSERT_OK(opened);
  auto& eng = *opened.value();
  ASSERT_OK(eng.create_user("P1", "p", false));
  ASSERT_OK(eng.query("P1"));
  EXPECT_EQ(eng.stats().users_resident, 1u);
  // Passivation is timer-driven: poll the count, bounded.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (eng.stats().users_resident != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_EQ(eng.stats().users_resident, 0u);
  ASSERT_OK(eng.query("P1"));  // spawned again on demand
  EXPECT_EQ(eng.stats().users_resident, 1u);
}

TEST_F(engine_test, deactivated_users_are_refused) {
  ASSERT_OK(engine_->deactivate_user("U3"));
  ASSERT_ERRC(engine_->connect("U3", "c1", "web"), errc::user_deactivated);
}

TEST_F(engine_test, presets_set_status_text_and_manual_presence) {
  auto meeting = engine_->create_preset("In a meeting", presence_value::busy);
  ASSERT_OK(meeting);
  ASSERT_OK(engine_->connect("U2", "c1", "web"));
  ASSERT_OK(engine_->apply_preset("U2", meeting->id));
  auto view = engine_->query("U2");
  EXPECT_EQ(view->presence, presence_value::busy);
  EXPECT_EQ(view->status.text, "In a meeting");
  ASSERT_ERRC(engine_->apply_preset("U2", "no-such-preset"), errc::unknown_preset);
}

TEST_F(engine_test, async_forms_call_done_once) {
  std::promise<status> connected;
  engine_->run_async(command::connect{"U1", "c1", "web", {}},
                     [&](status st) { connected.set_value(st); });
  ASSERT_OK(connected.get_future().get());
  std::promise<result<events::presence_view>> queried;
  engine_->run_async(command::query{"U1", std::nullopt},
                     [&](result<events::presence_view> v) { queried.set_value(std::move(v)); });
  auto view = queried.get_future().get();
  ASSERT_OK(view);
  EXPECT_EQ(view->presence, presence_value::online);
  std::promise<status> refused;
  engine_->run_async(command::activity{"nobody", "c1", {}},
                     [&](status st) { refused.set_value(st); });
  ASSERT_ERRC(refused.get_future().get(), errc::unknown_user);
}

TEST_F(engine_test, subscribers_get_the_initial_presence_then_changes) {
  notification_box box;
  auto id = engine_->subscribe(box.callback());
  ASSERT_OK(id);
  ASSERT_OK(engine_->set_subscription(*id, {"U1", "U2"}));
  EXPECT_TRUE(box.wait_until([](const auto& seen) {
    return has_presence(seen, "U1", presence_value::offline)
           && has_presence(seen, "U2", presence_value::offline);
  }));
  ASSERT_OK(engine_->connect("U1", "c1", "web"));
  EXPECT_TRUE(box.wait_until(
    [](const auto& seen) { return has_presence(seen, "U1", presence_value::online); }));
  std::vector<std::string> too_many(501, "U1");
  ASSERT_ERRC(engine_->set_subscription(*id, too_many), errc::invalid_argument);
  ASSERT_OK(engine_->unsubscribe(*id));
}

TEST_F(engine_test, a_throwing_callback_loses_its_note_but_not_the_other_subscribers) {
  // Callbacks are called by the broadcaster shards themselves: one that throws must not take a
  // shard down with every other subscriber of it.
  auto id_bad = engine_->subscribe([](const notification&) { throw std::runtime_error{"host bug"}; });
  ASSERT_OK(id_bad);
  ASSERT_OK(engine_->set_subscription(*id_bad, {"U1"}));
  notification_box box;
  auto id = engine_->subscribe(box.callback());
  ASSERT_OK(id);
  ASSERT_OK(engine_->set_subscription(*id, {"U1"}));
  ASSERT_OK(engine_->connect("U1", "c1", "web"));
  EXPECT_TRUE(box.wait_until(
    [](const auto& seen) { return has_presence(seen, "U1", presence_value::online); }));
  ASSERT_OK(engine_->disconnect("U1", "c1", events::disconnect_reason::closed));
  EXPECT_TRUE(box.wait_until(
    [](const auto& seen) { return has_presence(seen, "U1", presence_value::offline); }))
    << "the shard kept serving after the throwing callback";
  ASSERT_OK(engine_->unsubscribe(*id_bad));
  ASSERT_OK(engine_->unsubscribe(*id));
}

TEST_F(engine_test, state_survives_a_clean_restart_and_shutdown_is_idempotent) {
  ASSERT_OK(engine_->set_status("U1", "back soon", ":coffee:"));
  ASSERT_OK(engine_->shutdown());
  ASSERT_OK(engine_->shutdown());
  ASSERT_ERRC(engine_->connect("U1", "c1", "web"), errc::shutting_down);
  engine_.reset();
  open();
  auto view = engine_->query("U1");
  ASSERT_OK(view);
  EXPECT_EQ(view->status.text, "back soon");
  ASSERT_OK(engine_->connect("U2", "c1", "web"));  // users were replayed from the log
}

TEST_F(engine_test, a_restart_keeps_deactivated_users_refused_and_the_others_served) {
  // The directory shards' tables are folded beside the workspace at start-up
  // (storage::replay_user_flags): a deactivation must survive it, on every shard.
  ASSERT_OK(engine_->deactivate_user("U3"));
  for (int i = 0; i < 24; ++i)
    ASSERT_OK(engine_->create_user("M" + std::to_string(i), "many", false));
  ASSERT_OK(engine_->deactivate_user("M5"));
  ASSERT_OK(engine_->shutdown());
  engine_.reset();
  open();
  ASSERT_ERRC(engine_->connect("U3", "c1", "web"), errc::user_deactivated);
  ASSERT_ERRC(engine_->connect("M5", "c1", "web"), errc::user_deactivated);
  ASSERT_ERRC(engine_->connect("U9", "c1", "web"), errc::unknown_user);
  ASSERT_OK(engine_->connect("U1", "c1", "web"));
  for (int i = 0; i < 24; ++i)
    if (i != 5)
      ASSERT_OK(engine_->connect("M" + std::to_string(i), "c1", "web"));
}

TEST(engine_host, runs_on_an_actor_system_the_host_owns) {
  temp_dir dir;
  caf::actor_system_config host_config;
  register_engine_types(host_config);
  caf::actor_system host{host_config};
  {
    auto opened = open_engine(host, test_config(dir.sub("db")));
    ASSERT_OK(opened);
    auto& eng = *opened.value();
    EXPECT_EQ(&system_of(eng), &host);
    ASSERT_OK(eng.create_user("U1", "one", false));
    // Notifications can go to an actor of the host.
    auto box = std::make_shared<notification_box>();
    auto receiver = host.spawn([box](caf::event_based_actor*) -> caf::behavior {
      auto deliver = box->callback();
      return {[deliver](const notification& note) { deliver(note); }};
    });
    auto id = subscribe_actor(eng, receiver);
    ASSERT_OK(id);
    ASSERT_OK(eng.set_subscription(*id, {"U1"}));
    ASSERT_OK(eng.connect("U1", "c1", "web"));
    EXPECT_TRUE(box->wait_until(
      [](const auto& seen) { return has_presence(seen, "U1", presence_value::online); }));
    ASSERT_OK(eng.shutdown());
    caf::anon_send_exit(receiver, caf::exit_reason::user_shutdown);
  }
  // The host's system outlives the engine and stops cleanly.
}

// --- restart after a crash with open connections ---------------------------------------------

/// A query at a past instant is evaluated under the workspace settings in force then, not now:
/// with a 60 s idle timeout at the time, U1 was auto-away 100 s after connecting, even though the
/// timeout was raised to an hour later on.
TEST(engine_history, a_past_instant_uses_the_settings_in_force_then) {
  temp_dir dir;
  std::atomic<events::timestamp_us> now{1'800'000'000'000'000};
  auto config = test_config(dir.sub("db"));
  config.clock = [&now] { return now.load(); };
  auto opened = engine::open(config);
  ASSERT_OK(opened);
  auto& eng = *opened.value();
  ASSERT_OK(eng.create_user("U1", "user U1", false));
  ASSERT_OK(eng.set_setting("idle_timeout", "60"));
  const auto connected_at = events::to_instant(now.load());
  ASSERT_OK(eng.connect("U1", "c1", "web"));
  now += 200'000'000;
  ASSERT_OK(eng.set_setting("idle_timeout", "3600"));

  auto then = eng.query("U1", connected_at + 100s);
  ASSERT_OK(then);
  EXPECT_EQ(then->presence, presence_value::away);
  EXPECT_TRUE(then->auto_away);
  auto before_idle = eng.query("U1", connected_at + 59s);
  ASSERT_OK(before_idle);
  EXPECT_EQ(before_idle->presence, presence_value::online);
  // Now, under the one-hour timeout, 200 s of silence is not idle.
  auto current = eng.query("U1");
  ASSERT_OK(current);
  EXPECT_EQ(current->presence, presence_value::online);
  ASSERT_OK(eng.shutdown());
}

/// Child: opens the engine, connects users, records that every connect was acknowledged, then
/// stops with _exit (no shutdown, no flush).
TEST(engine_crash_child, connect_then_die) {
  auto dir = child_dir();
  if (dir.empty())
    GTEST_SKIP() << "runs only as the child of engine_crash.open_connections_are_closed";
  auto opened = engine::open(test_config(dir + "/db"));
  ASSERT_OK(opened);
  auto& eng = *opened.value();
  for (const char* id : {"U1", "U2", "U3"})
    ASSERT_OK(eng.create_user(id, id, false));
  ASSERT_OK(eng.connect("U1", "c1", "web"));
  ASSERT_OK(eng.connect("U1", "c2", "desktop"));
  ASSERT_OK(eng.connect("U2", "c1", "web"));
  std::ofstream{dir + "/acked"} << "3\n";
  ::_exit(0);
}

TEST(engine_crash, open_connections_are_closed_at_the_next_start) {
  temp_dir dir;
  ASSERT_EQ(run_child("engine_crash_child.connect_then_die", dir.path().string()), 0);
  ASSERT_TRUE(std::ifstream{dir.sub("acked")}.good()) << "the child did not finish";
  {
    auto opened = engine::open(test_config(dir.sub("db")));
    ASSERT_OK(opened);
    auto& eng = *opened.value();
    for (const char* id : {"U1", "U2", "U3"}) {
      auto view = eng.query(id);
      ASSERT_OK(view);
      EXPECT_EQ(view->presence, presence_value::offline) << id;
      EXPECT_EQ(view->connection_count, 0u) << id;
    }
    ASSERT_OK(eng.connect("U1", "c3", "web"));  // and the engine works
    ASSERT_OK(eng.shutdown());
  }
  storage::open_options options;
  options.path = dir.sub("db");
  auto log = storage::event_log::open(options);
  ASSERT_OK(log);
  int restarts = 0;
  for (const char* id : {"U1", "U2"}) {
    ASSERT_OK((*log)->read_stream(id, 0, [&](const events::event& ev) {
      if (auto* closed = std::get_if<events::disconnected>(&ev.body)) {
        EXPECT_EQ(closed->reason, events::disconnect_reason::server_restart);
        EXPECT_EQ(ev.by, events::system_actor);
        ++restarts;
      }
      return true;
    }));
  }
  EXPECT_EQ(restarts, 3);
  auto open_now = (*log)->open_connections();
  ASSERT_OK(open_now);
  ASSERT_EQ(open_now->size(), 1u);  // only c3, opened after the restart
  EXPECT_EQ((*open_now)[0].conn, "c3");
}

} // namespace
} // namespace presence::test
