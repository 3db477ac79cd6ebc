#include "presence/events/presence.hpp"

#include <gtest/gtest.h>

#include "sample_events.hpp"

namespace presence::events {
namespace {

constexpr timestamp_us s = 1'000'000;  // one second in µs
constexpr timestamp_us t0 = 1'700'000'000 * s;

/// Builds a user's state by folding events, then asks the presence rule.
class presence_rule : public ::testing::Test {
 protected:
  void fold(timestamp_us ts, payload body) {
    apply(state_, test::make_event(ts, "alice", std::move(body), "", "", ++seq_));
  }
  presence_view at(timestamp_us now) const { return evaluate(state_, ctx_, now); }
  presence_value presence_at(timestamp_us now) const { return at(now).presence; }

  user_state state_;
  presence_context ctx_;  // service on, idle 600 s
  sequence seq_ = 0;
};

TEST_F(presence_rule, no_connection_is_offline) {
  const auto view = at(t0);
  EXPECT_EQ(view.presence, presence_value::offline);
  EXPECT_FALSE(view.online);
  EXPECT_EQ(view.connection_count, 0u);
}

TEST_F(presence_rule, connected_is_online) {
  fold(t0, connected{"c1", "web", 1});
  const auto view = at(t0 + s);
  EXPECT_EQ(view.presence, presence_value::online);
  EXPECT_TRUE(view.online);
  EXPECT_FALSE(view.auto_away);
  EXPECT_FALSE(view.manual_away);
  EXPECT_EQ(view.connection_count, 1u);
  EXPECT_EQ(view.last_activity, t0);
  EXPECT_EQ(view.manual, manual_mode::automatic);
}

TEST_F(presence_rule, idle_boundary_is_exact) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0 + 100 * s, activity{"c1"});
  const timestamp_us boundary = t0 + 100 * s + 600 * s;
  EXPECT_EQ(presence_at(boundary - 1), presence_value::online);
  EXPECT_FALSE(at(boundary - 1).auto_away);
  const auto view = at(boundary);
  EXPECT_EQ(view.presence, presence_value::away);
  EXPECT_TRUE(view.auto_away);
  EXPECT_FALSE(view.manual_away);
  EXPECT_TRUE(view.online);
}

TEST_F(presence_rule, logged_away_holds_until_activity) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0 + 600 * s, away{});
  EXPECT_EQ(presence_at(t0 + 600 * s), presence_value::away);
  fold(t0 + 700 * s, activity{"c1"});
  EXPECT_EQ(presence_at(t0 + 700 * s), presence_value::online);
  EXPECT_EQ(presence_at(t0 + 1300 * s - 1), presence_value::online);
  EXPECT_EQ(presence_at(t0 + 1300 * s), presence_value::away);
}

