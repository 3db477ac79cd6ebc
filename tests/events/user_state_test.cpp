#include "presence/events/user_state.hpp"

#include <gtest/gtest.h>

#include "sample_events.hpp"

namespace presence::events {
namespace {

using test::make_event;

constexpr timestamp_us s = 1'000'000;  // one second in µs

/// Folds events into a state for user "alice", numbering them from 1.
class user_fold : public ::testing::Test {
 protected:
  void fold(timestamp_us ts, payload body) {
    apply(state_, make_event(ts, "alice", std::move(body), "", "", ++seq_));
  }
  user_state state_;
  sequence seq_ = 0;
};

TEST_F(user_fold, connected_adds_a_connection_and_counts_as_activity) {
  fold(10 * s, connected{"c1", "web", 2});
  ASSERT_EQ(state_.connections.size(), 1u);
  EXPECT_EQ(state_.connections[0], (connection_info{"c1", "web", 2, 10 * s, 10 * s}));
  EXPECT_EQ(state_.last_activity, 10 * s);
  EXPECT_EQ(state_.id, "alice");
  EXPECT_EQ(state_.last_seq, 1u);
  EXPECT_EQ(state_.event_count, 1u);
}

TEST_F(user_fold, connected_clears_auto_away) {
  fold(1 * s, connected{"c1", "web", 1});
  fold(700 * s, away{});
  ASSERT_TRUE(state_.auto_away);
  fold(800 * s, connected{"c2", "desktop", 1});
  EXPECT_FALSE(state_.auto_away);
  EXPECT_EQ(state_.last_activity, 800 * s);
}

TEST_F(user_fold, reconnecting_with_the_same_id_replaces_it_and_keeps_oldest_first) {
  fold(1 * s, connected{"c1", "web", 1});
  fold(2 * s, connected{"c2", "desktop", 1});
  fold(3 * s, connected{"c1", "mobile", 2});
  ASSERT_EQ(state_.connections.size(), 2u);
  EXPECT_EQ(state_.connections[0].id, "c2");
  EXPECT_EQ(state_.connections[1], (connection_info{"c1", "mobile", 2, 3 * s, 3 * s}));
}

TEST_F(user_fold, connections_close_one_by_one) {
  fold(1 * s, connected{"c1", "web", 1});
  fold(2 * s, connected{"c2", "desktop", 1});
  fold(3 * s, connected{"c3", "mobile", 1});
  fold(4 * s, disconnected{"c2", disconnect_reason::closed});
  ASSERT_EQ(state_.connections.size(), 2u);
  EXPECT_EQ(state_.connections[0].id, "c1");
  EXPECT_EQ(state_.connections[1].id, "c3");
  fold(5 * s, disconnected{"c1", disconnect_reason::timeout});
  ASSERT_EQ(state_.connections.size(), 1u);
  EXPECT_EQ(state_.connections[0].id, "c3");
  fold(6 * s, disconnected{"c3", disconnect_reason::kicked});
  EXPECT_TRUE(state_.connections.empty());
  // Closing is not activity.
  EXPECT_EQ(state_.last_activity, 3 * s);
  EXPECT_EQ(state_.event_count, 6u);
}

TEST_F(user_fold, disconnect_of_unknown_connection_only_counts) {
  fold(1 * s, connected{"c1", "web", 1});
  user_state before = state_;
  fold(2 * s, disconnected{"nope", disconnect_reason::closed});
  before.last_seq = 2;
  before.event_count = 2;
  EXPECT_EQ(state_, before);
}

TEST_F(user_fold, activity_updates_last_activity_and_the_connection) {
  fold(1 * s, connected{"c1", "web", 1});
  fold(2 * s, connected{"c2", "web", 1});
  fold(700 * s, away{});
  fold(900 * s, activity{"c1"});
  EXPECT_EQ(state_.last_activity, 900 * s);
  EXPECT_EQ(state_.connections[0].last_activity, 900 * s);
  EXPECT_EQ(state_.connections[1].last_activity, 2 * s);
  EXPECT_FALSE(state_.auto_away);
  // Activity not tied to a connection still counts for the user.
  fold(950 * s, activity{""});
  EXPECT_EQ(state_.last_activity, 950 * s);
}

TEST_F(user_fold, presence_set_and_expired) {
  fold(1 * s, presence_set{manual_mode::busy, 50 * s});
  EXPECT_EQ(state_.manual, manual_mode::busy);
  EXPECT_EQ(state_.manual_until, 50 * s);
  fold(50 * s, presence_expired{});
  EXPECT_EQ(state_.manual, manual_mode::automatic);
  EXPECT_EQ(state_.manual_until, 0);
  fold(60 * s, presence_set{manual_mode::away, 0});
  EXPECT_EQ(state_.manual, manual_mode::away);
  // `auto` never carries an expiry.
  fold(70 * s, presence_set{manual_mode::automatic, 99 * s});
  EXPECT_EQ(state_.manual, manual_mode::automatic);
  EXPECT_EQ(state_.manual_until, 0);
}

TEST_F(user_fold, manual_away_survives_reconnects) {
  fold(1 * s, connected{"c1", "web", 1});
  fold(2 * s, presence_set{manual_mode::away, 0});
  fold(3 * s, disconnected{"c1", disconnect_reason::closed});
  fold(4 * s, connected{"c2", "web", 2});
  EXPECT_EQ(state_.manual, manual_mode::away);
}

TEST_F(user_fold, status_set_replaces_and_empty_clears) {
  fold(1 * s, status_set{"Lunch", ":hamburger:", 3600});
  EXPECT_EQ(state_.status, (custom_status{"Lunch", ":hamburger:", 3600}));
  fold(2 * s, status_set{"", ":palm_tree:", 0});
  EXPECT_EQ(state_.status, (custom_status{"", ":palm_tree:", 0}));
  fold(3 * s, status_set{"", "", 0});
  EXPECT_TRUE(state_.status.empty());
  fold(4 * s, status_set{"Away", "", 99});
  fold(5 * s, status_expired{});
  EXPECT_EQ(state_.status, custom_status{});
}

TEST_F(user_fold, preferences_set_and_disabling_auto_away_clears_it) {
  fold(1 * s, connected{"c1", "web", 1});
  fold(700 * s, away{});
  fold(701 * s, preferences_set{120, true});
  EXPECT_EQ(state_.idle_timeout, 120);
  EXPECT_TRUE(state_.auto_away_enabled);
  EXPECT_TRUE(state_.auto_away);
  fold(702 * s, preferences_set{0, false});
  EXPECT_EQ(state_.idle_timeout, 0);
  EXPECT_FALSE(state_.auto_away_enabled);
  EXPECT_FALSE(state_.auto_away);
}

TEST_F(user_fold, preset_applied_folds_as_status_set_then_presence_set) {
  fold(1 * s, connected{"c1", "web", 1});
  fold(2 * s, status_set{"Old", ":x:", 1'900'000'000});
  fold(3 * s, presence_set{manual_mode::busy, 9 * s});
  user_state pair = state_;
  fold(4 * s, preset_applied{"P1", "Lunch", manual_mode::away});
  apply(pair, test::make_event(4 * s, "u", status_set{"Lunch", "", 0}));
  apply(pair, test::make_event(4 * s, "u", presence_set{manual_mode::away, 0}));
  EXPECT_EQ(state_.status, (custom_status{"Lunch", "", 0}));
  EXPECT_EQ(state_.manual, manual_mode::away);
  EXPECT_EQ(state_.manual_until, 0);
  EXPECT_EQ(state_.status, pair.status);
  EXPECT_EQ(state_.manual, pair.manual);
  EXPECT_EQ(state_.manual_until, pair.manual_until);
}

TEST_F(user_fold, workspace_events_change_nothing) {
  fold(1 * s, connected{"c1", "web", 1});
  const user_state before = state_;
  for (const auto& ev : test::one_event_of_each_type())
    if (!is_user_event(type_of(ev.body)))
      apply(state_, ev);
  EXPECT_EQ(state_, before);
}

TEST_F(user_fold, reconnect_after_server_restart) {
  fold(1 * s, connected{"c1", "web", 1});
  fold(2 * s, presence_set{manual_mode::busy, 0});
  // The new epoch closes what the crashed one left open, then the client comes back.
  fold(100 * s, disconnected{"c1", disconnect_reason::server_restart});
  EXPECT_TRUE(state_.connections.empty());
  fold(101 * s, connected{"c1", "web", 2});
  ASSERT_EQ(state_.connections.size(), 1u);
  EXPECT_EQ(state_.connections[0].epoch, 2u);
  EXPECT_EQ(state_.connections[0].opened_at, 101 * s);
  EXPECT_EQ(state_.manual, manual_mode::busy);
}

TEST_F(user_fold, replaying_the_same_events_gives_an_equal_state) {
  std::vector<event> log;
  for (const auto& ev : test::one_event_of_each_type())
    if (is_user_event(type_of(ev.body)))
      log.push_back(ev);
  user_state a;
  user_state b;
  for (const auto& ev : log)
    apply(a, ev);
  for (const auto& ev : log)
    apply(b, ev);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.event_count, log.size());
  b.status.text += "!";
  EXPECT_NE(a, b);
}

TEST(user_state_equality, compares_every_field) {
  const user_state base;
  auto differs = [&](auto change) {
    user_state other = base;
    change(other);
    return other != base;
  };
  EXPECT_TRUE(differs([](user_state& u) { u.id = "x"; }));
  EXPECT_TRUE(differs([](user_state& u) { u.connections.push_back({}); }));
  EXPECT_TRUE(differs([](user_state& u) { u.last_activity = 1; }));
  EXPECT_TRUE(differs([](user_state& u) { u.auto_away = true; }));
  EXPECT_TRUE(differs([](user_state& u) { u.manual = manual_mode::busy; }));
  EXPECT_TRUE(differs([](user_state& u) { u.manual_until = 1; }));
  EXPECT_TRUE(differs([](user_state& u) { u.status.emoji = ":a:"; }));
  EXPECT_TRUE(differs([](user_state& u) { u.status.expiration = 1; }));
  EXPECT_TRUE(differs([](user_state& u) { u.idle_timeout = 1; }));
  EXPECT_TRUE(differs([](user_state& u) { u.auto_away_enabled = false; }));
  EXPECT_TRUE(differs([](user_state& u) { u.last_seq = 1; }));
  EXPECT_TRUE(differs([](user_state& u) { u.event_count = 1; }));
  connection_info c{"a", "b", 1, 2, 3};
  EXPECT_FALSE(c == (connection_info{"a", "b", 1, 2, 4}));
  EXPECT_FALSE(c == (connection_info{"a", "b", 1, 3, 3}));
  EXPECT_FALSE(c == (connection_info{"a", "c", 1, 2, 3}));
  EXPECT_TRUE(c == (connection_info{"a", "b", 1, 2, 3}));
}

} // namespace
} // namespace presence::events

namespace presence::events {
namespace {

TEST(merge_status, named_fields_replace_the_rest_stay) {
  const custom_status train{"riding a train", ":mountain_railway:", 1900000000};
  auto text_only = merge_status(train, status_change{std::string("home"), {}, {}});
  EXPECT_EQ(text_only, (custom_status{"home", ":mountain_railway:", 1900000000}));
  auto never = merge_status(train, status_change{{}, {}, int64_t{0}});
  EXPECT_EQ(never.expiration, 0);
  EXPECT_EQ(merge_status(train, status_change{}), train);
}

TEST(merge_status, text_without_emoji_gets_the_default_emoji) {
  const custom_status train{"riding a train", ":mountain_railway:", 0};
  auto cleared_emoji = merge_status(train, status_change{{}, std::string(), {}});
  EXPECT_EQ(cleared_emoji.text, "riding a train");
  EXPECT_EQ(cleared_emoji.emoji, default_status_emoji);
  EXPECT_EQ(merge_status({}, status_change{std::string("lunch"), {}, {}}).emoji,
            ":speech_balloon:");
}

TEST(merge_status, empty_text_and_emoji_clear_everything) {
  const custom_status train{"riding a train", ":mountain_railway:", 1900000000};
  EXPECT_EQ(merge_status(train, status_change{std::string(), std::string(), {}}), custom_status{});
  // An emoji alone stays an emoji-only status.
  EXPECT_EQ(merge_status({}, status_change{{}, std::string(":taco:"), {}}).emoji, ":taco:");
}

} // namespace
} // namespace presence::events
