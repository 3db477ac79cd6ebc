// End-to-end: the Slack-compatible Web API of a real presenced over real HTTP.

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "api_fixture.hpp"
#include "http/request_params.hpp"

namespace presence::test {
namespace {

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

/// Unix seconds with µs precision, as a decimal string ("1700000000.123456").
std::string unix_now_precise() {
  using namespace std::chrono;
  auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  auto fraction = std::to_string(us % 1'000'000);
  return std::to_string(us / 1'000'000) + "." + std::string(6 - fraction.size(), '0') + fraction;
}

class web_api : public shared_server_test<web_api> {};

TEST_F(web_api, auth_test_names_the_caller_and_team) {
  auto token = server().create_user("auth1");
  auto answer = expect_ok(server().slack("auth.test", token));
  EXPECT_EQ(answer["user_id"], "auth1");
  EXPECT_EQ(answer["user"], "Name of auth1");
  EXPECT_EQ(answer["team_id"], "T00000001");
  EXPECT_EQ(answer["is_admin"], false);
  EXPECT_EQ(answer["url"], "http://127.0.0.1:" + std::to_string(server().process().port()) + "/");
}

TEST_F(web_api, token_as_parameter_in_form_and_json_body_but_not_in_the_query) {
  auto token = server().create_user("tokparam");
  auto form = server().http().post_form("/api/auth.test", "token=" + token);
  EXPECT_EQ(form.json()["user_id"], "tokparam") << form.body;
  auto query = server().http().get("/api/auth.test?token=" + token);
  EXPECT_EQ(query.json()["error"], "not_authed") << query.body;
  auto json_body = server().http().post_json("/api/auth.test", {{"token", token}});
  EXPECT_EQ(json_body.json()["user_id"], "tokparam") << json_body.body;
}

TEST_F(web_api, set_presence_away_then_auto) {
  auto token = server().create_user("pres1");
  auto before = expect_ok(server().slack("users.getPresence", token));
  EXPECT_EQ(before["presence"], "away");  // no connection: offline reads as away
  EXPECT_EQ(before["online"], false);
  EXPECT_EQ(before["connection_count"], 0);
  EXPECT_EQ(before["manual_away"], false);

  expect_ok(server().slack("users.setPresence", token, {{"presence", "away"}}));
  auto away = expect_ok(server().slack("users.getPresence", token));
  EXPECT_EQ(away["manual_away"], true);
  EXPECT_EQ(away["manual_presence"], "away");

  expect_ok(server().slack("users.setPresence", token, {{"presence", "auto"}}));
  auto back = expect_ok(server().slack("users.getPresence", token));
  EXPECT_EQ(back["manual_away"], false);
  EXPECT_EQ(back["manual_presence"], "auto");
  EXPECT_GE(back["last_activity"].get<int64_t>(), unix_now() - 5); // choosing auto is activity
}

TEST_F(web_api, set_active_is_activity) {
  auto token = server().create_user("active1");
  EXPECT_EQ(expect_ok(server().slack("users.getPresence", token))["last_activity"], 0);
  expect_ok(server().slack("users.setActive", token));
  auto after = expect_ok(server().slack("users.getPresence", token));
  EXPECT_GE(after["last_activity"].get<int64_t>(), unix_now() - 5);
  EXPECT_EQ(server().slack("users.setActive", "xoxp-not-a-token")["error"], "invalid_auth");
}

TEST_F(web_api, rtm_connect_carries_a_known_client_kind_only) {
  auto token = server().create_user("kind1");
  auto mobile = expect_ok(server().slack("rtm.connect", token, {{"client", "mobile"}}));
  EXPECT_NE(mobile["url"].get<std::string>().find("ticket="), std::string::npos);
  expect_slack_error(server().slack("rtm.connect", token, {{"client", "phone"}}),
                     "invalid_arguments");
}

TEST_F(web_api, set_presence_extensions_busy_invisible_and_expiration) {
  auto token = server().create_user("pres2");
  expect_ok(server().slack("users.setPresence", token,
                           {{"presence", "busy"}, {"expiration", unix_now() + 3600}}));
  EXPECT_EQ(server().slack("users.getPresence", token)["manual_presence"], "busy");
  // A form body works too (the SDKs' default).
  auto form = server().http().post_form("/api/users.setPresence", "presence=invisible",
                                        {{"Authorization", "Bearer " + token}});
  expect_ok(form.json());
  EXPECT_EQ(server().slack("users.getPresence", token)["manual_presence"], "invisible");
}

TEST_F(web_api, set_presence_errors) {
  auto token = server().create_user("pres3");
  expect_slack_error(server().slack("users.setPresence", token), "invalid_presence");
  expect_slack_error(server().slack("users.setPresence", token, {{"presence", "active"}}),
                     "invalid_presence");
  expect_slack_error(server().slack("users.setPresence", token,
                                    {{"presence", "busy"}, {"expiration", unix_now() - 10}}),
                     "expiration_in_past");
  expect_slack_error(server().slack("users.setPresence", token,
                                    {{"presence", "busy"}, {"expiration", "soon"}}),
                     "invalid_arguments");
}

TEST_F(web_api, another_users_presence_reveals_presence_only) {
  auto alice = server().create_user("reveal_a");
  server().create_user("reveal_b");
  auto answer = expect_ok(server().slack("users.getPresence", alice, {{"user", "reveal_b"}}));
  EXPECT_EQ(answer["presence"], "away");
  EXPECT_FALSE(answer.contains("online"));
  EXPECT_FALSE(answer.contains("connection_count"));
  EXPECT_FALSE(answer.contains("last_activity"));
  EXPECT_FALSE(answer.contains("manual_presence"));
  expect_slack_error(server().slack("users.getPresence", alice, {{"user", "nobody_here"}}),
                     "user_not_found");
}

TEST_F(web_api, get_presence_at_a_past_instant) {
  auto token = server().create_user("pres_at");
  auto before = unix_now_precise();
  expect_ok(server().slack("users.setPresence", token, {{"presence", "away"}}));
  auto after = unix_now_precise();
  auto then = expect_ok(server().slack("users.getPresence", token, {{"at", before}}));
  EXPECT_EQ(then["manual_away"], false) << then.dump();
  auto now = expect_ok(server().slack("users.getPresence", token, {{"at", after}}));
  EXPECT_EQ(now["manual_away"], true) << now.dump();
  EXPECT_EQ(now["presence"], "away");
  expect_slack_error(server().slack("users.getPresence", token, {{"at", unix_now() + 3600}}),
                     "invalid_arguments");
  expect_slack_error(server().slack("users.getPresence", token, {{"at", "yesterday"}}),
                     "invalid_arguments");
}

TEST_F(web_api, past_presence_of_others_is_for_admins_unless_the_workspace_opens_it) {
  auto asker = server().create_user("hist_asker");
  auto subject = server().create_user("hist_subject");
  expect_ok(server().slack("users.setPresence", subject, {{"presence", "away"}}));
  auto at = unix_now_precise();
  const json ask_past = {{"user", "hist_subject"}, {"at", at}};

  auto settings = expect_ok(server().slack("admin.settings.get", server().admin()))["settings"];
  EXPECT_EQ(settings["presence_history"], "self") << "off for others by default";
  expect_slack_error(server().slack("users.getPresence", asker, ask_past), "no_permission");
  // Now is not history: anyone may still ask the present, as in Slack.
  expect_ok(server().slack("users.getPresence", asker, {{"user", "hist_subject"}}));
  // Oneself and admins always may.
  EXPECT_EQ(expect_ok(server().slack("users.getPresence", subject, {{"at", at}}))["manual_away"],
            true);
  EXPECT_EQ(expect_ok(server().slack("users.getPresence", server().admin(), ask_past))["presence"],
            "away");

  expect_ok(server().slack("admin.settings.set", server().admin(),
                           {{"key", "presence_history"}, {"value", "everyone"}}));
  auto opened = expect_ok(server().slack("users.getPresence", asker, ask_past));
  EXPECT_EQ(opened["presence"], "away");
  EXPECT_FALSE(opened.contains("manual_away")) << "another user's answer stays presence only";
  expect_slack_error(server().slack("admin.settings.set", server().admin(),
                                    {{"key", "presence_history"}, {"value", "anyone"}}),
                     "invalid_setting");
  expect_ok(server().slack("admin.settings.set", server().admin(),
                           {{"key", "presence_history"}, {"value", "self"}}));
  expect_slack_error(server().slack("users.getPresence", asker, ask_past), "no_permission");
}

TEST_F(web_api, a_user_cannot_change_another_users_presence_or_status) {
  auto mallory = server().create_user("mallory");
  server().create_user("victim");
  expect_slack_error(server().slack("users.setPresence", mallory,
                                    {{"presence", "away"}, {"user", "victim"}}),
                     "not_admin");
  expect_slack_error(server().slack("users.profile.set", mallory,
                                    {{"user", "victim"}, {"profile", {{"status_text", "pwned"}}}}),
                     "not_admin");
  auto status = expect_ok(server().slack("users.profile.get", mallory, {{"user", "victim"}}));
  EXPECT_EQ(status["profile"]["status_text"], "");
}

TEST_F(web_api, an_admin_may_change_another_users_status) {
  server().create_user("managed");
  expect_ok(server().slack("users.profile.set", server().admin(),
                           {{"user", "managed"}, {"profile", {{"status_text", "On leave"}}}}));
  expect_ok(server().slack("users.setPresence", server().admin(),
                           {{"user", "managed"}, {"presence", "away"}}));
  auto profile = expect_ok(server().slack("users.profile.get", server().admin(), {{"user", "managed"}}));
  EXPECT_EQ(profile["profile"]["status_text"], "On leave");
}

TEST_F(web_api, profile_set_as_json_object_and_get) {
  auto token = server().create_user("prof1");
  auto expiration = unix_now() + 3600;
  auto set = expect_ok(server().slack(
    "users.profile.set", token,
    {{"profile",
      {{"status_text", "riding a train"}, {"status_emoji", ":mountain_railway:"},
       {"status_expiration", expiration}}}}));
  EXPECT_EQ(set["profile"]["status_text"], "riding a train");
  auto got = expect_ok(server().slack("users.profile.get", token));
  EXPECT_EQ(got["profile"]["status_text"], "riding a train");
  EXPECT_EQ(got["profile"]["status_emoji"], ":mountain_railway:");
  EXPECT_EQ(got["profile"]["status_expiration"], expiration);
}

TEST_F(web_api, profile_set_as_url_encoded_json_string_and_name_value) {
  auto token = server().create_user("prof2");
  auto profile = json{{"status_text", "lunch"}, {"status_emoji", ":taco:"}}.dump();
  auto form = server().http().post_form(
    "/api/users.profile.set", "profile=" + api::http::percent_encode(profile),
    {{"Authorization", "Bearer " + token}});
  expect_ok(form.json());
  EXPECT_EQ(server().slack("users.profile.get", token)["profile"]["status_emoji"], ":taco:");

  // name + value changes one field and keeps the others.
  auto one = server().http().post_form("/api/users.profile.set", "name=status_text&value=dinner",
                                       {{"Authorization", "Bearer " + token}});
  expect_ok(one.json());
  auto got = server().slack("users.profile.get", token)["profile"];
  EXPECT_EQ(got["status_text"], "dinner");
  EXPECT_EQ(got["status_emoji"], ":taco:");

  // Empty text and emoji clear the status.
  expect_ok(server().slack("users.profile.set", token,
                           {{"profile", {{"status_text", ""}, {"status_emoji", ""}}}}));
  auto cleared = server().slack("users.profile.get", token)["profile"];
  EXPECT_EQ(cleared["status_text"], "");
  EXPECT_EQ(cleared["status_expiration"], 0);
}

TEST_F(web_api, profile_clearing_the_emoji_keeps_the_text_with_the_default_emoji) {
  auto token = server().create_user("prof4");
  expect_ok(server().slack("users.profile.set", token,
                           {{"profile", {{"status_text", "riding a train"},
                                         {"status_emoji", ":mountain_railway:"}}}}));
  auto set = expect_ok(server().slack("users.profile.set", token,
                                      {{"profile", {{"status_emoji", ""}}}}));
  EXPECT_EQ(set["profile"]["status_text"], "riding a train");
  EXPECT_EQ(set["profile"]["status_emoji"], ":speech_balloon:");
  auto got = server().slack("users.profile.get", token)["profile"];
  EXPECT_EQ(got["status_text"], "riding a train");
  EXPECT_EQ(got["status_emoji"], ":speech_balloon:");
}

// Two clients race partial updates of one user (text from one, emoji from the other): each round
// must end with both fields, which a read-then-write merge outside the user's actor can lose.
TEST_F(web_api, concurrent_partial_profile_updates_lose_no_field) {
  auto token = server().create_user("prof5");
  auto& process = server().process();
  http_client texts(process.host(), process.port());
  http_client emojis(process.host(), process.port());
  auto post = [&token](http_client& client, const json& profile) {
    return client.post_json("/api/users.profile.set", {{"profile", profile}},
                            {{"Authorization", "Bearer " + token}});
  };
  for (int round = 0; round < 25; ++round) { // 75 calls: within the per-token burst
    auto text = "round " + std::to_string(round);
    auto emoji = ":e" + std::to_string(round) + ":";
    auto a = std::async(std::launch::async, [&] { return post(texts, {{"status_text", text}}); });
    auto b = std::async(std::launch::async, [&] { return post(emojis, {{"status_emoji", emoji}}); });
    expect_ok(a.get().json());
    expect_ok(b.get().json());
    auto got = server().slack("users.profile.get", token)["profile"];
    ASSERT_EQ(got["status_text"], text) << "round " << round;
    ASSERT_EQ(got["status_emoji"], emoji) << "round " << round;
  }
}

TEST_F(web_api, bots_have_xoxb_tokens_no_status_and_an_always_active_flag) {
  auto admin = server().admin();
  auto bot = expect_ok(server().slack("admin.users.create", admin,
                                      {{"id", "B100"}, {"name", "robo"}, {"is_bot", "true"}}));
  EXPECT_EQ(bot["user"]["is_bot"], true);
  EXPECT_EQ(bot["user"]["profile"]["always_active"], false);
  auto token = bot["token"].get<std::string>();
  EXPECT_EQ(token.rfind("xoxb-", 0), 0u) << token;
  EXPECT_EQ(server().create_user("person1").rfind("xoxp-", 0), 0u);
  // users.list tells the bot from a person.
  auto listed = expect_ok(server().slack("users.list", token, {{"limit", 1000}}));
  int listed_seen = 0;
  for (const auto& member : listed["members"]) {
    if (member["id"] == "B100" || member["id"] == "person1") {
      EXPECT_EQ(member["is_bot"], member["id"] == "B100") << member.dump();
      ++listed_seen;
    }
  }
  EXPECT_EQ(listed_seen, 2) << listed.dump();

  expect_slack_error(server().slack("users.profile.set", token,
                                    {{"profile", {{"status_text", "beep"}}}}),
                     "not_allowed_token_type");
  EXPECT_EQ(server().slack("users.profile.get", token)["profile"]["status_text"], "");
  expect_slack_error(server().slack("users.setPresence", token, {{"presence", "busy"}}),
                     "invalid_presence");
  expect_ok(server().slack("users.setPresence", token, {{"presence", "away"}}));
  expect_ok(server().slack("users.setPresence", token, {{"presence", "auto"}}));

  expect_ok(server().slack("admin.users.setAlwaysActive", admin,
                           {{"user", "B100"}, {"always_active", true}}));
  // users.info shows the flag in the bot's profile; a person's profile has none.
  auto info = expect_ok(server().slack("users.info", token, {{"user", "B100"}}));
  EXPECT_EQ(info["user"], (json{{"id", "B100"},
                                {"name", "robo"},
                                {"deleted", false},
                                {"is_admin", false},
                                {"is_bot", true},
                                {"profile",
                                 {{"status_text", ""},
                                  {"status_emoji", ""},
                                  {"status_expiration", 0},
                                  {"always_active", true}}}}))
    << info.dump();
  // An admin cannot give a bot a status either; nothing is set.
  expect_slack_error(server().slack("users.profile.set", admin,
                                    {{"user", "B100"}, {"profile", {{"status_text", "beep"}}}}),
                     "not_allowed_token_type");
  EXPECT_EQ(server().slack("users.profile.get", admin, {{"user", "B100"}})["profile"]["status_text"],
            "");
  expect_slack_error(server().slack("admin.users.setAlwaysActive", admin,
                                    {{"user", "person1"}, {"always_active", true}}),
                     "not_a_bot");
  expect_slack_error(server().slack("admin.users.setAlwaysActive", admin,
                                    {{"user", "nobody"}, {"always_active", true}}),
                     "user_not_found");
  expect_slack_error(server().slack("admin.users.setAlwaysActive", token,
                                    {{"user", "B100"}, {"always_active", false}}),
                     "not_admin");
  expect_slack_error(server().slack("admin.users.create", admin,
                                    {{"id", "B101"}, {"is_bot", "true"}, {"admin", "true"}}),
                     "invalid_arguments");
}

TEST_F(web_api, users_info_shows_a_teammate_as_slack_does) {
  auto admin = server().admin();
  auto token = server().create_user("info1");
  expect_ok(server().slack("users.profile.set", token,
                           {{"profile", {{"status_text", "riding a train"},
                                         {"status_emoji", ":mountain_railway:"}}}}));
  auto reader = server().create_user("info2");
  auto info = expect_ok(server().slack("users.info", reader, {{"user", "info1"}}));
  const auto& user = info["user"];
  EXPECT_EQ(user["id"], "info1");
  EXPECT_EQ(user["name"], "Name of info1");  // as the fixture creates it
  EXPECT_EQ(user["deleted"], false);
  EXPECT_EQ(user["is_admin"], false);
  EXPECT_EQ(user["is_bot"], false);
  EXPECT_EQ(user["profile"]["status_text"], "riding a train");
  EXPECT_EQ(user["profile"]["status_emoji"], ":mountain_railway:");
  EXPECT_EQ(user["profile"]["status_expiration"], 0);
  EXPECT_FALSE(user["profile"].contains("always_active")) << "a person has no such flag";

  expect_ok(server().slack("admin.users.deactivate", admin, {{"user", "info1"}}));
  EXPECT_EQ(expect_ok(server().slack("users.info", reader, {{"user", "info1"}}))["user"]["deleted"],
            true);
  expect_slack_error(server().slack("users.info", reader, {{"user", "nobody"}}), "user_not_found");
  expect_slack_error(server().slack("users.info", reader), "invalid_arguments");
  expect_slack_error(server().slack("users.info", "", {{"user", "info2"}}), "not_authed");
}

TEST_F(web_api, profile_set_errors) {
  auto token = server().create_user("prof3");
  expect_slack_error(server().slack("users.profile.set", token), "invalid_profile");
  expect_slack_error(server().slack("users.profile.set", token, {{"profile", "{not json"}}),
                     "invalid_profile");
  expect_slack_error(server().slack("users.profile.set", token, {{"profile", json::array()}}),
                     "invalid_profile");
  expect_slack_error(server().slack("users.profile.set", token,
                                    {{"profile", {{"status_text", std::string(101, 'x')}}}}),
                     "too_long");
  expect_slack_error(
    server().slack("users.profile.set", token,
                   {{"profile", {{"status_emoji", ":" + std::string(99, 'a') + ":"}}}}),
    "too_long");
  expect_slack_error(server().slack("users.profile.set", token,
                                    {{"profile", {{"status_emoji", "no-colons"}}}}),
                     "invalid_profile");
  expect_slack_error(server().slack("users.profile.set", token,
                                    {{"profile", {{"status_text", 5}}}}),
                     "invalid_profile");
  expect_slack_error(server().slack("users.profile.set", token,
                                    {{"profile", {{"status_text", "x"},
                                                  {"status_expiration", unix_now() - 5}}}}),
                     "expiration_in_past");
  // 100 code points of a multi-byte character are fine.
  std::string hundred;
  for (int i = 0; i < 100; ++i)
    hundred += "\xc3\xa9";
  expect_ok(server().slack("users.profile.set", token, {{"profile", {{"status_text", hundred}}}}));
}

TEST_F(web_api, rtm_connect_hands_out_a_websocket_url_with_a_ticket) {
  auto token = server().create_user("rtm1");
  auto answer = expect_ok(server().slack("rtm.connect", token));
  auto url = answer.value("url", "");
  auto prefix = "ws://127.0.0.1:" + std::to_string(server().process().port()) + "/rtm?ticket=";
  EXPECT_EQ(url.rfind(prefix, 0), 0u) << url;
  EXPECT_GE(url.size(), prefix.size() + 22);  // >= 128 bits of ticket
  EXPECT_EQ(answer["self"]["id"], "rtm1");
  EXPECT_EQ(answer["self"]["name"], "Name of rtm1");
  EXPECT_EQ(answer["team"]["id"], "T00000001");
  auto unbatched = expect_ok(server().slack("rtm.connect", token, {{"batch_presence_aware", "0"}}));
  EXPECT_NE(unbatched.value("url", "").find("batch_presence_aware=0"), std::string::npos);
  EXPECT_NE(unbatched["url"], answer["url"]);  // every call, a fresh ticket
}

TEST_F(web_api, request_errors) {
  auto token = server().create_user("errs");
  auto bearer = header_list{{"Authorization", "Bearer " + token}};
  expect_slack_error(server().slack("no.such.method", token), "unknown_method");
  auto bad_json = server().http().request("POST", "/api/auth.test", "{oops", bearer,
                                          "application/json");
  expect_slack_error(bad_json.json(), "invalid_json");
  auto bad_form = server().http().post_form("/api/auth.test", "a=%zz", bearer);
  expect_slack_error(bad_form.json(), "invalid_form_data");
  auto bad_name = server().http().post_form("/api/auth.test", "bad%20name=1", bearer);
  expect_slack_error(bad_name.json(), "invalid_arg_name");
  auto verb = server().http().request("DELETE", "/api/auth.test", "", bearer);
  EXPECT_EQ(verb.status, 405);
  expect_slack_error(verb.json(), "method_not_supported");
}

} // namespace
} // namespace presence::test