TEST_F(presence_rule, auto_away_disabled_never_goes_away) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0 + 1, preferences_set{0, false});
  EXPECT_FALSE(at(t0 + 1).auto_away_enabled);
  EXPECT_EQ(presence_at(t0 + 100'000 * s), presence_value::online);
  EXPECT_FALSE(at(t0 + 100'000 * s).auto_away);
  EXPECT_TRUE(due_events(state_, ctx_, t0 + 100'000 * s).empty());
}

TEST_F(presence_rule, per_user_idle_timeout_overrides_the_workspace_default) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0, preferences_set{60, true});
  EXPECT_EQ(effective_idle_timeout(state_, ctx_), 60);
  // The view carries the preference and the timeout in force, for the APIs to read back.
  EXPECT_EQ(at(t0).idle_timeout, 60);
  EXPECT_EQ(at(t0).effective_idle_timeout, 60);
  EXPECT_TRUE(at(t0).auto_away_enabled);
  EXPECT_EQ(presence_at(t0 + 60 * s - 1), presence_value::online);
  EXPECT_EQ(presence_at(t0 + 60 * s), presence_value::away);
  fold(t0 + 61 * s, preferences_set{0, true});
  EXPECT_EQ(effective_idle_timeout(state_, ctx_), 600);
  EXPECT_EQ(at(t0 + 61 * s).idle_timeout, 0);
  EXPECT_EQ(at(t0 + 61 * s).effective_idle_timeout, 600);
  ctx_.default_idle_timeout = 30;
  EXPECT_EQ(effective_idle_timeout(state_, ctx_), 30);
  EXPECT_EQ(presence_at(t0 + 30 * s), presence_value::away);
}

TEST_F(presence_rule, mobile_idle_timeout_applies_while_only_mobile_clients_are_open) {
  ctx_.mobile_idle_timeout = 60;
  fold(t0, connected{"m1", "mobile", 1});
  EXPECT_EQ(effective_idle_timeout(state_, ctx_), 60);
  EXPECT_EQ(presence_at(t0 + 60 * s - 1), presence_value::online);
  EXPECT_EQ(presence_at(t0 + 60 * s), presence_value::away);
  fold(t0 + 1, connected{"w1", "web", 1}); // a web client open as well: the workspace default
  EXPECT_EQ(effective_idle_timeout(state_, ctx_), 600);
  EXPECT_EQ(presence_at(t0 + 60 * s), presence_value::online);
  fold(t0 + 2, disconnected{"w1", disconnect_reason::closed});
  fold(t0 + 3, preferences_set{120, true}); // the user's own preference wins
  EXPECT_EQ(effective_idle_timeout(state_, ctx_), 120);
  ctx_.mobile_idle_timeout = 0; // unset: mobile follows the workspace default
  fold(t0 + 4, preferences_set{0, true});
  EXPECT_EQ(effective_idle_timeout(state_, ctx_), 600);
}

TEST_F(presence_rule, a_bot_connection_never_goes_auto_away) {
  fold(t0, connected{"b1", "bot", 1});
  EXPECT_EQ(presence_at(t0 + 100'000 * s), presence_value::online);
  EXPECT_TRUE(due_events(state_, ctx_, t0 + 100'000 * s).empty());
  EXPECT_FALSE(next_deadline(state_, ctx_, t0).has_value());
  fold(t0 + s, disconnected{"b1", disconnect_reason::closed});
  EXPECT_EQ(presence_at(t0 + s), presence_value::offline); // away in Slack's two values
}

TEST_F(presence_rule, several_connections_close_one_by_one) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0 + 1 * s, connected{"c2", "desktop", 1});
  fold(t0 + 2 * s, connected{"c3", "mobile", 1});
  EXPECT_EQ(at(t0 + 2 * s).connection_count, 3u);
  fold(t0 + 3 * s, disconnected{"c1", disconnect_reason::closed});
  EXPECT_EQ(presence_at(t0 + 3 * s), presence_value::online);
  fold(t0 + 4 * s, disconnected{"c3", disconnect_reason::timeout});
  EXPECT_EQ(presence_at(t0 + 4 * s), presence_value::online);
  EXPECT_EQ(at(t0 + 4 * s).connection_count, 1u);
  fold(t0 + 5 * s, disconnected{"c2", disconnect_reason::closed});
  EXPECT_EQ(presence_at(t0 + 5 * s), presence_value::offline);
  EXPECT_FALSE(at(t0 + 5 * s).online);
}

TEST_F(presence_rule, manual_away_survives_reconnects) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0 + s, presence_set{manual_mode::away, 0});
  auto view = at(t0 + s);
  EXPECT_EQ(view.presence, presence_value::away);
  EXPECT_TRUE(view.manual_away);
  EXPECT_FALSE(view.auto_away);
  fold(t0 + 2 * s, disconnected{"c1", disconnect_reason::closed});
  EXPECT_EQ(presence_at(t0 + 2 * s), presence_value::offline);
  EXPECT_TRUE(at(t0 + 2 * s).manual_away);
  fold(t0 + 3 * s, connected{"c2", "web", 1});
  fold(t0 + 4 * s, activity{"c2"});
  EXPECT_EQ(presence_at(t0 + 4 * s), presence_value::away);
  EXPECT_TRUE(at(t0 + 4 * s).manual_away);
  fold(t0 + 5 * s, presence_set{manual_mode::automatic, 0});
  EXPECT_EQ(presence_at(t0 + 5 * s), presence_value::online);
}

TEST_F(presence_rule, busy_expires_at_its_until) {
  fold(t0, connected{"c1", "web", 1});
  const timestamp_us until = t0 + 300 * s;
  fold(t0 + s, presence_set{manual_mode::busy, until});
  EXPECT_EQ(presence_at(until - 1), presence_value::busy);
  EXPECT_EQ(at(until - 1).manual, manual_mode::busy);
  EXPECT_EQ(presence_at(until), presence_value::online);
  EXPECT_EQ(at(until).manual, manual_mode::automatic);
  EXPECT_EQ(presence_at(until + 1), presence_value::online);
  // Logging the expiry changes nothing that was visible.
  fold(until, presence_expired{});
  EXPECT_EQ(presence_at(until + 1), presence_value::online);
}

TEST_F(presence_rule, busy_beats_idle_and_idle_shows_once_busy_expires) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0, presence_set{manual_mode::busy, t0 + 1000 * s});
  EXPECT_EQ(presence_at(t0 + 700 * s), presence_value::busy);
  EXPECT_FALSE(at(t0 + 700 * s).auto_away);
  EXPECT_EQ(presence_at(t0 + 1000 * s), presence_value::away);
  EXPECT_TRUE(at(t0 + 1000 * s).auto_away);
}

TEST_F(presence_rule, busy_without_connection_is_offline) {
  fold(t0, presence_set{manual_mode::busy, 0});
  EXPECT_EQ(presence_at(t0), presence_value::offline);
}

TEST_F(presence_rule, invisible_is_offline_but_online_for_oneself) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0, connected{"c2", "web", 1});
  fold(t0 + s, presence_set{manual_mode::invisible, t0 + 60 * s});
  const auto view = at(t0 + 2 * s);
  EXPECT_EQ(view.presence, presence_value::offline);
  EXPECT_TRUE(view.online);
  EXPECT_EQ(view.connection_count, 2u);
  EXPECT_EQ(view.manual, manual_mode::invisible);
  EXPECT_EQ(presence_at(t0 + 60 * s), presence_value::online);
}

