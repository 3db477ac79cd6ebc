// End-to-end: the Rocket.Chat-compatible REST API (/api/v1/) of a real presenced.

#include <string>

#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace presence::test {
namespace {

class rest_api : public shared_server_test<rest_api> {
 protected:
  /// The admin's REST credentials: the admin token acts as user "admin".
  http_response admin_rc(const std::string& verb, const std::string& method,
                         const json& body = json::object(), const std::string& query = {}) {
    return server().rc(verb, method, server().admin(), "admin", body, query);
  }
};

TEST_F(rest_api, set_status_and_get_status) {
  auto token = server().create_user("rc1");
  auto set = server().rc("POST", "users.setStatus", token, "rc1",
                         {{"status", "busy"}, {"message", "Deep work"}});
  EXPECT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json()["success"], true);
  auto got = server().rc("GET", "users.getStatus", token, "rc1");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json()["_id"], "rc1");
  EXPECT_EQ(got.json()["message"], "Deep work");
  EXPECT_EQ(got.json()["connectionStatus"], "offline");  // no socket open
  EXPECT_EQ(got.json()["status"], "offline");             // busy needs a connection
  // The Slack view of the same user agrees.
  EXPECT_EQ(server().slack("users.getPresence", token)["manual_presence"], "busy");
  EXPECT_EQ(server().slack("users.profile.get", token)["profile"]["status_text"], "Deep work");

  // online -> auto, offline -> invisible.
  server().rc("POST", "users.setStatus", token, "rc1", {{"status", "offline"}});
  EXPECT_EQ(server().slack("users.getPresence", token)["manual_presence"], "invisible");
  server().rc("POST", "users.setStatus", token, "rc1", {{"status", "online"}});
  EXPECT_EQ(server().slack("users.getPresence", token)["manual_presence"], "auto");
  // A message alone keeps the presence.
  server().rc("POST", "users.setStatus", token, "rc1", {{"message", "Back"}});
  EXPECT_EQ(server().slack("users.profile.get", token)["profile"]["status_text"], "Back");
}

