// End-to-end: every route refuses a missing, unknown or revoked token in its own API's way.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace presence::test {
namespace {

const std::vector<std::string> slack_methods = {
  "auth.test", "users.setPresence", "users.getPresence", "users.profile.set", "users.profile.get",
  "rtm.connect", "admin.users.create", "admin.users.deactivate", "admin.tokens.issue",
  "admin.tokens.revoke", "admin.settings.get", "admin.settings.set", "admin.presence.enable",
  "admin.presets.list", "admin.presets.create", "admin.presets.update", "admin.presets.delete",
  "admin.backups.create", "admin.backups.list",
  "users.prefs.set", "users.prefs.get", "users.presets.list"};

const std::vector<std::pair<std::string, std::string>> rc_endpoints = {
  {"POST", "users.setStatus"}, {"GET", "users.getStatus"}, {"GET", "users.presence"},
  {"GET", "custom-user-status.list"}, {"POST", "custom-user-status.create"},
  {"POST", "custom-user-status.update"}, {"POST", "custom-user-status.delete"},
  {"GET", "presence.getConnections"}, {"POST", "presence.enableBroadcast"},
  {"POST", "users.setPreferences"}, {"GET", "users.getPreferences"}};

/// A WebSocket upgrade request for /rtm with `query` and `headers` (the server answers HTTP).
http_response upgrade(api_server& server, const std::string& query, header_list headers = {}) {
  headers.emplace_back("Connection", "Upgrade");
  headers.emplace_back("Upgrade", "websocket");
  headers.emplace_back("Sec-WebSocket-Version", "13");
  headers.emplace_back("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  http_client fresh{server.process().host(), server.process().port()};
  return fresh.request("GET", "/rtm" + query, "", headers);
}

class auth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Every refusal below comes from one address: the per-address failure budget is off here.
    server_ = new api_server({"--failed-auth-per-s", "0"});
    live_ = server_->create_user("authed");
    auto issued = server_->slack("admin.tokens.issue", server_->admin(), {{"user", "authed"}});
    revoked_ = issued.value("token", "");
    server_->slack("admin.tokens.revoke", server_->admin(), {{"token_id", issued["token_id"]}});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static api_server* server_;
  static std::string live_;
  static std::string revoked_;
};

api_server* auth::server_ = nullptr;
std::string auth::live_;
std::string auth::revoked_;

TEST_F(auth, every_web_api_method_needs_a_valid_token) {
  ASSERT_FALSE(revoked_.empty());
  for (const auto& method : slack_methods) {
    SCOPED_TRACE(method);
    expect_slack_error(server_->slack(method, ""), "not_authed");
    expect_slack_error(server_->slack(method, "xoxp-not-a-real-token"), "invalid_auth");
    expect_slack_error(server_->slack(method, revoked_), "token_revoked");
  }
}

TEST_F(auth, every_rest_endpoint_needs_a_matching_token_and_user_id) {
  for (const auto& [verb, method] : rc_endpoints) {
    SCOPED_TRACE(method);
    auto none = server_->rc(verb, method, "", "");
    EXPECT_EQ(none.status, 401) << none.body;
    EXPECT_EQ(none.json()["success"], false);
    EXPECT_EQ(server_->rc(verb, method, live_, "").status, 401);          // no user id
    EXPECT_EQ(server_->rc(verb, method, "bogus-token", "authed").status, 401);
    EXPECT_EQ(server_->rc(verb, method, revoked_, "authed").status, 401);
    EXPECT_EQ(server_->rc(verb, method, live_, "someone_else").status, 401);  // pair must match
  }
}

TEST_F(auth, metrics_needs_an_admin_token) {
  EXPECT_EQ(server_->http().get("/metrics").status, 401);
  EXPECT_EQ(server_->http().get("/metrics", {{"Authorization", "Bearer bogus"}}).status, 401);
  EXPECT_EQ(server_->http().get("/metrics", {{"Authorization", "Bearer " + revoked_}}).status, 401);
  EXPECT_EQ(server_->http().get("/metrics", {{"Authorization", "Bearer " + live_}}).status, 403);
  auto ok = server_->http().get("/metrics", {{"Authorization", "Bearer " + server_->admin()}});
  EXPECT_EQ(ok.status, 200);
}

TEST_F(auth, rtm_upgrade_needs_a_ticket_or_token) {
  auto none = upgrade(*server_, "");
  EXPECT_EQ(none.status, 401);
  expect_slack_error(none.json(), "not_authed");
  auto bad_ticket = upgrade(*server_, "?ticket=forged");
  EXPECT_EQ(bad_ticket.status, 401);
  expect_slack_error(bad_ticket.json(), "invalid_auth");
  auto bad_token = upgrade(*server_, "?token=bogus");
  EXPECT_EQ(bad_token.status, 401);
  auto revoked = upgrade(*server_, "", {{"Authorization", "Bearer " + revoked_}});
  EXPECT_EQ(revoked.status, 401);
  expect_slack_error(revoked.json(), "token_revoked");
  // A plain GET of /rtm is not an upgrade.
  EXPECT_EQ(server_->http().get("/rtm").status, 426);
}

TEST_F(auth, a_ticket_is_single_use) {
  auto url = server_->slack("rtm.connect", live_).value("url", "");
  auto query = url.substr(url.find('?'));
  auto first = upgrade(*server_, query);
  EXPECT_EQ(first.status, 101) << first.body;
  auto again = upgrade(*server_, query);
  EXPECT_EQ(again.status, 401);
}

} // namespace
} // namespace presence::test
