// The must-show: a hand-written scenario imported with `presencectl import`, then `inspect --at`
// at several instants gives exactly the presence docs/design.md §1 prescribes.
#include "presencectl_runner.hpp"

namespace presence::test {
namespace {

class scenario_test : public ctl_fixture {
 protected:
  void SetUp() override { import(data_file("scenario.jsonl")); }

  /// `inspect USER --at T --json`, parsed; asserts success.
  nlohmann::json inspect_at(const std::string& user, const std::string& at) {
    auto run = ctl({"inspect", user, "--at", at, "--json"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.json();
  }
};

TEST_F(scenario_test, offline_before_the_first_connection) {
  auto view = inspect_at("alice", "2026-11-21T08:30:00Z");
  EXPECT_EQ(view["presence"], "offline");
  EXPECT_EQ(view["online"], false);
  EXPECT_EQ(view["connection_count"], 0);
  EXPECT_TRUE(view["last_activity"].is_null());
}

TEST_F(scenario_test, connecting_is_activity_and_makes_the_user_online) {
  auto view = inspect_at("alice", "2026-11-21T09:00:00Z");
  EXPECT_EQ(view["presence"], "online");
  EXPECT_EQ(view["online"], true);
  EXPECT_EQ(view["auto_away"], false);
  ASSERT_EQ(view["connection_count"], 1);
  ASSERT_EQ(view["connections"].size(), 1u);
  EXPECT_EQ(view["connections"][0]["id"], "c1");
  EXPECT_EQ(view["connections"][0]["client"], "web");
  EXPECT_EQ(view["connections"][0]["epoch"], 1);
  EXPECT_EQ(view["last_activity"], "2026-11-21T09:00:00.000000Z");
}

TEST_F(scenario_test, auto_away_exactly_at_the_idle_timeout_before_the_away_event_is_logged) {
  // Last activity 09:05:00, idle_timeout 600 s: away from 09:15:00 on. The timer's `away` event
  // was only logged at 09:15:30, but the rule applies at the asked instant.
  auto just_before = inspect_at("alice", "2026-11-21T09:14:59.999999Z");
  EXPECT_EQ(just_before["presence"], "online");
  EXPECT_EQ(just_before["last_activity"], "2026-11-21T09:05:00.000000Z");
  for (const char* at : {"2026-11-21T09:15:00Z", "2026-11-21T09:15:10Z"}) {
    auto view = inspect_at("alice", at);
    EXPECT_EQ(view["presence"], "away") << at;
    EXPECT_EQ(view["auto_away"], true) << at;
    EXPECT_EQ(view["manual_away"], false) << at;
    EXPECT_EQ(view["online"], true) << at;
  }
  auto after_logged = inspect_at("alice", "2026-11-21T09:20:00Z");
  EXPECT_EQ(after_logged["presence"], "away");
  EXPECT_EQ(after_logged["auto_away"], true);
}

TEST_F(scenario_test, activity_brings_the_user_back_online) {
  auto view = inspect_at("alice", "2026-11-21T09:30:00Z");
  EXPECT_EQ(view["presence"], "online");
  EXPECT_EQ(view["auto_away"], false);
  EXPECT_EQ(view["last_activity"], "2026-11-21T09:30:00.000000Z");
}

TEST_F(scenario_test, busy_until_its_expiry_then_online) {
  // Accepts Unix seconds and offsets too: 10:30Z, 10:59:59Z.
  auto busy = inspect_at("alice", "1795257000");
  EXPECT_EQ(busy["at"], "2026-11-21T10:30:00.000000Z");
  EXPECT_EQ(busy["presence"], "busy");
  EXPECT_EQ(busy["manual"], "busy");
  EXPECT_EQ(busy["manual_until"], "2026-11-21T11:00:00.000000Z");
  auto last_second = inspect_at("alice", "2026-11-21T11:59:59+01:00");
  EXPECT_EQ(last_second["presence"], "busy");
  auto expired = inspect_at("alice", "2026-11-21T11:00:00Z");
  EXPECT_EQ(expired["presence"], "online");
  EXPECT_EQ(expired["manual"], "auto");
  EXPECT_TRUE(expired["manual_until"].is_null());
}

TEST_F(scenario_test, invisible_shows_offline_while_connected) {
  auto view = inspect_at("alice", "2026-11-21T11:45:00Z");
  EXPECT_EQ(view["presence"], "offline");
  EXPECT_EQ(view["manual"], "invisible");
  EXPECT_EQ(view["online"], true);
  EXPECT_EQ(view["connection_count"], 1);
}

TEST_F(scenario_test, custom_status_is_cleared_at_its_expiration) {
  auto during = inspect_at("alice", "2026-11-21T12:10:00Z");
  EXPECT_EQ(during["presence"], "online");
  EXPECT_EQ(during["status"]["text"], "In a meeting");
  EXPECT_EQ(during["status"]["emoji"], ":calendar:");
  EXPECT_EQ(during["status"]["expiration"], 1795266000);
  auto last_moment = inspect_at("alice", "2026-11-21T12:59:59.999999Z");
  EXPECT_EQ(last_moment["status"]["text"], "In a meeting");
  EXPECT_EQ(last_moment["presence"], "away");  // idle since 12:15
  auto expired = inspect_at("alice", "2026-11-21T13:00:00Z");
  EXPECT_EQ(expired["status"]["text"], "");
  EXPECT_EQ(expired["status"]["emoji"], "");
  EXPECT_EQ(expired["status"]["expiration"], 0);
}

TEST_F(scenario_test, disconnecting_the_last_connection_makes_the_user_offline) {
  auto view = inspect_at("alice", "2026-11-21T18:00:00Z");
  EXPECT_EQ(view["presence"], "offline");
  EXPECT_EQ(view["online"], false);
  EXPECT_EQ(view["connection_count"], 0);
  EXPECT_TRUE(view["connections"].empty());
}

TEST_F(scenario_test, other_users_are_independent) {
  auto bob_connected = inspect_at("bob", "2026-11-21T09:12:00Z");
  EXPECT_EQ(bob_connected["presence"], "online");
  EXPECT_EQ(bob_connected["connections"][0]["client"], "mobile");
  auto bob_timed_out = inspect_at("bob", "2026-11-21T10:00:00Z");
  EXPECT_EQ(bob_timed_out["presence"], "offline");
  auto bob_idle = inspect_at("bob", "2026-11-21T16:10:00Z");
  EXPECT_EQ(bob_idle["presence"], "away");
}

TEST_F(scenario_test, text_output_names_the_presence_and_the_connection) {
  auto run = ctl({"inspect", "alice", "--at", "2026-11-21T10:30:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("busy until 2026-11-21T11:00:00.000000Z"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("c1  client=web"), std::string::npos) << run.out;
}

TEST_F(scenario_test, unknown_user_is_an_error) {
  auto run = ctl({"inspect", "carol", "--at", "2026-11-21T10:00:00Z", "--json"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown_user"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("carol"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty());
}

} // namespace
} // namespace presence::test

namespace presence::test {
namespace {

// Bots: `user_created` with `bot`, `always_active_set`, and a bot's connection (client kind
// `bot`) that never goes auto-away, as replayed by presencectl.
class bot_scenario_test : public ctl_fixture {
 protected:
  void SetUp() override { import(data_file("bots.jsonl")); }
};

TEST_F(bot_scenario_test, history_shows_the_bot_and_its_always_active_flag) {
  auto run = ctl({"history", "$workspace", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto events = run.json_lines();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_FALSE(events[1].contains("bot")); // a person's record has no bot field
  EXPECT_EQ(events[2]["type"], "user_created");
  EXPECT_EQ(events[2]["bot"], true);
  EXPECT_EQ(events[3]["type"], "always_active_set");
  EXPECT_EQ(events[3]["user"], "robo");
  EXPECT_EQ(events[3]["always_active"], true);
}

TEST_F(bot_scenario_test, a_connected_bot_is_never_auto_away) {
  auto connected = ctl({"inspect", "robo", "--at", "2026-11-21T11:59:59Z", "--json"});
  ASSERT_EQ(connected.exit_code, 0) << connected.err;
  EXPECT_EQ(connected.json()["presence"], "online"); // three hours after its only activity
  EXPECT_EQ(connected.json()["auto_away"], false);
  auto gone = ctl({"inspect", "robo", "--at", "2026-11-21T12:00:00Z", "--json"});
  ASSERT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_EQ(gone.json()["presence"], "offline");
}

TEST_F(bot_scenario_test, inspect_at_shows_the_bot_and_when_it_became_always_active) {
  auto before = ctl({"inspect", "robo", "--at", "2026-11-21T08:00:01Z", "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(before.json()["bot"], true);
  EXPECT_EQ(before.json()["always_active"], false) << "created, not yet always-active";
  auto after = ctl({"inspect", "robo", "--at", "2026-11-21T08:00:02Z", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.json()["always_active"], true);
  auto person = ctl({"inspect", "alice", "--json"});
  ASSERT_EQ(person.exit_code, 0) << person.err;
  EXPECT_FALSE(person.json().contains("bot")) << "a person's state has no bot fields";
  auto text = ctl({"inspect", "robo"});
  EXPECT_NE(text.out.find("always-active on"), std::string::npos) << text.out;
}

} // namespace
} // namespace presence::test