TEST_F(presence_rule, service_disabled_shows_disabled_for_everyone) {
  ctx_.service_enabled = false;
  EXPECT_EQ(presence_at(t0), presence_value::disabled);
  fold(t0, connected{"c1", "web", 1});
  EXPECT_EQ(presence_at(t0), presence_value::disabled);
  EXPECT_TRUE(at(t0).online);
  fold(t0, presence_set{manual_mode::invisible, 0});
  EXPECT_EQ(presence_at(t0 + 10'000 * s), presence_value::disabled);
  ctx_.service_enabled = true;
  EXPECT_EQ(presence_at(t0), presence_value::offline);
}

TEST_F(presence_rule, status_expires_at_its_expiration_second) {
  const int64_t expiration = 1'700'000'100;
  fold(t0, status_set{"Lunch", ":hamburger:", expiration});
  EXPECT_EQ(at(expiration * s - 1).status, (custom_status{"Lunch", ":hamburger:", expiration}));
  EXPECT_TRUE(at(expiration * s).status.empty());
  EXPECT_TRUE(at(expiration * s + 1).status.empty());
}

TEST_F(presence_rule, status_without_expiration_never_expires) {
  fold(t0, status_set{"Vacation", ":palm_tree:", 0});
  EXPECT_EQ(at(t0 + 1'000'000 * s).status.text, "Vacation");
  EXPECT_FALSE(next_deadline(state_, ctx_, t0));
}

TEST_F(presence_rule, status_expiring_while_offline) {
  fold(t0, connected{"c1", "web", 1});
  const int64_t expiration = 1'700'000'100;
  fold(t0 + s, status_set{"Commuting", ":bus:", expiration});
  fold(t0 + 2 * s, disconnected{"c1", disconnect_reason::closed});
  // Offline, yet a timer is still needed for the status.
  EXPECT_EQ(next_deadline(state_, ctx_, t0 + 2 * s), expiration * s);
  const auto due = due_events(state_, ctx_, expiration * s);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<status_expired>(due[0]));
  EXPECT_TRUE(at(expiration * s).status.empty());
  fold(expiration * s, status_expired{});
  EXPECT_FALSE(next_deadline(state_, ctx_, expiration * s));
  fold(expiration * s + 5 * s, connected{"c2", "web", 1});
  EXPECT_TRUE(at(expiration * s + 5 * s).status.empty());
  EXPECT_EQ(presence_at(expiration * s + 5 * s), presence_value::online);
}

TEST_F(presence_rule, reconnect_after_server_restart) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0 + 10 * s, disconnected{"c1", disconnect_reason::server_restart});
  EXPECT_EQ(presence_at(t0 + 10 * s), presence_value::offline);
  EXPECT_FALSE(next_deadline(state_, ctx_, t0 + 10 * s));
  fold(t0 + 11 * s, connected{"c1", "web", 2});
  EXPECT_EQ(presence_at(t0 + 11 * s), presence_value::online);
  // The idle clock restarts from the reconnect.
  EXPECT_EQ(presence_at(t0 + 611 * s - 1), presence_value::online);
  EXPECT_EQ(presence_at(t0 + 611 * s), presence_value::away);
}

