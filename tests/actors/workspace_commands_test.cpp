#include "workspace_commands.hpp"

#include <string>

#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "token_hash.hpp"

namespace presence::actors {
namespace {

events::event workspace_event(events::payload body) {
  events::event ev;
  ev.stream = std::string{events::workspace_stream};
  ev.by = "admin1";
  ev.body = std::move(body);
  return ev;
}

TEST(workspace_commands, create_user_rules) {
  events::workspace_state state;
  ASSERT_OK(plan_create_user(state, "U1", "Ada", false, false));
  ASSERT_ERRC(plan_create_user(state, "system", "", false, false), errc::invalid_user_id);
  ASSERT_ERRC(plan_create_user(state, "$workspace", "", false, false), errc::invalid_user_id);
  events::apply(state, workspace_event(events::user_created{"U1", "Ada", false}));
  ASSERT_ERRC(plan_create_user(state, "U1", "Ada", false, false), errc::user_exists);
  events::apply(state, workspace_event(events::user_deactivated{"U1"}));
  ASSERT_ERRC(plan_create_user(state, "U1", "Ada", false, false),
              errc::user_exists); // a deactivated id is not reusable
}

TEST(workspace_commands, bots_and_their_always_active_flag) {
  events::workspace_state state;
  ASSERT_ERRC(plan_create_user(state, "B1", "Robo", true, true), errc::invalid_argument);
  auto planned = plan_create_user(state, "B1", "Robo", false, true);
  ASSERT_OK(planned);
  EXPECT_TRUE(std::get<events::user_created>(planned.value()).bot);
  ASSERT_ERRC(plan_set_always_active(state, "B1", true), errc::unknown_user);
  events::apply(state, workspace_event(events::user_created{"B1", "Robo", false, true}));
  events::apply(state, workspace_event(events::user_created{"U1", "Ada", false}));
  ASSERT_OK(plan_set_always_active(state, "B1", true));
  ASSERT_ERRC(plan_set_always_active(state, "U1", true), errc::not_a_bot);
}

TEST(workspace_commands, set_setting_validates_on_a_copy) {
  events::workspace_state state;
  auto planned = plan_set_setting(state, "flush_interval_ms", "250");
  ASSERT_OK(planned);
  EXPECT_EQ(std::get<events::setting_changed>(planned.value()).value, "250");
  EXPECT_EQ(state.settings.flush_interval_ms, 100) << "planning changes nothing";
  ASSERT_ERRC(plan_set_setting(state, "flush_interval_ms", "0"), errc::invalid_setting);
}

TEST(workspace_commands, preset_names_are_unique_ignoring_case) {
  events::workspace_state state;
  events::apply(
    state, workspace_event(events::preset_created{"P1", "Lunch", events::presence_value::away}));
  ASSERT_ERRC(plan_create_preset(state, "P2", "lUNCH", events::presence_value::away),
              errc::invalid_preset);
  ASSERT_OK(plan_update_preset(state, "P1", "LUNCH", events::presence_value::busy));
  ASSERT_ERRC(plan_update_preset(state, "P9", "x", events::presence_value::busy),
              errc::unknown_preset);
  ASSERT_ERRC(plan_create_preset(state, "P2", std::string(101, 'x'), events::presence_value::away),
              errc::invalid_preset);
  ASSERT_ERRC(plan_create_preset(state, "P2", "Odd", static_cast<events::presence_value>(9)),
              errc::invalid_presence);
  ASSERT_ERRC(plan_delete_preset(state, "P9"), errc::unknown_preset);
}

TEST(workspace_commands, authenticate_by_hash) {
  events::workspace_state state;
  events::apply(state, workspace_event(events::user_created{"U1", "Ada", false}));
  events::apply(state, workspace_event(events::token_issued{"T1", "U1", sha256_hex("xoxp-a")}));
  events::apply(state, workspace_event(events::token_issued{"T2", "U1", sha256_hex("xoxp-b")}));
  events::apply(state, workspace_event(events::token_revoked{"T2"}));
  auto index = index_tokens(state);
  EXPECT_EQ(index.size(), 2u) << "revoked tokens stay indexed, to be named as revoked";
  auto who = authenticate(state, index, sha256_hex("xoxp-a"));
  ASSERT_OK(who);
  EXPECT_EQ(who->id, "U1");
  ASSERT_ERRC(authenticate(state, index, sha256_hex("xoxp-b")), errc::token_revoked);
  ASSERT_ERRC(authenticate(state, index, "xoxp-a"),
              errc::unknown_token); // the secret itself is not the key
  ASSERT_ERRC(plan_revoke_token(state, "T2"), errc::unknown_token);
  events::apply(state, workspace_event(events::user_deactivated{"U1"}));
  ASSERT_ERRC(authenticate(state, index, sha256_hex("xoxp-a")), errc::user_deactivated);
}

TEST(workspace_commands, directory_context_follows_service_and_degraded_mode) {
  events::workspace_state state;
  state.settings.idle_timeout = 300;
  EXPECT_TRUE(directory_context(state).service_enabled);
  EXPECT_EQ(directory_context(state).default_idle_timeout, 300);
  state.service_enabled = false;
  EXPECT_FALSE(directory_context(state).service_enabled);
  state.settings.degraded_query_only = true;
  EXPECT_TRUE(directory_context(state).service_enabled);
}

} // namespace
} // namespace presence::actors
