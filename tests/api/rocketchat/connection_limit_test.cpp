// End-to-end: the workspace connection limit as the HTTP APIs show it, with real WebSockets —
// presence turns off past the limit (everyone reads "disabled"), turning it back on is refused
// while the count is at or above the limit, and accepted once sockets have closed; Rocket.Chat's
// admin setting Troubleshoot_Disable_Presence_Broadcast turns the service off and on.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api_fixture.hpp"
#include "support/ws_client.hpp"

namespace presence::test {
namespace {

using std::chrono::milliseconds;

class connection_limit : public ::testing::Test {
 protected:
  connection_limit() : server_({"--connection-limit", "2"}) {}

  /// A socket of `token`'s user opened through rtm.connect, `hello` read.
  std::unique_ptr<ws_client> open_socket(const std::string& token) {
    auto url = server_.slack("rtm.connect", token).value("url", "");
    auto client = std::make_unique<ws_client>();
    auto err = client->connect(server_.process().port(), url.substr(url.find("/rtm")));
    EXPECT_EQ(err, "");
    EXPECT_TRUE(client->await_type("hello", milliseconds(5000)).has_value());
    return client;
  }

  json connections() {
    return server_.rc("GET", "presence.getConnections", server_.admin(), "admin").json();
  }

  api_server server_;
};

TEST_F(connection_limit, presence_turns_off_past_the_limit_and_back_on_below_it) {
  auto alice = server_.create_user("alice");
  auto bob = server_.create_user("bob");
  std::vector<std::unique_ptr<ws_client>> sockets;
  sockets.push_back(open_socket(alice));
  sockets.push_back(open_socket(bob));
  ASSERT_TRUE(eventually([&] { return connections()["current"] == 2; })) << connections().dump();
  EXPECT_EQ(connections()["max"], 2);
  auto status = server_.rc("GET", "users.getStatus", alice, "alice").json();
  EXPECT_EQ(status["status"], "online") << status.dump();
  EXPECT_EQ(status["connectionStatus"], "online");
  EXPECT_EQ(server_.slack("users.getPresence", bob, {{"user", "alice"}})["presence"], "active");

  // The third connection passes the limit: presence stops for everyone, connections stay.
  sockets.push_back(open_socket(bob));
  ASSERT_TRUE(eventually([&] {
    return server_.rc("GET", "users.getStatus", alice, "alice").json()["status"] == "disabled";
  }));
  EXPECT_EQ(connections()["current"], 3);
  // HTTP answers that show `disabled` say why, on both APIs.
  const json why{{"enabled", false}, {"reason", "connection_limit"}};
  ASSERT_TRUE(eventually([&] {
    return server_.rc("GET", "users.getStatus", alice, "alice").json()["presenceService"] == why;
  })) << server_.rc("GET", "users.getStatus", alice, "alice").body;
  auto listed = server_.rc("GET", "users.presence", bob, "bob", {}, "ids=alice,bob").json();
  EXPECT_EQ(listed["presenceService"], why) << listed.dump();
  auto slack_view = server_.slack("users.getPresence", bob, {{"user", "alice"}});
  EXPECT_EQ(slack_view["presence_service"], why) << slack_view.dump();
  EXPECT_TRUE(eventually([&] {
    return server_.process().stderr_text().find(
             "presence service off: connection_limit (3 connections, limit 2)") != std::string::npos;
  })) << "no warning in the server log";
  auto refused = server_.rc("POST", "presence.enableBroadcast", server_.admin(), "admin");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json()["errorType"], "error-connection-limit-exceeded");
  expect_slack_error(server_.slack("admin.presence.enable", server_.admin()),
                     "connection_limit_exceeded");
  auto metrics = server_.http().get("/metrics", {{"Authorization", "Bearer " + server_.admin()}});
  EXPECT_NE(metrics.body.find("presence_service_enabled 0"), std::string::npos) << metrics.body;

