#include "broadcaster.hpp"

#include <string>

#include <gtest/gtest.h>

#include "broadcaster_test_support.hpp"

namespace presence::actors {
namespace {

TEST_F(broadcaster_test, initial_presence_is_sent_at_once_grouped_by_value) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice", "bob", "carol"},
            {{"alice", presence_value::online}, {"carol", presence_value::online},
             {"bob", presence_value::away}});
  ASSERT_EQ(received->size(), 2u);
  EXPECT_EQ((*received)[0].type, kind::presence_change);
  EXPECT_EQ((*received)[0].presence, presence_value::online);
  EXPECT_EQ((*received)[0].users, (users{"alice", "carol"}));
  EXPECT_EQ((*received)[1].presence, presence_value::away);
  EXPECT_EQ((*received)[1].users, users{"bob"});
}

TEST_F(broadcaster_test, a_shard_learns_a_subscriber_with_its_first_subjects_there) {
  auto shard = spawn_shard(1);
  auto [sink, received] = make_sink();
  // No subjects here: the shard does not register it (an idle connection costs nothing here).
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{5}, sink, users{}));
  EXPECT_TRUE(call(shard, subscribe_atom::value, subscriber_id{5}, users{"alice"}))
    << "still unknown to the plain form";
  // With subjects: registered, and the initial presence is sent.
  set_presence({{"alice", presence_value::away}, {"bob", presence_value::online}});
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{5}, sink, users{"alice"}));
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].users, users{"alice"});
  // Known now: the same form replaces the list (and an empty list keeps it registered).
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{5}, sink, users{"bob"}));
  publish(shard, std::string{"alice"}, presence_value::online);
  publish(shard, std::string{"bob"}, presence_value::busy);
  pass(100);
  ASSERT_EQ(received->size(), 3u);
  EXPECT_EQ((*received)[2].users, users{"bob"}) << "alice was dropped from the list";
  EXPECT_EQ((*received)[2].presence, presence_value::busy);
}

TEST_F(broadcaster_test, a_change_reaching_the_shard_while_the_initial_read_is_out_is_kept) {
  // The subject is registered before its presence is read, so a change that reaches the shard in
  // between is not dropped for want of a subscriber, and the value from before it is never told.
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  set_presence({{"alice", presence_value::online}});
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{1}, sink, std::string{}));
  auto reply =
    self_->request(shard, caf::infinite, subscribe_atom::value, subscriber_id{1}, users{"alice"});
  run_all_but_source();
  EXPECT_TRUE(self_->mailbox().empty()) << "answered before the read came back";
  // alice goes away: her user actor tells the shard, then answers the read it holds.
  set_presence({{"alice", presence_value::away}});
  caf::anon_send(shard, changed_atom::value, std::string{"alice"}, uint8_t{change_presence},
                 presence_value::away, events::custom_status{}, events::manual_mode::automatic);
  run_all_but_source();
  sched_.run();
  ASSERT_FALSE(self_->mailbox().empty()) << "the subscribe was not answered";
  reply.receive([] {}, [](caf::error& err) { FAIL() << caf::to_string(err); });
  pass(100);  // the change's flush comes and goes
  ASSERT_EQ(received->size(), 1u) << "told once, the latest value only";
  EXPECT_EQ((*received)[0].presence, presence_value::away);
  EXPECT_EQ((*received)[0].users, users{"alice"});
}

TEST_F(broadcaster_test, a_read_newer_than_what_subscribers_were_told_corrects_them) {
  auto shard = spawn_shard();
  auto [first, first_seen] = make_sink();
  subscribe(shard, 1, first, "", {"alice"}, {{"alice", presence_value::online}});
  ASSERT_EQ(first_seen->size(), 1u);
  // alice's actor reads busy before its own change message comes (a deadline passed before its
  // timer ran): the new subscriber is told busy at once, the first one at the next flush.
  auto [second, second_seen] = make_sink();
  subscribe(shard, 2, second, "", {"alice"}, {{"alice", presence_value::busy}});
  ASSERT_EQ(second_seen->size(), 1u);
  EXPECT_EQ((*second_seen)[0].presence, presence_value::busy);
  pass(100);
  ASSERT_EQ(first_seen->size(), 2u);
  EXPECT_EQ((*first_seen)[1].presence, presence_value::busy);
  EXPECT_EQ(second_seen->size(), 1u) << "told busy already";
}

TEST_F(broadcaster_test, unknown_users_and_failed_reads_leave_their_subjects_to_changes) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice", "ghost"}, {{"alice", presence_value::online}});
  ASSERT_EQ(received->size(), 1u) << "nothing for an unknown user";
  EXPECT_EQ((*received)[0].users, users{"alice"});
  // The reader is gone: CAF answers the read with an error, and the subscribe is answered.
  set_presence({{"bob", presence_value::away}});
  caf::anon_send_exit(source_, caf::exit_reason::user_shutdown);
  sched_.run();
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{1}, users{"bob"}));
  EXPECT_EQ(received->size(), 1u);
  EXPECT_FALSE(sched_.has_pending_timeout()) << "reads arm no timer";
  publish(shard, "bob", presence_value::online);
  pass(100);
  ASSERT_EQ(received->size(), 2u);
  EXPECT_EQ((*received)[1].users, users{"bob"});
}

