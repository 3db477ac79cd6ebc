// End-to-end: the admin Web API (users, tokens, settings, presets, the presence service).

#include <string>

#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace presence::test {
namespace {

class admin_api : public shared_server_test<admin_api> {};

TEST_F(admin_api, create_user_returns_the_user_and_a_working_token) {
  auto answer = expect_ok(server().slack("admin.users.create", server().admin(),
                                         {{"id", "carol"}, {"name", "Carol"}}));
  EXPECT_EQ(answer["user"]["id"], "carol");
  EXPECT_EQ(answer["user"]["name"], "Carol");
  EXPECT_EQ(answer["user"]["is_admin"], false);
  auto token = answer.value("token", "");
  EXPECT_GE(token.size(), 32u);  // >= 128 bits
  EXPECT_EQ(expect_ok(server().slack("auth.test", token))["user_id"], "carol");
  expect_slack_error(server().slack("admin.users.create", server().admin(), {{"id", "carol"}}),
                     "already_in_team");
  expect_slack_error(server().slack("admin.users.create", server().admin(), {{"id", "bad id!"}}),
                     "invalid_arguments");
  expect_slack_error(server().slack("admin.users.create", server().admin()), "invalid_arguments");
  expect_slack_error(server().slack("admin.users.create", server().admin(),
                                    {{"id", "x1"}, {"admin", "perhaps"}}),
                     "invalid_arguments");
}

TEST_F(admin_api, admin_methods_refuse_ordinary_users) {
  auto token = server().create_user("plain");
  for (const char* method :
       {"admin.users.create", "admin.users.deactivate", "admin.tokens.issue", "admin.tokens.revoke",
        "admin.settings.get", "admin.settings.set", "admin.presence.enable", "admin.presets.list",
        "admin.presets.create", "admin.presets.update", "admin.presets.delete",
        "admin.backups.create", "admin.backups.list"})
    expect_slack_error(server().slack(method, token, {{"id", "x"}, {"user", "plain"}}), "not_admin");
}

TEST_F(admin_api, an_admin_users_token_is_an_admin_token) {
  auto boss = server().create_user("boss", true);
  EXPECT_EQ(expect_ok(server().slack("auth.test", boss))["is_admin"], true);
  auto answer = expect_ok(server().slack("admin.users.create", boss, {{"id", "hired"}}));
  EXPECT_EQ(answer["user"]["id"], "hired");
}

TEST_F(admin_api, deactivated_users_are_refused_with_account_inactive) {
  auto token = server().create_user("leaver");
  expect_ok(server().slack("auth.test", token));  // also warms the auth cache
  expect_ok(server().slack("admin.users.deactivate", server().admin(), {{"user", "leaver"}}));
  expect_slack_error(server().slack("auth.test", token), "account_inactive");
  expect_slack_error(server().slack("admin.users.deactivate", server().admin(), {{"user", "ghost"}}),
                     "user_not_found");
}

TEST_F(admin_api, tokens_issue_and_revoke) {
  server().create_user("dave");
  auto issued = expect_ok(server().slack("admin.tokens.issue", server().admin(), {{"user", "dave"}}));
  auto token = issued.value("token", "");
  auto token_id = issued.value("token_id", "");
  ASSERT_FALSE(token_id.empty());
  EXPECT_EQ(expect_ok(server().slack("auth.test", token))["user_id"], "dave");
  expect_ok(server().slack("admin.tokens.revoke", server().admin(), {{"token_id", token_id}}));
  expect_slack_error(server().slack("auth.test", token), "token_revoked");
  expect_slack_error(server().slack("admin.tokens.revoke", server().admin(), {{"token_id", "nope"}}),
                     "token_not_found");
  expect_slack_error(server().slack("admin.tokens.issue", server().admin(), {{"user", "ghost"}}),
                     "user_not_found");
}

TEST_F(admin_api, settings_get_and_set) {
  auto settings = expect_ok(server().slack("admin.settings.get", server().admin()))["settings"];
  EXPECT_EQ(settings["idle_timeout"], 600);
  EXPECT_EQ(settings["connection_limit"], 200);
  auto changed = expect_ok(server().slack("admin.settings.set", server().admin(),
                                          {{"key", "idle_timeout"}, {"value", "300"}}));
  EXPECT_EQ(changed["settings"]["idle_timeout"], 300);
  auto many = expect_ok(server().slack("admin.settings.set", server().admin(),
                                       {{"settings", {{"flush_interval_ms", 50},
                                                      {"max_subscription", "100"}}}}));
  EXPECT_EQ(many["settings"]["flush_interval_ms"], 50);
  EXPECT_EQ(many["settings"]["max_subscription"], 100);
  expect_slack_error(server().slack("admin.settings.set", server().admin(),
                                    {{"key", "idle_timeout"}, {"value", "-5"}}),
                     "invalid_setting");
  expect_slack_error(server().slack("admin.settings.set", server().admin(),
                                    {{"key", "no_such_setting"}, {"value", "1"}}),
                     "invalid_setting");
  expect_slack_error(server().slack("admin.settings.set", server().admin(), {{"key", "idle_timeout"}}),
                     "invalid_arguments");
}

TEST_F(admin_api, presets_crud) {
  auto created = expect_ok(server().slack("admin.presets.create", server().admin(),
                                          {{"name", "In a meeting"}, {"presence", "busy"}}));
  auto id = created["preset"].value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(created["preset"]["presence"], "busy");
  auto renamed = expect_ok(server().slack("admin.presets.update", server().admin(),
                                          {{"id", id}, {"name", "Meeting"}}));
  EXPECT_EQ(renamed["preset"]["name"], "Meeting");
  EXPECT_EQ(renamed["preset"]["presence"], "busy");  // kept
  auto list = expect_ok(server().slack("admin.presets.list", server().admin()))["presets"];
  bool found = false;
  for (const auto& p : list)
    found = found || (p["id"] == id && p["name"] == "Meeting");
  EXPECT_TRUE(found) << list.dump();
  expect_ok(server().slack("admin.presets.delete", server().admin(), {{"id", id}}));
  expect_slack_error(server().slack("admin.presets.delete", server().admin(), {{"id", id}}),
                     "preset_not_found");
  expect_slack_error(server().slack("admin.presets.update", server().admin(), {{"id", id}, {"name", "x"}}),
                     "preset_not_found");
  expect_slack_error(server().slack("admin.presets.create", server().admin(),
                                    {{"name", "Odd"}, {"presence", "dancing"}}),
                     "invalid_presence");
  expect_slack_error(server().slack("admin.presets.create", server().admin(),
                                    {{"name", ""}, {"presence", "away"}}),
                     "invalid_preset");
  expect_slack_error(server().slack("admin.presets.create", server().admin(), {{"presence", "away"}}),
                     "invalid_arguments");
}

TEST_F(admin_api, presence_enable_while_enabled_is_fine) {
  expect_ok(server().slack("admin.presence.enable", server().admin()));
}

} // namespace
} // namespace presence::test