  // Below the limit again, an admin turns it back on; nothing turns it on by itself.
  sockets.pop_back();
  sockets.pop_back();
  ASSERT_TRUE(eventually([&] { return connections()["current"] == 1; })) << connections().dump();
  EXPECT_EQ(server_.rc("GET", "users.getStatus", alice, "alice").json()["status"], "disabled");
  auto enabled = server_.rc("POST", "presence.enableBroadcast", server_.admin(), "admin");
  EXPECT_EQ(enabled.status, 200) << enabled.body;
  auto back = server_.rc("GET", "users.getStatus", alice, "alice").json();
  EXPECT_EQ(back["status"], "online") << back.dump();
  EXPECT_FALSE(back.contains("presenceService")) << back.dump();
}

TEST_F(connection_limit, the_rocket_chat_setting_turns_the_service_off_and_on) {
  const std::string setting = "settings/Troubleshoot_Disable_Presence_Broadcast";
  auto alice = server_.create_user("alice");
  auto socket = open_socket(alice);
  auto read = server_.rc("GET", setting, server_.admin(), "admin");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json(), (json{{"_id", "Troubleshoot_Disable_Presence_Broadcast"},
                               {"value", false},
                               {"success", true}}));

  auto off = server_.rc("POST", setting, server_.admin(), "admin", {{"value", true}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.json(), (json{{"success", true}}));
  auto frame = socket->await_type("presence_service_status");
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ((*frame)["enabled"], false);
  EXPECT_EQ((*frame)["reason"], "admin");
  EXPECT_EQ((*frame)["connections"], 1) << frame->dump();
  EXPECT_EQ((*frame)["limit"], 2) << frame->dump();
  EXPECT_EQ(connections()["reason"], "admin");
  EXPECT_EQ(server_.rc("GET", setting, server_.admin(), "admin").json()["value"], true);
  EXPECT_EQ(server_.rc("GET", "users.getStatus", alice, "alice").json()["status"], "disabled");

  auto on = server_.rc("POST", setting, server_.admin(), "admin", {{"value", false}});
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(server_.rc("GET", setting, server_.admin(), "admin").json()["value"], false);
  EXPECT_EQ(server_.rc("GET", "users.getStatus", alice, "alice").json()["status"], "online");

  // At the connection limit, turning it back on is refused as presence.enableBroadcast is.
  auto bob = server_.create_user("bob");
  auto second = open_socket(bob);
  auto third = open_socket(bob);
  ASSERT_TRUE(eventually([&] { return connections()["reason"] == "connection_limit"; }))
    << connections().dump();
  auto refused = server_.rc("POST", setting, server_.admin(), "admin", {{"value", false}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json()["errorType"], "error-connection-limit-exceeded");
  EXPECT_EQ(server_.rc("GET", setting, server_.admin(), "admin").json()["value"], true);
}

TEST_F(connection_limit, the_rocket_chat_setting_refuses_users_and_bad_values) {
  const std::string setting = "settings/Troubleshoot_Disable_Presence_Broadcast";
  auto alice = server_.create_user("alice");
  for (const char* verb : {"GET", "POST"}) {
    auto refused = server_.rc(verb, setting, alice, "alice", {{"value", true}});
    EXPECT_EQ(refused.status, 403) << verb << " " << refused.body;
    EXPECT_EQ(refused.json()["errorType"], "error-not-allowed") << verb;
    EXPECT_EQ(refused.json()["success"], false) << verb;
  }
  for (const json& body : {json::object(), json{{"value", "true"}}, json{{"value", 1}}}) {
    auto refused = server_.rc("POST", setting, server_.admin(), "admin", body);
    EXPECT_EQ(refused.status, 400) << body << " " << refused.body;
    EXPECT_EQ(refused.json()["errorType"], "error-invalid-params") << body;
  }
  auto put = server_.http().request("PUT", "/api/v1/" + setting, "",
                                    {{"X-Auth-Token", server_.admin()}, {"X-User-Id", "admin"}});
  EXPECT_EQ(put.status, 405);
  EXPECT_NE(put.json()["error"].get<std::string>().find("Use GET or POST"), std::string::npos)
    << put.body;
  EXPECT_EQ(server_.rc("GET", "settings/Some_Other_Setting", server_.admin(), "admin").status, 404);
  // Nothing changed.
  EXPECT_EQ(connections()["enabled"], true);
  EXPECT_EQ(server_.rc("GET", setting, server_.admin(), "admin").json()["value"], false);
}

} // namespace
} // namespace presence::test
