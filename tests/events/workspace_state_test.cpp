#include "presence/events/workspace_state.hpp"

#include <gtest/gtest.h>

#include "sample_events.hpp"

namespace presence::events {
namespace {

constexpr timestamp_us s = 1'000'000;

class workspace_fold : public ::testing::Test {
 protected:
  void fold(timestamp_us ts, payload body) {
    apply(state_, test::make_event(ts, std::string(workspace_stream), std::move(body), "admin",
                                   "", ++seq_));
  }
  workspace_state state_;
  sequence seq_ = 0;
};

TEST_F(workspace_fold, users_are_created_once_and_deactivated) {
  fold(1 * s, user_created{"bob", "Bob", false});
  fold(2 * s, user_created{"bob", "Robert", true});  // already exists: no change
  ASSERT_EQ(state_.users.size(), 1u);
  const auto& bob = state_.users.at("bob");
  EXPECT_EQ(bob.name, "Bob");
  EXPECT_FALSE(bob.admin);
  EXPECT_TRUE(bob.active);
  EXPECT_EQ(bob.created_at, 1 * s);
  fold(3 * s, user_deactivated{"bob"});
  EXPECT_FALSE(state_.users.at("bob").active);
  fold(4 * s, user_deactivated{"nobody"});
  EXPECT_EQ(state_.users.size(), 1u);
  EXPECT_EQ(state_.last_seq, 4u);
  EXPECT_EQ(state_.event_count, 4u);
}

TEST_F(workspace_fold, a_users_record_carries_its_id_from_the_key) {
  fold(1 * s, user_created{"bob", "Bob", true});
  auto record = to_record("bob", state_.users.at("bob"));
  EXPECT_EQ(record.id, "bob");
  EXPECT_EQ(record.name, "Bob");
  EXPECT_TRUE(record.admin);
  EXPECT_TRUE(record.active);
  EXPECT_EQ(record.created_at, 1 * s);
  fold(2 * s, user_deactivated{"bob"});
  EXPECT_FALSE(to_record("bob", state_.users.at("bob")).active);
}

TEST_F(workspace_fold, tokens_are_issued_and_revoked_and_deactivation_revokes_nothing) {
  fold(1 * s, user_created{"bob", "Bob", false});
  fold(2 * s, token_issued{"t1", "bob", "abcd"});
  fold(3 * s, token_issued{"t2", "bob", "ef01"});
  ASSERT_EQ(state_.tokens.size(), 2u);
  EXPECT_EQ(state_.tokens.at("t1").hash, "abcd");
  EXPECT_EQ(state_.tokens.at("t1").issued_at, 2 * s);
  fold(4 * s, token_revoked{"t1"});
  EXPECT_TRUE(state_.tokens.at("t1").revoked);
  EXPECT_FALSE(state_.tokens.at("t2").revoked);
  fold(5 * s, user_deactivated{"bob"});
  EXPECT_FALSE(state_.tokens.at("t2").revoked);
}

TEST_F(workspace_fold, settings_change_through_validation) {
  fold(1 * s, setting_changed{"idle_timeout", "900"});
  EXPECT_EQ(state_.settings.idle_timeout, 900);
  fold(2 * s, setting_changed{"idle_timeout", "0"});  // invalid: ignored
  fold(3 * s, setting_changed{"bogus", "1"});
  EXPECT_EQ(state_.settings.idle_timeout, 900);
  EXPECT_EQ(state_.event_count, 3u);
}

TEST_F(workspace_fold, preset_crud) {
  fold(1 * s, preset_created{"p1", "In a meeting", presence_value::busy});
  fold(2 * s, preset_created{"p2", "Commuting", presence_value::away});
  fold(3 * s, preset_updated{"p1", "Focus time", presence_value::busy});
  fold(4 * s, preset_updated{"p9", "ghost", presence_value::away});
  ASSERT_EQ(state_.presets.size(), 2u);
  EXPECT_EQ(state_.presets.at("p1").name, "Focus time");
  EXPECT_EQ(state_.presets.at("p2").presence, presence_value::away);
  fold(5 * s, preset_deleted{"p2"});
  EXPECT_EQ(state_.presets.count("p2"), 0u);
  EXPECT_EQ(state_.presets.size(), 1u);
}

TEST_F(workspace_fold, service_switch_and_epoch) {
  EXPECT_TRUE(state_.service_enabled);
  fold(1 * s, service_disabled{"connection_limit", 201});
  EXPECT_FALSE(state_.service_enabled);
  EXPECT_EQ(state_.disabled_reason, "connection_limit");
  EXPECT_EQ(state_.disabled_connections, 201u);
  fold(2 * s, service_enabled{});
  EXPECT_TRUE(state_.service_enabled);
  EXPECT_TRUE(state_.disabled_reason.empty());
  EXPECT_EQ(state_.disabled_connections, 0u);
  fold(3 * s, epoch_started{5});
  EXPECT_EQ(state_.epoch, 5u);
}

TEST_F(workspace_fold, a_bot_and_its_always_active_flag) {
  fold(1 * s, user_created{"B1", "Robo", false, true});
  fold(2 * s, user_created{"U1", "Ada", false});
  fold(3 * s, always_active_set{"B1", true});
  fold(4 * s, always_active_set{"U1", true}); // never accepted live for a person: no effect
  EXPECT_TRUE(to_record("B1", state_.users.at("B1")).bot);
  EXPECT_TRUE(to_record("B1", state_.users.at("B1")).always_active);
  EXPECT_FALSE(state_.users.at("U1").bot);
  EXPECT_FALSE(state_.users.at("U1").always_active);
  fold(5 * s, always_active_set{"B1", false});
  EXPECT_FALSE(state_.users.at("B1").always_active);
}

TEST_F(workspace_fold, user_events_are_ignored) {
  for (const auto& ev : test::one_event_of_each_type())
    if (is_user_event(type_of(ev.body)))
      apply(state_, ev);
  EXPECT_EQ(state_.event_count, 0u);
  EXPECT_EQ(state_.last_seq, 0u);
  EXPECT_TRUE(state_.users.empty());
}

TEST_F(workspace_fold, folds_the_sample_log) {
  for (const auto& ev : test::one_event_of_each_type())
    apply(state_, ev);
  EXPECT_EQ(state_.event_count, 12u);
  EXPECT_FALSE(state_.users.at("bob").active);
  EXPECT_FALSE(state_.users.at("bob").bot);
  EXPECT_EQ(state_.users.count("B1"), 0u); // always_active_set of an unknown user changes nothing
  EXPECT_TRUE(state_.tokens.at("t1").revoked);
  EXPECT_EQ(state_.settings.idle_timeout, 900);
  EXPECT_TRUE(state_.presets.empty());
  EXPECT_TRUE(state_.service_enabled);
  EXPECT_EQ(state_.epoch, 3u);
}

} // namespace
} // namespace presence::events
