// End-to-end bad-input catalogue of the Slack-compatible Web API (/api/<method>, api/README.md):
// each row is one hostile request sent to the real presenced with its exact documented answer.
// Between any two rows another user makes a write that must be acknowledged. After the catalogue
// the server is up, the write acknowledged before it is intact, and the log (presencectl verify +
// export, server stopped) holds every acknowledged write and nothing that was refused.

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "api_fixture.hpp"
#include "hostile/hostile_support.hpp"

namespace presence::test {
namespace {

using hostile::nested;
using hostile::refused_marker;
using hostile::repeat;

/// One row: what is sent and what must come back.
struct web_case {
  std::string what;
  std::string verb;
  std::string method;        ///< after /api/, may carry a query string
  std::string token;         ///< sent as `Authorization: Bearer`; empty = none
  std::string content_type;
  std::string body;
  int status;                ///< HTTP status
  std::string error;         ///< Slack error code; empty = `ok:true` expected
  std::string logs = {};     ///< the status text an accepted row writes
  header_list headers = {};  ///< extra headers (other auth schemes)
};

struct tokens {
  std::string mallory, revoked, inactive, bot;
};

constexpr const char* json_type = "application/json; charset=utf-8";
constexpr const char* form_type = "application/x-www-form-urlencoded";

web_case json_row(std::string what, std::string method, std::string token, std::string body,
                  std::string error, std::string logs = {}) {
  return {std::move(what), "POST", std::move(method), std::move(token), json_type,
          std::move(body), 200, std::move(error), std::move(logs)};
}

web_case form_row(std::string what, std::string method, std::string token, std::string body,
                  std::string error, std::string logs = {}) {
  return {std::move(what), "POST", std::move(method), std::move(token), form_type,
          std::move(body), 200, std::move(error), std::move(logs)};
}

/// `users.profile.set` with `name=status_text&value=<already percent-encoded text>`.
web_case status_form_row(std::string what, const std::string& token, const std::string& encoded,
                         std::string error) {
  return form_row(std::move(what), "users.profile.set", token,
                  "name=status_text&value=" + encoded, std::move(error));
}

std::string status_json(const std::string& profile_fields) {
  return R"({"profile":{)" + profile_fields + "}}";
}

std::vector<web_case> catalogue(const tokens& t, const std::string& admin) {
  const auto& m = t.mallory;
  const std::string r = refused_marker;
  auto e_acute = std::string("\xC3\xA9");  // é: one code point, two bytes
  auto text_101 = r + repeat(e_acute, 101 - r.size());
  auto text_100 = std::string("accepted-100") + repeat(e_acute, 88);
  auto future = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count() +
                               3600);
  std::vector<web_case> rows = {
    // Broken and deeply nested JSON.
    json_row("broken JSON", "users.setPresence", m, R"({"presence":"away")", "invalid_json"),
    json_row("a JSON array body", "users.setPresence", m, R"(["presence","away"])", "invalid_json"),
    json_row("a JSON string body", "users.setPresence", m, R"("away")", "invalid_json"),
    json_row("garbage after the JSON", "users.setPresence", m,
             R"({"presence":"away"} {"presence":"busy"})", "invalid_json"),
    json_row("invalid UTF-8 in a JSON string", "users.profile.set", m,
             status_json(R"("status_text":")" + r + "\xC3\x28\""), "invalid_json"),
    json_row("a lone surrogate escape", "users.profile.set", m,
             status_json(R"("status_text":")" + r + R"(\ud800")"), "invalid_json"),
    json_row("JSON nested 65 levels", "users.setPresence", m,
             R"({"presence":)" + nested(64) + "}", "invalid_json"),
    json_row("JSON nested 100,000 levels in profile (crashed presenced)", "users.profile.set", m,
             R"({"profile":)" + nested(100'000) + "}", "invalid_json"),
    form_row("profile as JSON text nested 100,000 levels", "users.profile.set", m,
             "profile=" + repeat("%5B", 100'000) + repeat("%5D", 100'000), "invalid_profile"),
    // Wrong types.
    json_row("presence is a boolean", "users.setPresence", m, R"({"presence":true})",
             "invalid_presence"),
    json_row("presence is an array", "users.setPresence", m, R"({"presence":["away"]})",
             "invalid_presence"),
    json_row("presence is an operator object", "users.setPresence", m,
             R"({"presence":{"$ne":null}})", "invalid_presence"),
    json_row("profile is an array", "users.profile.set", m, R"({"profile":[")" + r + R"("]})",
             "invalid_profile"),
    json_row("status_text is a number", "users.profile.set", m, status_json(R"("status_text":42)"),
             "invalid_profile"),
    json_row("status_text is an object", "users.profile.set", m,
             status_json(R"("status_text":{"text":")" + r + R"("})"), "invalid_profile"),
    json_row("status_expiration is text", "users.profile.set", m,
             status_json(R"("status_text":")" + r + R"(","status_expiration":"soon")"),
             "invalid_profile"),
    json_row("status_expiration is negative", "users.profile.set", m,
             status_json(R"("status_text":")" + r + R"(","status_expiration":-5)"),
             "invalid_profile"),
    json_row("expiration is text", "users.setPresence", m,
             R"({"presence":"away","expiration":"tomorrow"})", "invalid_arguments"),
    json_row("expiration of 1e300 seconds", "users.setPresence", m,
             R"({"presence":"away","expiration":1e300})", "invalid_arguments"),
    // Text: length, UTF-8, control characters, markup, emoji.
    json_row("status_text of 101 code points", "users.profile.set", m,
             status_json(R"("status_text":")" + text_101 + "\""), "too_long"),
    json_row("status_text of 100 code points is accepted", "users.profile.set", m,
             status_json(R"("status_text":")" + text_100 + "\""), "", text_100),
    status_form_row("invalid UTF-8 (form)", m, r + "%C3%28", "invalid_profile"),
    status_form_row("overlong UTF-8 (form)", m, r + "%C0%AF", "invalid_profile"),
    status_form_row("UTF-8-encoded surrogate (form)", m, r + "%ED%A0%80", "invalid_profile"),
    status_form_row("code point above U+10FFFF (form)", m, r + "%F4%90%80%80", "invalid_profile"),
    status_form_row("a line feed in status_text", m, r + "%0Aline", "invalid_profile"),
    json_row("a NUL escape in status_text", "users.profile.set", m,
             status_json(R"("status_text":")" + r + R"(\u0000")"), "invalid_profile"),
    json_row("markup in status_text", "users.profile.set", m,
             status_json(R"("status_text":"<@U1> )" + r + "\""), "invalid_profile"),
    json_row("a malformed status_emoji", "users.profile.set", m,
             status_json(R"("status_text":")" + r + R"(","status_emoji":"smile")"),
             "invalid_profile"),
    // Unknown fields and arguments: accepted, ignored, not stored.
    json_row("unknown profile fields are ignored", "users.profile.set", m,
             status_json(R"("status_text":"fields ignored","real_name":")" + r +
                         R"(","is_admin":true)"),
             "", "fields ignored"),
    form_row("an unknown argument is ignored", "users.profile.set", m,
             "colour=" + r + "&name=status_text&value=argument+ignored", "", "argument ignored"),
    json_row("an argument name with a space", "users.setPresence", m, R"({"pre sence":"away"})",
             "invalid_arg_name"),
    form_row("an argument name with brackets", "users.setPresence", m, "presence[]=away",
             "invalid_arg_name"),
    form_row("an argument name of 65 characters", "users.setPresence", m,
             std::string(65, 'p') + "=away", "invalid_arg_name"),
    form_row("malformed percent-encoding", "users.setPresence", m, "presence=%ZZ",
             "invalid_form_data"),
    {"an unsupported content type", "POST", "users.setPresence", m, "text/xml",
     "<presence>away</presence>", 200, "invalid_form_data"},
    // Unknown methods and verbs.
    json_row("an unknown method", "users.hack", m, "{}", "unknown_method"),
    json_row("a method name in the wrong case", "Users.SetPresence", m, R"({"presence":"away"})",
             "unknown_method"),
    {"PUT", "PUT", "users.setPresence", m, json_type, R"({"presence":"away"})", 405,
     "method_not_supported"},
    {"DELETE", "DELETE", "users.profile.get", m, "", "", 405, "method_not_supported"},
    // Authentication.
    json_row("no token", "users.setPresence", "", R"({"presence":"away"})", "not_authed"),
    {"Basic instead of Bearer", "POST", "auth.test", "", json_type, "{}", 200, "not_authed", {},
     {{"Authorization", "Basic bWFsbG9yeTpodW50ZXIy"}}},
    json_row("a token given as a JSON array", "auth.test", "", R"({"token":["x"]})", "not_authed"),
    json_row("an unknown token", "auth.test", "xoxp-" + std::string(64, '0'), "{}",
             "invalid_auth"),
    json_row("the admin token plus one character", "auth.test", admin + "x", "{}", "invalid_auth"),
    json_row("a token given as a JSON number", "auth.test", "", R"({"token":12345})",
             "invalid_auth"),
    json_row("a revoked token", "users.setPresence", t.revoked, R"({"presence":"away"})",
             "token_revoked"),
    json_row("the token of a deactivated user", "users.setPresence", t.inactive,
             R"({"presence":"away"})", "account_inactive"),
    // Other users and admin methods.
    json_row("presence of another user", "users.setPresence", m,
             R"({"presence":"busy","user":"alice"})", "not_admin"),
    json_row("status of another user", "users.profile.set", m,
             R"({"user":"alice","profile":{"status_text":")" + r + R"("}})", "not_admin"),
    json_row("an unknown user", "users.getPresence", m, R"({"user":"nobody"})", "user_not_found"),
    json_row("a user id with a path", "users.getPresence", m, R"({"user":"../admin"})",
             "user_not_found"),
    json_row("a user id of 65 characters", "users.profile.get", m,
             R"({"user":")" + std::string(65, 'u') + "\"}", "user_not_found"),
    json_row("presence=online", "users.setPresence", m, R"({"presence":"online"})",
             "invalid_presence"),
    json_row("no presence", "users.setPresence", m, R"({"expiration":0})", "invalid_presence"),
    json_row("an expiration in the past", "users.setPresence", m,
             R"({"presence":"away","expiration":1000})", "expiration_in_past"),
    json_row("an instant in the future", "users.getPresence", m, R"({"at":")" + future + "\"}",
             "invalid_arguments"),
    json_row("rtm.connect batch_presence_aware=maybe", "rtm.connect", m,
             R"({"batch_presence_aware":"maybe"})", "invalid_arguments"),
    json_row("admin.users.create by a user", "admin.users.create", m,
             R"({"id":")" + r + R"(-user","name":"x"})", "not_admin"),
    json_row("admin.tokens.issue for alice by a user", "admin.tokens.issue", m,
             R"({"user":"alice"})", "not_admin"),
    json_row("admin.tokens.revoke by a user", "admin.tokens.revoke", m, R"({"token_id":"T1"})",
             "not_admin"),
    json_row("admin.users.deactivate alice by a user", "admin.users.deactivate", m,
             R"({"user":"alice"})", "not_admin"),
    json_row("admin.settings.set by a user", "admin.settings.set", m,
             R"({"key":"team_name","value":")" + r + "\"}", "not_admin"),
    json_row("admin.presets.create by a user", "admin.presets.create", m,
             R"({"name":")" + r + R"(","presence":"busy"})", "not_admin"),
    // Presence preferences and presets picked.
    json_row("an idle timeout under 30 s", "users.prefs.set", m, R"({"idle_timeout":29})",
             "invalid_arguments"),
    json_row("an idle timeout over 7 days", "users.prefs.set", m, R"({"idle_timeout":604801})",
             "invalid_arguments"),
    json_row("an idle timeout that is not a number", "users.prefs.set", m,
             R"({"idle_timeout":"soon"})", "invalid_arguments"),
    json_row("auto_away=maybe", "users.prefs.set", m, R"({"auto_away":"maybe"})",
             "invalid_arguments"),
    json_row("the preferences of another user", "users.prefs.set", m,
             R"({"user":"alice","idle_timeout":60})", "not_admin"),
    json_row("an unknown preset", "users.profile.set", m, R"({"preset":"P404"})",
             "preset_not_found"),
    json_row("a preset with status fields", "users.profile.set", m,
             R"({"preset":"P1","profile":{"status_text":")" + r + R"("}})", "invalid_arguments"),
    json_row("rtm.connect client=phone", "rtm.connect", m, R"({"client":"phone"})",
             "invalid_arguments"),
    // Bots.
    json_row("admin.users.create is_bot=maybe", "admin.users.create", admin,
             R"({"id":")" + r + R"(-bot","is_bot":"maybe"})", "invalid_arguments"),
    json_row("admin.users.setAlwaysActive on a person", "admin.users.setAlwaysActive", admin,
             R"({"user":"alice","always_active":true})", "not_a_bot"),
    json_row("admin.users.setAlwaysActive always_active=maybe", "admin.users.setAlwaysActive",
             admin, R"({"user":"robo","always_active":"maybe"})", "invalid_arguments"),
    json_row("admin.users.setAlwaysActive without always_active", "admin.users.setAlwaysActive",
             admin, R"({"user":"robo"})", "invalid_arguments"),
    json_row("admin.users.setAlwaysActive by a user", "admin.users.setAlwaysActive", m,
             R"({"user":"robo","always_active":true})", "not_admin"),
    json_row("users.profile.set with a bot token", "users.profile.set", t.bot,
             status_json(R"("status_text":")" + r + "\""), "not_allowed_token_type"),
    json_row("users.profile.set aimed at a bot by an admin", "users.profile.set", admin,
             R"({"user":"robo","profile":{"status_text":")" + r + R"("}})",
             "not_allowed_token_type"),
    // The directory (reads: nothing to log, a precise error each).
    json_row("users.list limit=0 (Slack's default: as if not given)", "users.list", m,
             R"({"limit":0})", ""),
    json_row("users.list limit=100000", "users.list", m, R"({"limit":100000})", "invalid_limit"),
    json_row("users.list limit=-1", "users.list", m, R"({"limit":-1})", "invalid_limit"),
    json_row("users.list with a forged cursor", "users.list", m, R"({"cursor":"dXNlcjpVMDI="})",
             "invalid_cursor"),
    json_row("users.info without user", "users.info", m, "{}", "invalid_arguments"),
    json_row("users.info of nobody", "users.info", m, R"({"user":"nobody"})", "user_not_found"),
    json_row("users.setPresence busy with a bot token", "users.setPresence", t.bot,
             R"({"presence":"busy"})", "invalid_presence"),
    json_row("status_emoji over 100 bytes", "users.profile.set", m,
             status_json(R"("status_emoji":":)" + std::string(99, 'a') + R"(:")"), "too_long"),
  };
  return rows;
}