TEST_F(broadcaster_test, changes_inside_one_window_become_one_notification) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice", "bob", "carol"},
            {{"alice", presence_value::online}, {"bob", presence_value::online},
             {"carol", presence_value::online}});
  received->clear();
  for (const auto* user : {"alice", "bob", "carol"})
    publish(shard, std::string{user}, presence_value::away);
  pass(99);
  EXPECT_TRUE(received->empty()) << "nothing before flush_interval_ms";
  pass(1);
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].type, kind::presence_change);
  EXPECT_EQ((*received)[0].presence, presence_value::away);
  EXPECT_EQ((*received)[0].users, (users{"alice", "bob", "carol"}));
  EXPECT_FALSE(sched_.has_pending_timeout()) << "no timer while nothing is pending";
}

TEST_F(broadcaster_test, flip_and_flip_back_inside_a_window_sends_nothing) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice", "bob"},
            {{"alice", presence_value::online}, {"bob", presence_value::online}});
  received->clear();
  publish(shard, std::string{"alice"}, presence_value::away);
  publish(shard, std::string{"alice"}, presence_value::online);
  publish(shard, std::string{"bob"}, presence_value::busy);
  pass(100);
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].presence, presence_value::busy);
  EXPECT_EQ((*received)[0].users, users{"bob"});
}

TEST_F(broadcaster_test, flush_interval_comes_from_settings) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice"}, {{"alice", presence_value::online}});
  received->clear();
  events::workspace_settings settings;
  settings.flush_interval_ms = 250;
  tell(shard, settings_atom::value, settings);
  publish(shard, std::string{"alice"}, presence_value::away);
  pass(249);
  EXPECT_TRUE(received->empty());
  pass(1);
  EXPECT_EQ(received->size(), 1u);
}

TEST_F(broadcaster_test, subscribe_replaces_the_whole_list) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice", "bob"},
            {{"alice", presence_value::online}, {"bob", presence_value::online}});
  received->clear();
  set_presence({{"carol", presence_value::away}});
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{1}, users{"bob", "carol"}));
  ASSERT_EQ(received->size(), 1u) << "only the newly added subject is sent at once";
  EXPECT_EQ((*received)[0].users, users{"carol"});
  EXPECT_EQ((*received)[0].presence, presence_value::away);
  received->clear();
  publish(shard, std::string{"alice"}, presence_value::away);  // dropped
  publish(shard, std::string{"carol"}, presence_value::online);
  pass(100);
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].users, users{"carol"});
  EXPECT_EQ((*received)[0].presence, presence_value::online);
}

TEST_F(broadcaster_test, subject_lists_are_bounded_and_need_a_registered_subscriber) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  EXPECT_TRUE(call(shard, subscribe_atom::value, subscriber_id{9}, users{"a"}));
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{1}, sink, std::string{}));
  EXPECT_TRUE(call(shard, subscribe_atom::value, subscriber_id{1}, sink, std::string{}))
    << "an id registers once";
  auto err = call(shard, subscribe_atom::value, subscriber_id{1}, users{"a", "b", "c", "d", "e"});
  ASSERT_TRUE(err);
  EXPECT_EQ(from_caf_error(err).code, errc::invalid_argument);
}

TEST_F(broadcaster_test, manual_presence_change_goes_only_to_the_owners_subscriptions) {
  auto shard = spawn_shard();
  auto [alice_sink, alice_received] = make_sink();
  auto [bob_sink, bob_received] = make_sink();
  subscribe(shard, 1, alice_sink, "alice", {}, {});
  subscribe(shard, 2, bob_sink, "bob", {"alice"}, {});
  tell(shard, changed_atom::value, std::string{"alice"}, uint8_t{change_manual}, presence_value::busy,
       events::custom_status{}, events::manual_mode::busy);
  ASSERT_EQ(alice_received->size(), 1u);
  EXPECT_EQ((*alice_received)[0].type, kind::manual_presence_change);
  EXPECT_EQ((*alice_received)[0].presence, presence_value::busy);
  EXPECT_EQ((*alice_received)[0].users, users{"alice"});
  EXPECT_TRUE(bob_received->empty()) << "a subscriber of alice is not her own connection";
}

