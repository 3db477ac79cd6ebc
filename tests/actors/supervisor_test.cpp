// Supervisor: the connection limit, the service switch, settings, restart.
#include "supervisor_fixture.hpp"

namespace presence::actors::test_supervisor {
namespace {

using supervisor_test = supervisor_fixture;

TEST_F(supervisor_test, connection_limit_lifecycle) {
  ASSERT_OK(set("connection_limit", "3"));
  directory_seen_->clear();
  broadcaster_seen_->clear();
  connections(+1, 3);
  EXPECT_TRUE(service().enabled);
  EXPECT_TRUE(broadcaster_seen_->empty());
  // The 4th connection takes the count past the limit: the service turns off, everyone is told.
  connections(+1);
  auto state = service();
  EXPECT_FALSE(state.enabled);
  EXPECT_EQ(state.connections, 4u);
  EXPECT_EQ(state.limit, 3u);
  auto stored = workspace_log();
  ASSERT_FALSE(stored.empty());
  const auto& disabled = stored.back();
  ASSERT_EQ(events::type_of(disabled.body), event_type::service_disabled);
  EXPECT_EQ(std::get<events::service_disabled>(disabled.body).reason, "connection_limit");
  EXPECT_EQ(std::get<events::service_disabled>(disabled.body).connections, 4u);
  EXPECT_EQ(disabled.by, events::system_actor);
  EXPECT_EQ(*broadcaster_seen_, strings{"service off connection_limit 4/3"});
  EXPECT_EQ(*directory_seen_, strings{"context off"});
  // Connections keep being accepted (counted), and nothing is disabled twice.
  connections(+1);
  EXPECT_EQ(service().connections, 5u);
  connections(-1);
  EXPECT_EQ(workspace_log().size(), stored.size());
  // Enable is refused while count >= limit ...
  ASSERT_ERRC(enable(), errc::connection_limit_exceeded);
  connections(-1); // 3 = limit: still refused
  ASSERT_ERRC(enable(), errc::connection_limit_exceeded);
  EXPECT_FALSE(service().enabled);
  // ... and accepted after two disconnects from 4 (count 2).
  connections(-1);
  EXPECT_EQ(service().connections, 2u);
  ASSERT_OK(enable());
  EXPECT_TRUE(service().enabled);
  auto enabled = workspace_log().back();
  ASSERT_EQ(events::type_of(enabled.body), event_type::service_enabled);
  EXPECT_EQ(enabled.by, "admin1");
  EXPECT_EQ(enabled.via, "admin.enable");
  EXPECT_EQ(*broadcaster_seen_, (strings{"service off connection_limit 4/3", "service on"}));
  EXPECT_EQ(*directory_seen_, (strings{"context off", "context on"}));
  ASSERT_OK(enable()); // enabling an enabled service is a no-op
  EXPECT_EQ(workspace_log().back().seq, enabled.seq);
}

TEST_F(supervisor_test, zero_limit_is_unlimited) {
  ASSERT_OK(set("connection_limit", "0"));
  connections(+1, 500);
  EXPECT_TRUE(service().enabled);
  EXPECT_EQ(service().connections, 500u);
}

TEST_F(supervisor_test, auto_reenable_below_turns_the_service_back_on_by_system) {
  ASSERT_OK(set("connection_limit", "3"));
  ASSERT_OK(set("auto_reenable_below", "2"));
  connections(+1, 4);
  EXPECT_FALSE(service().enabled);
  connections(-1, 2); // count 2: not below 2
  EXPECT_FALSE(service().enabled);
  connections(-1); // count 1
  EXPECT_TRUE(service().enabled);
  auto last = workspace_log().back();
  ASSERT_EQ(events::type_of(last.body), event_type::service_enabled);
  EXPECT_EQ(last.by, events::system_actor);
  EXPECT_EQ(last.via, "auto_reenable_below");
  EXPECT_EQ(broadcaster_seen_->back(), "service on");
}

TEST_F(supervisor_test, degraded_query_only_keeps_queries_real_while_broadcasts_stay_off) {
  ASSERT_OK(set("connection_limit", "1"));
  ASSERT_OK(set("degraded_mode", "query_only"));
  directory_seen_->clear();
  broadcaster_seen_->clear();
  connections(+1, 2);
  EXPECT_FALSE(service().enabled);
  EXPECT_EQ(*broadcaster_seen_, strings{"service off connection_limit 2/1"});
  EXPECT_EQ(*directory_seen_, strings{"context on"}) << "presence queries keep real values";
}

TEST_F(supervisor_test, settings_are_validated_and_pushed) {
  ASSERT_ERRC(set("connection_limit", "-1"), errc::invalid_setting);
  ASSERT_ERRC(set("no_such_key", "1"), errc::invalid_setting);
  EXPECT_TRUE(workspace_log().empty()) << "a refused change leaves no event";
  broadcaster_seen_->clear();
  ASSERT_OK(set("connection_limit", "7"));
  auto settings = ask<events::workspace_settings>(caf::get_atom::value, settings_atom::value);
  ASSERT_OK(settings);
  EXPECT_EQ(settings->connection_limit, 7u);
  EXPECT_EQ(*broadcaster_seen_, strings{"settings limit=7"});
}

TEST_F(supervisor_test, state_after_a_restart_equals_the_live_state) {
  ASSERT_OK(run(command::create_user{"U1", "Ada", false, {}}));
  auto token = run(command::issue_token{"U1", {}});
  ASSERT_OK(token);
  ASSERT_OK(set("connection_limit", "2"));
  ASSERT_OK(run(command::create_preset{"Lunch", events::presence_value::away, {}}));
  connections(+1, 3);
  ASSERT_FALSE(service().enabled);
  // Replay the workspace stream into a fresh supervisor, as the engine does at start.
  events::workspace_state replayed;
  for (const auto& ev : workspace_log())
    events::apply(replayed, ev);
  EXPECT_FALSE(replayed.service_enabled);
  EXPECT_EQ(replayed.disabled_connections, 3u);
  supervisor_ = start_supervisor(replayed);
  auto who = run(command::authenticate{token->secret});
  ASSERT_OK(who);
  EXPECT_EQ(who->user.id, "U1");
  auto settings = ask<events::workspace_settings>(caf::get_atom::value, settings_atom::value);
  ASSERT_OK(settings);
  EXPECT_EQ(settings->connection_limit, 2u);
  auto presets = ask<std::vector<events::preset>>(caf::get_atom::value, presets_atom::value);
  ASSERT_OK(presets);
  EXPECT_EQ(presets->size(), 1u);
  EXPECT_FALSE(service().enabled);
}

} // namespace
} // namespace presence::actors::test_supervisor