TEST_F(rest_api, set_status_errors) {
  auto token = server().create_user("rc2");
  server().create_user("rc2_other");
  auto bad = server().rc("POST", "users.setStatus", token, "rc2", {{"status", "dancing"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["success"], false);
  EXPECT_EQ(bad.json()["errorType"], "error-invalid-status");
  auto empty = server().rc("POST", "users.setStatus", token, "rc2");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json()["errorType"], "error-invalid-params");
  auto too_long = server().rc("POST", "users.setStatus", token, "rc2",
                              {{"message", std::string(101, 'x')}});
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(too_long.json()["errorType"], "error-invalid-message");
  // Someone else's status: forbidden unless admin.
  auto other = server().rc("POST", "users.setStatus", token, "rc2",
                           {{"status", "away"}, {"userId", "rc2_other"}});
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.json()["success"], false);
  auto as_admin = admin_rc("POST", "users.setStatus", {{"status", "away"}, {"userId", "rc2_other"}});
  EXPECT_EQ(as_admin.status, 200) << as_admin.body;
  auto unknown = admin_rc("POST", "users.setStatus", {{"status", "away"}, {"userId", "ghost"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json()["errorType"], "error-invalid-user");
  auto wrong_verb = server().rc("GET", "users.setStatus", token, "rc2");
  EXPECT_EQ(wrong_verb.status, 405);
  auto missing = server().rc("GET", "users.nope", token, "rc2");
  EXPECT_EQ(missing.status, 404);
  auto bad_json = server().http().request("POST", "/api/v1/users.setStatus", "{x",
                                          {{"X-Auth-Token", token}, {"X-User-Id", "rc2"}},
                                          "application/json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(bad_json.json()["errorType"], "error-invalid-json");
}

TEST_F(rest_api, get_status_of_another_user_by_id_or_username) {
  auto token = server().create_user("rc3");
  auto other = server().create_user("rc3_other");
  server().rc("POST", "users.setStatus", other, "rc3_other", {{"status", "away"}, {"message", "Out"}});
  auto by_id = server().rc("GET", "users.getStatus", token, "rc3", {}, "userId=rc3_other");
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_EQ(by_id.json()["message"], "Out");
  EXPECT_FALSE(by_id.json().contains("connectionStatus"));
  auto by_name = server().rc("GET", "users.getStatus", token, "rc3", {}, "username=rc3_other");
  EXPECT_EQ(by_name.json()["_id"], "rc3_other");
  auto ghost = server().rc("GET", "users.getStatus", token, "rc3", {}, "userId=ghost");
  EXPECT_EQ(ghost.status, 400);
  EXPECT_EQ(ghost.json()["errorType"], "error-invalid-user");
}

TEST_F(rest_api, users_presence_for_a_list_of_ids) {
  auto token = server().create_user("rc4");
  server().create_user("rc4_b");
  auto res = server().rc("GET", "users.presence", token, "rc4", {}, "ids=rc4,rc4_b,ghost");
  ASSERT_EQ(res.status, 200) << res.body;
  auto users = res.json()["users"];
  ASSERT_EQ(users.size(), 2u) << res.body;  // unknown ids are skipped
  for (const auto& u : users)
    EXPECT_EQ(u["status"], "offline");
  auto none = server().rc("GET", "users.presence", token, "rc4");
  EXPECT_EQ(none.status, 400);
}

TEST_F(rest_api, an_always_active_bot_shows_online_where_slack_says_away) {
  auto token = server().create_user("rc5");
  auto admin = server().admin();
  auto bot = server().slack("admin.users.create", admin,
                            {{"id", "rc5_bot"}, {"name", "rc5_bot"}, {"is_bot", true}});
  ASSERT_EQ(bot.value("ok", false), true) << bot.dump();
  auto presence = [&] {
    auto res = server().rc("GET", "users.presence", token, "rc5", {}, "ids=rc5_bot,rc5");
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json()["users"];
  };
  auto status = [&] {
    return server().rc("GET", "users.getStatus", token, "rc5", {}, "userId=rc5_bot").json();
  };
  EXPECT_EQ(presence()[0]["status"], "offline") << "not always-active yet, not connected";
  EXPECT_EQ(status()["status"], "offline");

  auto set = server().slack("admin.users.setAlwaysActive", admin,
                            {{"user", "rc5_bot"}, {"always_active", true}});
  ASSERT_EQ(set.value("ok", false), true) << set.dump();
  auto users = presence();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0], (json{{"_id", "rc5_bot"}, {"status", "online"}}));
  EXPECT_EQ(users[1], (json{{"_id", "rc5"}, {"status", "offline"}})) << "people are unchanged";
  EXPECT_EQ(status()["status"], "online");
  // Slack's presence field stays what the bot's connections make it.
  auto slack = server().slack("users.getPresence", token, {{"user", "rc5_bot"}});
  EXPECT_EQ(slack.value("presence", ""), "away") << slack.dump();
}

TEST_F(rest_api, custom_user_status_crud_and_paging) {
  std::vector<std::string> ids;
  for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
         {"Lunch", "away"}, {"Focus", "busy"}, {"Around", "online"}}) {
    auto created = admin_rc("POST", "custom-user-status.create",
                            {{"customUserStatusData", {{"name", name}, {"statusType", type}}}});
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_EQ(created.json()["customUserStatus"]["name"], name);
    EXPECT_EQ(created.json()["customUserStatus"]["statusType"], type);
    ids.push_back(created.json()["customUserStatus"]["_id"]);
  }
  auto user = server().create_user("rc5");
  auto page = server().rc("GET", "custom-user-status.list", user, "rc5", {}, "offset=1&count=1");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.json()["count"], 1);
  EXPECT_EQ(page.json()["offset"], 1);
  EXPECT_GE(page.json()["total"].get<int>(), 3);
  EXPECT_EQ(page.json()["statuses"].size(), 1u);

  auto updated = admin_rc("POST", "custom-user-status.update",
                          {{"_id", ids[0]}, {"name", "Long lunch"}, {"statusType", "away"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json()["customUserStatus"]["name"], "Long lunch");
  auto bad_type = admin_rc("POST", "custom-user-status.update", {{"_id", ids[0]}, {"statusType", "x"}});
  EXPECT_EQ(bad_type.status, 400);
  auto deleted = admin_rc("POST", "custom-user-status.delete", {{"customUserStatusId", ids[0]}});
  EXPECT_EQ(deleted.status, 200) << deleted.body;
  auto again = admin_rc("POST", "custom-user-status.delete", {{"customUserStatusId", ids[0]}});
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json()["errorType"], "error-invalid-custom-user-status");
  auto missing = admin_rc("POST", "custom-user-status.create", {{"customUserStatusData", {{"name", "x"}}}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.json()["errorType"], "error-the-field-is-required");
  auto unnamed = admin_rc("POST", "custom-user-status.create",
                          {{"customUserStatusData", {{"name", ""}, {"statusType", "away"}}}});
  EXPECT_EQ(unnamed.status, 400);
  EXPECT_EQ(unnamed.json()["errorType"], "error-invalid-custom-user-status-name");
  // Managing statuses is for admins.
  auto forbidden = server().rc("POST", "custom-user-status.create", user, "rc5",
                               {{"customUserStatusData", {{"name", "Mine"}, {"statusType", "busy"}}}});
  EXPECT_EQ(forbidden.status, 403);
}

TEST_F(rest_api, custom_user_status_current_shapes_search_and_sort) {
  // Current Rocket.Chat sends name and statusType at the top level (any letter case).
  auto created = admin_rc("POST", "custom-user-status.create",
                          {{"name", "Zz Commuting"}, {"statusType", "Away"}});
  ASSERT_EQ(created.status, 200) << created.body;
  auto status = created.json()["customUserStatus"];
  EXPECT_EQ(status["name"], "Zz Commuting");
  EXPECT_EQ(status["statusType"], "away");
  ASSERT_TRUE(status["_id"].is_string());
  // ISO 8601 UTC with milliseconds, e.g. 2026-12-06T05:30:00.123Z.
  ASSERT_TRUE(status["_updatedAt"].is_string()) << created.body;
  auto stamp = status["_updatedAt"].get<std::string>();
  EXPECT_EQ(stamp.size(), 24u) << stamp;
  EXPECT_EQ(stamp.substr(10, 1), "T");
  EXPECT_EQ(stamp.back(), 'Z');
  auto id = status["_id"].get<std::string>();
  ASSERT_EQ(admin_rc("POST", "custom-user-status.create",
                     {{"name", "Zz Busy commuting"}, {"statusType", "busy"}})
              .status,
            200);

  // name: a case-insensitive substring; sorted by name.
  auto user = server().create_user("rc_search");
  auto found = server().rc("GET", "custom-user-status.list", user, "rc_search", {}, "name=zz%20");
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(found.json()["statuses"].size(), 2u) << found.body;
  EXPECT_EQ(found.json()["statuses"][0]["name"], "Zz Busy commuting");
  EXPECT_EQ(found.json()["statuses"][1]["name"], "Zz Commuting");
  EXPECT_EQ(found.json()["total"], 2);
  auto by_id = server().rc("GET", "custom-user-status.list", user, "rc_search", {}, "_id=" + id);
  ASSERT_EQ(by_id.json()["statuses"].size(), 1u) << by_id.body;
  EXPECT_EQ(by_id.json()["statuses"][0]["_id"], id);
  auto none = server().rc("GET", "custom-user-status.list", user, "rc_search", {}, "name=nothing-like-it");
  EXPECT_EQ(none.json()["statuses"].size(), 0u);

  // update at the top level answers the current shape with a fresh _updatedAt.
  auto updated = admin_rc("POST", "custom-user-status.update",
                          {{"_id", id}, {"name", "Zz Train"}, {"statusType", "BUSY"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json()["customUserStatus"]["name"], "Zz Train");
  EXPECT_EQ(updated.json()["customUserStatus"]["statusType"], "busy");
  EXPECT_GE(updated.json()["customUserStatus"]["_updatedAt"].get<std::string>(), stamp);
  auto missing_type = admin_rc("POST", "custom-user-status.create", {{"name", "No type"}});
  EXPECT_EQ(missing_type.status, 400);
  EXPECT_EQ(missing_type.json()["errorType"], "error-the-field-is-required");
  EXPECT_EQ(admin_rc("POST", "custom-user-status.delete", {{"customUserStatusId", id}}).status, 200);
}

TEST_F(rest_api, preferences_set_by_the_user_and_by_an_admin) {
  auto token = server().create_user("rc7");
  auto other = server().create_user("rc7_other");
  // Nothing set: the workspace default (600 s) and auto-away on.
  auto initial = server().rc("GET", "users.getPreferences", token, "rc7");
  ASSERT_EQ(initial.status, 200) << initial.body;
  EXPECT_EQ(initial.json()["preferences"]["enableAutoAway"], true);
  EXPECT_EQ(initial.json()["preferences"]["idleTimeLimit"], 600);

  auto set = server().rc("POST", "users.setPreferences", token, "rc7",
                         {{"data", {{"enableAutoAway", true}, {"idleTimeLimit", 30}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json()["user"]["_id"], "rc7");
  EXPECT_EQ(set.json()["user"]["settings"]["preferences"]["idleTimeLimit"], 30);
  // A partial change keeps the other field; other preferences are ignored.
  auto partial = server().rc("POST", "users.setPreferences", token, "rc7",
                             {{"data", {{"enableAutoAway", false}, {"language", "en"}}}});
  ASSERT_EQ(partial.status, 200) << partial.body;
  auto got = server().rc("GET", "users.getPreferences", token, "rc7").json()["preferences"];
  EXPECT_EQ(got["enableAutoAway"], false);
  EXPECT_EQ(got["idleTimeLimit"], 30);
  // The Slack-side methods read and write the same preferences.
  auto slack = server().slack("users.prefs.get", token);
  EXPECT_EQ(slack["prefs"]["auto_away"], false) << slack;
  EXPECT_EQ(slack["prefs"]["idle_timeout"], 30);
  auto reset = server().slack("users.prefs.set", token, {{"idle_timeout", 0}, {"auto_away", true}});
  EXPECT_EQ(reset["ok"], true) << reset;
  EXPECT_EQ(reset["prefs"]["idle_timeout"], 0);
  EXPECT_EQ(reset["prefs"]["idle_timeout_in_force"], 600);

  // Someone else's: admins only, on both APIs.
  auto forbidden = server().rc("POST", "users.setPreferences", token, "rc7",
                               {{"userId", "rc7_other"}, {"data", {{"idleTimeLimit", 60}}}});
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.json()["errorType"], "error-not-allowed");
  EXPECT_EQ(server().slack("users.prefs.set", token, {{"user", "rc7_other"}, {"idle_timeout", 60}})
              ["error"],
            "not_admin");
  auto by_admin = admin_rc("POST", "users.setPreferences",
                           {{"userId", "rc7_other"}, {"data", {{"idleTimeLimit", 604800}}}});
  ASSERT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_EQ(server().rc("GET", "users.getPreferences", other, "rc7_other")
              .json()["preferences"]["idleTimeLimit"],
            604800);
}

TEST_F(rest_api, preferences_out_of_range_or_of_the_wrong_type_are_refused) {
  auto token = server().create_user("rc8");
  for (const json& data : {json{{"idleTimeLimit", 29}}, json{{"idleTimeLimit", 604801}},
                           json{{"idleTimeLimit", 0}}, json{{"idleTimeLimit", "60"}},
                           json{{"idleTimeLimit", 60.5}}, json{{"enableAutoAway", "yes"}}}) {
    auto res = server().rc("POST", "users.setPreferences", token, "rc8", {{"data", data}});
    EXPECT_EQ(res.status, 400) << data << " " << res.body;
    EXPECT_EQ(res.json()["errorType"], "error-invalid-params") << data;
  }
  auto no_data = server().rc("POST", "users.setPreferences", token, "rc8", {{"idleTimeLimit", 60}});
  EXPECT_EQ(no_data.status, 400);
  EXPECT_NE(no_data.json()["error"].get<std::string>().find("data"), std::string::npos);
  for (const json& args : {json{{"idle_timeout", 29}}, json{{"idle_timeout", "soon"}},
                           json{{"auto_away", "maybe"}}, json::object()}) {
    auto res = server().slack("users.prefs.set", token, args);
    EXPECT_EQ(res["error"], "invalid_arguments") << args << " " << res;
  }
  // Nothing was stored.
  auto got = server().rc("GET", "users.getPreferences", token, "rc8").json()["preferences"];
  EXPECT_EQ(got["idleTimeLimit"], 600);
  EXPECT_EQ(got["enableAutoAway"], true);
}

TEST_F(rest_api, presence_connections_and_broadcast) {
  auto res = admin_rc("GET", "presence.getConnections");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json()["current"], 0);
  EXPECT_EQ(res.json()["max"], 200);
  server().slack("admin.settings.set", server().admin(), {{"key", "connection_limit"}, {"value", "7"}});
  EXPECT_EQ(admin_rc("GET", "presence.getConnections").json()["max"], 7);
  auto enable = admin_rc("POST", "presence.enableBroadcast");
  EXPECT_EQ(enable.status, 200) << enable.body;
  auto user = server().create_user("rc6");
  EXPECT_EQ(server().rc("GET", "presence.getConnections", user, "rc6").status, 403);
  EXPECT_EQ(server().rc("POST", "presence.enableBroadcast", user, "rc6").status, 403);
}

} // namespace
} // namespace presence::test