TEST_F(broadcaster_test, one_changed_message_carries_presence_status_and_manual_mode) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "alice", {"alice"}, {{"alice", presence_value::online}});
  received->clear();
  tell(shard, changed_atom::value, std::string{"alice"},
       uint8_t{change_presence | change_status | change_manual}, presence_value::busy,
       events::custom_status{"Focus", ":headphones:", 0}, events::manual_mode::busy);
  ASSERT_EQ(received->size(), 2u) << "status and manual mode at once, presence at the flush";
  EXPECT_EQ((*received)[0].type, kind::user_status_changed);
  EXPECT_EQ((*received)[0].status.text, "Focus");
  EXPECT_EQ((*received)[1].type, kind::manual_presence_change);
  EXPECT_EQ((*received)[1].presence, presence_value::busy);
  pass(100);
  ASSERT_EQ(received->size(), 3u);
  EXPECT_EQ((*received)[2].type, kind::presence_change);
  EXPECT_EQ((*received)[2].presence, presence_value::busy);
  // Parts whose bit is clear are ignored: nothing new is sent for a presence-only change that
  // carries a status and a mode.
  tell(shard, changed_atom::value, std::string{"alice"}, uint8_t{change_presence},
       presence_value::away, events::custom_status{"ignored", "", 0}, events::manual_mode::away);
  EXPECT_EQ(received->size(), 3u);
  pass(100);
  ASSERT_EQ(received->size(), 4u);
  EXPECT_EQ((*received)[3].type, kind::presence_change);
  EXPECT_EQ((*received)[3].presence, presence_value::away);
}

TEST_F(broadcaster_test, user_status_changed_goes_to_subscribers_of_that_user) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  auto [other_sink, other_received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice"}, {});
  subscribe(shard, 2, other_sink, "", {"bob"}, {});
  events::custom_status status{"In a meeting", ":calendar:", 0};
  tell(shard, changed_atom::value, std::string{"alice"}, uint8_t{change_status}, presence_value::online,
       status, events::manual_mode::automatic);
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].type, kind::user_status_changed);
  EXPECT_EQ((*received)[0].users, users{"alice"});
  EXPECT_EQ((*received)[0].status.text, "In a meeting");
  EXPECT_TRUE(other_received->empty());
}

TEST_F(broadcaster_test, service_status_goes_to_everyone_at_once_and_stops_batches) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  auto [other_sink, other_received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice"}, {{"alice", presence_value::online}});
  subscribe(shard, 2, other_sink, "", {}, {});
  received->clear();
  publish(shard, std::string{"alice"}, presence_value::away);
  tell(shard, service_atom::value, engine::service_state{false, 3, 2, "admin"});
  for (const auto& box : {received, other_received}) {
    ASSERT_EQ(box->size(), 1u) << "told at once, not batched";
    EXPECT_EQ(box->front().type, kind::presence_service_status);
    EXPECT_FALSE(box->front().service_enabled);
    EXPECT_EQ(box->front().reason, "admin");
    EXPECT_EQ(box->front().connections, 3u);
    EXPECT_EQ(box->front().limit, 2u);
  }
  publish(shard, std::string{"alice"}, presence_value::disabled);
  pass(100);
  EXPECT_EQ(received->size(), 1u) << "no presence_change while the service is off";
  // Back on: told at once, then the latest real presence of every subject is resent.
  tell(shard, service_atom::value, engine::service_state{true, 1, 2, ""});
  ASSERT_EQ(received->size(), 2u);
  EXPECT_TRUE((*received)[1].service_enabled);
  pass(100);
  ASSERT_EQ(received->size(), 3u);
  EXPECT_EQ((*received)[2].type, kind::presence_change);
  EXPECT_EQ((*received)[2].presence, presence_value::away);
  EXPECT_EQ((*received)[2].users, users{"alice"});
}

TEST_F(broadcaster_test, only_shard_zero_tells_service_status_and_late_sinks_learn_it) {
  auto other_shard = spawn_shard(1);
  auto [sink, received] = make_sink();
  subscribe(other_shard, 1, sink, "", {}, {});
  tell(other_shard, service_atom::value, engine::service_state{false, 3, 2, "admin"});
  EXPECT_TRUE(received->empty()) << "shard 1 leaves it to shard 0";
  auto shard = spawn_shard(0);
  tell(shard, service_atom::value, engine::service_state{false, 3, 2, "admin"});
  auto [late_sink, late_received] = make_sink();
  subscribe(shard, 2, late_sink, "", {}, {});
  ASSERT_EQ(late_received->size(), 1u) << "a sink registering while off is told at once";
  EXPECT_FALSE(late_received->front().service_enabled);
}

TEST_F(broadcaster_test, a_stopped_sink_is_dropped) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice"}, {{"alice", presence_value::online}});
  EXPECT_TRUE(call(shard, subscribe_atom::value, subscriber_id{1}, sink, std::string{}))
    << "still registered";
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  sched_.run();
  auto [new_sink, new_received] = make_sink();
  EXPECT_FALSE(call(shard, subscribe_atom::value, subscriber_id{1}, new_sink, std::string{}))
    << "the dead subscriber's id is free again";
  publish(shard, std::string{"alice"}, presence_value::away);
  pass(100);
  EXPECT_TRUE(new_received->empty()) << "its subjects went with it";
}

TEST_F(broadcaster_test, unsubscribe_stops_notifications) {
  auto shard = spawn_shard();
  auto [sink, received] = make_sink();
  subscribe(shard, 1, sink, "", {"alice"}, {{"alice", presence_value::online}});
  received->clear();
  ASSERT_FALSE(call(shard, unsubscribe_atom::value, subscriber_id{1}));
  publish(shard, std::string{"alice"}, presence_value::away);
  pass(100);
  EXPECT_TRUE(received->empty());
}

} // namespace
} // namespace presence::actors