TEST(web_api_hostile, catalogue_gets_documented_errors_and_loses_nothing) {
  api_server server({"--max-body-bytes", "1048576"});  // bodies up to 1 MiB
  auto alice = server.create_user("alice");
  auto walt = server.create_user("walt");  // makes the writes acknowledged during the catalogue
  tokens t;
  t.mallory = server.create_user("mallory");
  auto rex = server.slack("admin.users.create", server.admin(), {{"id", "rex"}, {"name", "Rex"}});
  t.revoked = rex.value("token", "");
  expect_ok(server.slack("admin.tokens.revoke", server.admin(), {{"token_id", rex["token_id"]}}));
  t.inactive = server.create_user("ivy");
  auto robo = server.slack("admin.users.create", server.admin(),
                           {{"id", "robo"}, {"name", "Robo"}, {"is_bot", true}});
  t.bot = robo.value("token", "");
  expect_ok(server.slack("admin.users.deactivate", server.admin(), {{"user", "ivy"}}));
  // Acknowledged before the catalogue.
  expect_ok(server.slack("users.profile.set", alice,
                         {{"profile", {{"status_text", "before the storm"}, {"status_emoji", ":cloud:"}}}}));
  expect_ok(server.slack("users.setPresence", alice, {{"presence", "away"}}));

  auto rows = catalogue(t, server.admin());
  std::vector<std::string> mallory_texts;
  std::vector<std::string> acknowledged;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    SCOPED_TRACE("row " + std::to_string(i) + ": " + row.what);
    auto headers = row.headers;
    if (!row.token.empty())
      headers.emplace_back("Authorization", "Bearer " + row.token);
    auto res = server.http().request(row.verb, "/api/" + row.method, row.body, headers,
                                     row.content_type);
    EXPECT_EQ(res.status, row.status) << res.body.substr(0, 300);
    auto answer = res.json();
    if (row.error.empty())
      expect_ok(answer);
    else
      expect_slack_error(answer, row.error);
    if (!row.logs.empty())
      mallory_texts.push_back(row.logs);
    auto ack = "ack " + std::to_string(i);
    expect_ok(server.slack("users.profile.set", walt, {{"profile", {{"status_text", ack}}}}));
    acknowledged.push_back(ack);
  }
  std::printf("web api catalogue: %zu rows\n", rows.size());
  EXPECT_GE(rows.size(), 60u);

  // The server is up; what was acknowledged before and during the catalogue reads back.
  EXPECT_EQ(server.http().get("/healthz").status, 200);
  auto profile = server.slack("users.profile.get", alice);
  EXPECT_EQ(profile["profile"].value("status_text", ""), "before the storm");
  auto presence = server.slack("users.getPresence", alice);
  EXPECT_EQ(presence.value("manual_presence", ""), "away") << presence.dump();
  EXPECT_EQ(server.slack("users.profile.get", walt)["profile"].value("status_text", ""),
            acknowledged.back());
  EXPECT_EQ(server.slack("users.profile.get", t.mallory)["profile"].value("status_text", ""),
            mallory_texts.back());

  // The log, read by presencectl after a clean stop.
  auto audit = hostile::stop_and_audit(server.process());
  hostile::expect_catalogue_writes(audit, acknowledged, mallory_texts);
  EXPECT_EQ(audit.fields("$workspace", "token_issued", "user"),
            (std::vector<std::string>{"alice", "walt", "mallory", "rex", "ivy", "robo"}));
  EXPECT_EQ(audit.fields("$workspace", "user_created", "user"),
            (std::vector<std::string>{"admin", "alice", "walt", "mallory", "rex", "ivy", "robo"}));
  EXPECT_EQ(audit.count("$workspace", "always_active_set"), 0u);
  EXPECT_EQ(audit.fields("$workspace", "user_deactivated", "user"), std::vector<std::string>{"ivy"});
  EXPECT_EQ(audit.count("$workspace", "setting_changed"), 0u);
  EXPECT_EQ(audit.count("mallory", "preferences_set"), 0u);
  EXPECT_EQ(audit.count("mallory", "preset_applied"), 0u);
  EXPECT_EQ(audit.count("alice", "preferences_set"), 0u);
}

} // namespace
} // namespace presence::test