TEST_F(presence_rule, due_events_in_order_and_only_when_due) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0, presence_set{manual_mode::busy, t0 + 100 * s});
  fold(t0, status_set{"x", "", 1'700'000'200});
  EXPECT_TRUE(due_events(state_, ctx_, t0 + 99 * s).empty());
  EXPECT_EQ(due_events(state_, ctx_, t0 + 100 * s).size(), 1u);
  const auto all = due_events(state_, ctx_, t0 + 600 * s);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<presence_expired>(all[0]));
  EXPECT_TRUE(std::holds_alternative<status_expired>(all[1]));
  EXPECT_TRUE(std::holds_alternative<away>(all[2]));
  for (const auto& body : all)
    fold(t0 + 600 * s, body);
  EXPECT_TRUE(due_events(state_, ctx_, t0 + 10'000 * s).empty());
  EXPECT_FALSE(next_deadline(state_, ctx_, t0 + 600 * s));
}

TEST_F(presence_rule, no_away_due_when_disconnected) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0 + s, disconnected{"c1", disconnect_reason::closed});
  EXPECT_TRUE(due_events(state_, ctx_, t0 + 10'000 * s).empty());
  EXPECT_FALSE(next_deadline(state_, ctx_, t0 + s));
}

TEST_F(presence_rule, next_deadline_is_the_earliest_pending_timer) {
  fold(t0, connected{"c1", "web", 1});
  EXPECT_EQ(next_deadline(state_, ctx_, t0), t0 + 600 * s);
  fold(t0, status_set{"x", "", 1'700'000'300});
  EXPECT_EQ(next_deadline(state_, ctx_, t0), t0 + 300 * s);
  fold(t0, presence_set{manual_mode::away, t0 + 200 * s});
  EXPECT_EQ(next_deadline(state_, ctx_, t0), t0 + 200 * s);
  fold(t0 + 5 * s, activity{"c1"});
  EXPECT_EQ(next_deadline(state_, ctx_, t0 + 250 * s), t0 + 250 * s + 1);  // overdue: next µs
  fold(t0 + 200 * s, presence_expired{});
  fold(t0 + 300 * s, status_expired{});
  EXPECT_EQ(next_deadline(state_, ctx_, t0 + 300 * s), t0 + 605 * s);
  fold(t0 + 605 * s, away{});
  EXPECT_FALSE(next_deadline(state_, ctx_, t0 + 605 * s));
}

TEST_F(presence_rule, next_deadline_matches_due_events) {
  fold(t0, connected{"c1", "web", 1});
  fold(t0, presence_set{manual_mode::busy, t0 + 42 * s});
  const auto deadline = next_deadline(state_, ctx_, t0);
  ASSERT_TRUE(deadline);
  EXPECT_TRUE(due_events(state_, ctx_, *deadline - 1).empty());
  EXPECT_FALSE(due_events(state_, ctx_, *deadline).empty());
}

TEST_F(presence_rule, activity_logging_is_coalesced) {
  fold(t0, connected{"c1", "web", 1});
  const int64_t interval = 30;
  EXPECT_FALSE(should_log_activity(state_, ctx_, interval, t0 + 29 * s));
  EXPECT_TRUE(should_log_activity(state_, ctx_, interval, t0 + 30 * s));
  // Idle reached but `away` not logged yet: the activity changes presence.
  ctx_.default_idle_timeout = 10;
  EXPECT_TRUE(should_log_activity(state_, ctx_, interval, t0 + 10 * s));
  ctx_.default_idle_timeout = 600;
  fold(t0 + 5 * s, away{});
  EXPECT_TRUE(should_log_activity(state_, ctx_, interval, t0 + 6 * s));
  fold(t0 + 6 * s, activity{"c1"});
  EXPECT_FALSE(should_log_activity(state_, ctx_, interval, t0 + 7 * s));
}

} // namespace
} // namespace presence::events
