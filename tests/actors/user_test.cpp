// The user actor on CAF's test coordinator with a real RocksDB log: timers, coalescing,
// passivation, and the validate -> append -> apply -> notify order.

#include <algorithm>

#include "actor_test_support.hpp"

namespace presence::test {
namespace {

using namespace std::chrono_literals;
using events::presence_value;

class user_test : public actor_fixture {
 protected:
  status connect(const std::string& user, const std::string& conn) {
    return command(command::connect{user, conn, "web", origin{{}, "test"}});
  }
  status activity(const std::string& user, const std::string& conn) {
    return command(command::activity{user, conn, {}});
  }
  /// `expiration` in Unix seconds, 0 = never.
  status set_status(const std::string& user, const std::string& text, int64_t expiration) {
    return command(
      command::set_status{user, text, ":calendar:", events::unix_or_none(expiration), {}});
  }
  status disconnect(const std::string& user, const std::string& conn) {
    return command(command::disconnect{user, conn, events::disconnect_reason::closed, {}});
  }
  /// Manual `mode` until `until` (µs since the epoch).
  status set_presence(const std::string& user, events::manual_mode mode,
                      events::timestamp_us until) {
    return command(command::set_presence{user, mode, events::to_instant(until), {}});
  }
  status set_preferences(const std::string& user, std::chrono::seconds idle_timeout,
                         bool auto_away) {
    return command(command::set_preferences{user, idle_timeout, auto_away, {}});
  }
  bool saw(const std::string& line) const {
    return std::find(seen_->begin(), seen_->end(), line) != seen_->end();
  }
};

TEST_F(user_test, idle_goes_away_and_activity_brings_the_user_back) {
  ASSERT_OK(connect("U1", "c1"));
  auto view = query(std::string{"U1"});
  ASSERT_OK(view);
  EXPECT_EQ(view->presence, presence_value::online);
  EXPECT_TRUE(saw("publish U1 online"));
  EXPECT_TRUE(saw("conn_delta 1"));

  advance(599s);
  EXPECT_EQ(query(std::string{"U1"})->presence, presence_value::online);
  EXPECT_EQ(stream_types("U1"), list({"connected"}));

  advance(1s);  // idle_timeout (600 s, the workspace default) reached: the timer logs `away`
  EXPECT_EQ(stream_types("U1"), list({"connected", "away"}));
  view = query(std::string{"U1"});
  EXPECT_EQ(view->presence, presence_value::away);
  EXPECT_TRUE(view->auto_away);
  EXPECT_TRUE(saw("publish U1 away")) << ::testing::PrintToString(*seen_);

  ASSERT_OK(activity("U1", "c1"));
  EXPECT_EQ(stream_types("U1"), list({"connected", "away", "activity"}));
  view = query(std::string{"U1"});
  EXPECT_EQ(view->presence, presence_value::online);
  EXPECT_FALSE(view->auto_away);
  EXPECT_EQ(seen_->back(), "publish U1 online");
}

// Every logged activity moves the idle deadline later. The actor must not arm a timer per
// activity (each would sit in the actor clock for a whole idle timeout: at 300 changes/s and the
// 600 s default that is 180,000 messages), yet the user must still go away exactly one idle
// timeout after the last activity.
TEST_F(user_test, activities_that_move_the_idle_deadline_later_keep_one_timer_armed) {
  ASSERT_OK(connect("U1", "c1"));
  for (int i = 0; i < 30; ++i) {
    advance(40s);  // past activity_log_interval (30 s): each activity is logged
    ASSERT_OK(activity("U1", "c1"));
    EXPECT_EQ(pending_user_timers(), 1u) << "after activity " << i;
  }
  // 1,200 s of activity: a timer per idle timeout (armed at 0, re-armed at 600 s and 1,200 s),
  // not one per activity (31).
  EXPECT_EQ(counters_->user_timers_armed.load(), 3u);
  EXPECT_EQ(stream_types("U1").size(), 31u);  // connected + 30 activities, no away
  advance(599s);
  EXPECT_EQ(query(std::string{"U1"})->presence, presence_value::online);
  advance(1s);
  EXPECT_EQ(query(std::string{"U1"})->presence, presence_value::away);
  EXPECT_EQ(stream_types("U1").back(), "away");
}

// A deadline that moves earlier than the armed timer (a shorter busy expiry) needs its own timer;
// the superseded one then fires as a no-op.
TEST_F(user_test, a_deadline_moved_earlier_arms_a_timer_and_the_later_one_is_a_no_op) {
  ASSERT_OK(connect("U1", "c1"));  // idle deadline at 600 s
  ASSERT_OK(set_presence("U1", events::manual_mode::busy, now() + 120'000'000));
  EXPECT_EQ(counters_->user_timers_armed.load(), 2u);
  advance(120s);
  EXPECT_EQ(stream_types("U1"), list({"connected", "presence_set", "presence_expired"}));
  advance(480s);  // both timers have fired; the idle one still finds the user idle
  EXPECT_EQ(stream_types("U1"), list({"connected", "presence_set", "presence_expired", "away"}));
  EXPECT_EQ(pending_user_timers(), 0u);
}

TEST_F(user_test, a_user_idle_timeout_overrides_the_workspace_default) {
  ASSERT_OK(connect("U1", "c1"));
  ASSERT_OK(set_preferences("U1", 60s, true));
  advance(60s);
  EXPECT_EQ(query(std::string{"U1"})->presence, presence_value::away);
  EXPECT_EQ(stream_types("U1"), list({"connected", "preferences_set", "away"}));
}

TEST_F(user_test, busy_expires_back_to_auto) {
  ASSERT_OK(connect("U1", "c1"));
  ASSERT_OK(set_presence("U1", events::manual_mode::busy, now() + 120'000'000));
  EXPECT_EQ(query(std::string{"U1"})->presence, presence_value::busy);
  EXPECT_TRUE(saw("manual U1 busy"));
  advance(119s);
  EXPECT_EQ(stream_types("U1"), list({"connected", "presence_set"}));
  advance(1s);
  EXPECT_EQ(stream_types("U1"), list({"connected", "presence_set", "presence_expired"}));
  auto view = query(std::string{"U1"});
  EXPECT_EQ(view->presence, presence_value::online);
  EXPECT_EQ(view->manual, events::manual_mode::automatic);
  EXPECT_TRUE(saw("manual U1 auto"));
}

TEST_F(user_test, an_expiry_in_the_past_is_refused) {
  ASSERT_ERRC(set_presence("U1", events::manual_mode::busy, now() - 1), errc::expiration_in_past);
  EXPECT_TRUE(stream_types("U1").empty());
}

TEST_F(user_test, status_expires_and_subscribers_are_told) {
  ASSERT_OK(connect("U1", "c1"));
  int64_t expiration = now() / 1'000'000 + 300;
  ASSERT_OK(set_status("U1", "In a meeting", expiration));
  auto view = query(std::string{"U1"});
  EXPECT_EQ(view->status.text, "In a meeting");
  EXPECT_TRUE(saw("status U1 In a meeting"));
  advance(300s);
  EXPECT_EQ(stream_types("U1"), list({"connected", "status_set", "status_expired"}));
  view = query(std::string{"U1"});
  EXPECT_TRUE(view->status.empty());
  // The shard is told (user_status_changed), then the supervisor (user_change, to everyone).
  ASSERT_GE(seen_->size(), 2u);
  EXPECT_EQ((*seen_)[seen_->size() - 2], "status U1 ");
  EXPECT_EQ(seen_->back(), "profile U1 ");
  EXPECT_TRUE(saw("profile U1 In a meeting"));
}

TEST_F(user_test, activity_is_coalesced) {
  ASSERT_OK(connect("U1", "c1"));
  for (int i = 0; i < 5; ++i) {
    advance(5s);
    ASSERT_OK(activity("U1", "c1"));  // within activity_log_interval (30 s): not logged
  }
  EXPECT_EQ(stream_types("U1"), list({"connected"}));
  advance(5s);  // 30 s after the logged open
  ASSERT_OK(activity("U1", "c1"));
  EXPECT_EQ(stream_types("U1"), list({"connected", "activity"}));
  ASSERT_ERRC(activity("U1", "nope"), errc::unknown_connection);
}

TEST_F(user_test, an_invalid_command_logs_and_tells_nothing) {
  ASSERT_OK(connect("U1", "c1"));
  auto seq = log_->last_sequence();
  auto told = seen_->size();
  ASSERT_ERRC(set_status("U1", "<@U2> look", 0), errc::invalid_status_text);
  ASSERT_ERRC(set_status("U1", std::string(101, 'x'), 0), errc::too_long);
  ASSERT_ERRC(command(command::set_status{"U1", "ok", "no-colons", std::nullopt, {}}),
              errc::invalid_emoji);
  ASSERT_ERRC(disconnect("U1", "c9"), errc::unknown_connection);
  EXPECT_EQ(log_->last_sequence(), seq);
  EXPECT_EQ(seen_->size(), told);
  EXPECT_TRUE(query(std::string{"U1"})->status.empty());
}

TEST_F(user_test, passivates_when_idle_and_comes_back_from_the_log) {
  ASSERT_OK(connect("U1", "c1"));
  ASSERT_OK(set_status("U1", "lunch", 0));
  ASSERT_OK(disconnect("U1", "c1"));
  EXPECT_EQ(residents(), 1u);
  EXPECT_TRUE(saw("conn_delta -1"));
  advance(59s);
  EXPECT_EQ(residents(), 1u);
  // The shard sweeps every passivate_after / 4 (15 s): within one more sweep the actor is asked,
  // reports quiescent, and is stopped.
  advance(16s);
  EXPECT_EQ(residents(), 0u);
  auto view = query(std::string{"U1"});  // respawned, rebuilt from the log
  ASSERT_OK(view);
  EXPECT_EQ(residents(), 1u);
  EXPECT_EQ(view->status.text, "lunch");
  EXPECT_EQ(view->presence, presence_value::offline);
  EXPECT_EQ(view->connection_count, 0u);
}

TEST_F(user_test, a_connected_user_never_passivates) {
  ASSERT_OK(connect("U1", "c1"));
  ASSERT_OK(set_preferences("U1", 0s, false));  // no idle timer either
  advance(3600s);
  EXPECT_EQ(residents(), 1u);
}

TEST_F(user_test, a_query_at_a_past_instant_reads_the_log) {
  ASSERT_OK(connect("U1", "c1"));
  auto connected_at = now();
  advance(10s);
  ASSERT_OK(disconnect("U1", "c1"));
  EXPECT_EQ(query(std::string{"U1"})->presence, presence_value::offline);
  auto past = query(std::string{"U1"}, connected_at + 5'000'000);
  ASSERT_OK(past);
  EXPECT_EQ(past->presence, presence_value::online);
  EXPECT_EQ(query(std::string{"U1"}, connected_at - 1)->presence, presence_value::offline);
}

TEST_F(user_test, a_malformed_command_gets_one_refusal_and_changes_nothing) {
  // Commands are matched by hand in the actor's default handler (user.cpp): a message that is
  // not one of its commands must be refused once, log nothing and leave the actor serving.
  ASSERT_OK(connect("U1", "c1"));
  auto actor = resident_actor("U1");
  ASSERT_TRUE(actor);
  const auto logged = log_->last_sequence();
  caf::scoped_actor client{sys_};
  auto refused = [&](auto&&... xs) {
    auto handle = client->request(actor, caf::infinite, std::forward<decltype(xs)>(xs)...);
    sched_.run();
    status out{errc::timeout, "no reply"};
    handle.receive([&] { out = status::success(); },
                   [&](caf::error& err) { out = actors::to_status(err); });
    sched_.run();
    EXPECT_TRUE(client->mailbox().empty()) << "a second reply";
    return out;
  };
  auto expect_unexpected = [](const status& out, const char* what) {
    SCOPED_TRACE(what);
    ASSERT_ERRC(out, errc::invalid_argument);
    EXPECT_NE(out.error().message.find("unexpected_message"), std::string::npos)
      << out.error().message;
  };
  // Not a command at all.
  expect_unexpected(refused(std::string{"U1"}), "a bare string");
  // A command with a trailing element: the struct alone is the message.
  expect_unexpected(
    refused(command::connect{"U1", "c3", "web", origin{{}, "test"}}, std::string{"extra"}),
    "a command with a trailing element");
  // A command of the workspace, not of a user.
  expect_unexpected(refused(command::create_user{"U1", "Ada", false, {}}), "a workspace command");
  EXPECT_EQ(log_->last_sequence(), logged);
  ASSERT_OK(connect("U1", "c2"));
  EXPECT_EQ(query(std::string{"U1"})->connection_count, 2u);
}

TEST_F(user_test, snapshots_are_written_every_n_events) {
  TearDown();
  snapshot_every_ = 3;
  start(log_);
  ASSERT_OK(connect("U1", "c1"));
  ASSERT_OK(set_status("U1", "a", 0));
  auto none = log_->get_snapshot("U1");
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_OK(set_status("U1", "b", 0));
  auto snap = log_->get_snapshot("U1");
  ASSERT_OK(snap);
  ASSERT_TRUE(snap->has_value());
  EXPECT_EQ((*snap)->seq, log_->last_sequence());
}

class user_read_only_test : public user_test {
 protected:
  void SetUp() override {
    {  // create the database, then reopen it read-only: every append fails
      auto created = storage::event_log::open(log_options(dir_.sub("db")));
      ASSERT_OK(created);
    }
    auto opened = storage::event_log::open(log_options(dir_.sub("db"), storage::open_mode::read_only));
    ASSERT_OK(opened);
    log_ = std::shared_ptr<storage::event_log>(std::move(opened.value()));
    start(log_);
  }
};

TEST_F(user_read_only_test, a_failed_append_applies_and_tells_nothing) {
  ASSERT_ERRC(connect("U1", "c1"), errc::read_only);
  auto view = query(std::string{"U1"});
  ASSERT_OK(view);
  EXPECT_EQ(view->presence, presence_value::offline);
  EXPECT_EQ(view->connection_count, 0u);
  EXPECT_TRUE(seen_->empty());
}

} // namespace
} // namespace presence::test
