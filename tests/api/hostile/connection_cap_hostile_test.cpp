// End-to-end catalogue of one user trying to exhaust the workspace's connections (api/README.md,
// Connection limits): past `max_connections_per_user` rtm.connect answers `too_many_connections`
// and an upgrade gets HTTP 429, nothing of the refused attempts is logged, other users still
// connect and the presence service stays on; rtm.connect and token upgrades are rate limited per
// token (429 with Retry-After).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "hostile/hostile_support.hpp"
#include "rtm/rtm_fixture.hpp"

namespace presence::test {
namespace {

using hostile::eventually;
using std::chrono::milliseconds;

TEST(connection_cap, one_user_cannot_open_more_than_ten_sockets_nor_switch_presence_off) {
  // The default per-user cap (10) with a workspace limit one user could otherwise reach.
  rtm_server server({"--connection-limit", "12"});
  auto mallory = server.create_user("mallory");
  auto alice = server.create_user("alice");
  std::vector<std::unique_ptr<ws_client>> sockets;
  for (int i = 0; i < 10; ++i)
    sockets.push_back(server.open(mallory));

  auto answer = server.call("rtm.connect", mallory);
  EXPECT_EQ(answer.value("ok", true), false) << answer.dump();
  EXPECT_EQ(answer.value("error", ""), "too_many_connections") << answer.dump();

  ws_client direct;
  EXPECT_NE(direct.connect(server.port(), "/rtm", {{"Authorization", "Bearer " + mallory}}), "");
  EXPECT_EQ(direct.handshake_status(), 429u);
  EXPECT_NE(direct.handshake_body().find("too_many_connections"), std::string::npos)
    << direct.handshake_body();

  auto alice_socket = server.open(alice);
  EXPECT_TRUE(alice_socket->barrier(milliseconds(5000)).has_value());
  EXPECT_EQ(server.metric("presence_service_enabled"), 1) << "one user switched presence off";

  // A closed socket frees its place.
  sockets.back()->close();
  sockets.pop_back();
  EXPECT_TRUE(eventually([&] {
    return server.call("rtm.connect", mallory).value("ok", false);
  })) << "the closed socket's place was not given back";

  auto audit = hostile::stop_and_audit(server.process());
  EXPECT_EQ(audit.count("mallory", "connected"), 10u) << "a refused connection was logged";
}

TEST(connection_cap, rtm_connect_and_token_upgrades_are_rate_limited_per_token_and_per_user) {
  rtm_server server({"--connect-rate-per-s", "0.1", "--connect-rate-burst", "2",
                     "--max-connections-per-user", "0"});
  auto mallory = server.create_user("mallory");
  auto alice = server.create_user("alice");
  EXPECT_EQ(server.call("rtm.connect", mallory).value("ok", false), true);
  ws_client first;
  EXPECT_EQ(first.connect(server.port(), "/rtm", {{"Authorization", "Bearer " + mallory}}), "");

  auto answer = server.call("rtm.connect", mallory);
  EXPECT_EQ(answer.value("error", ""), "ratelimited") << answer.dump();
  ws_client refused;
  EXPECT_NE(refused.connect(server.port(), "/rtm", {{"Authorization", "Bearer " + mallory}}), "");
  EXPECT_EQ(refused.handshake_status(), 429u);
  EXPECT_NE(refused.handshake_body().find("ratelimited"), std::string::npos)
    << refused.handshake_body();

  // Another user's token is not affected.
  EXPECT_EQ(server.call("rtm.connect", alice).value("ok", false), true);
  // Another token of the same user shares the user's budget: a second token does not buy a
  // faster reconnect loop.
  auto second = server.call("admin.tokens.issue", server.process().admin_token(), {{"user", "mallory"}});
  ASSERT_EQ(second.value("ok", false), true) << second.dump();
  auto again = server.call("rtm.connect", second.value("token", ""));
  EXPECT_EQ(again.value("error", ""), "ratelimited") << again.dump();
  ws_client other_token;
  EXPECT_NE(other_token.connect(server.port(), "/rtm",
                                {{"Authorization", "Bearer " + second.value("token", "")}}),
            "");
  EXPECT_EQ(other_token.handshake_status(), 429u);
  auto audit = hostile::stop_and_audit(server.process());
  EXPECT_EQ(audit.count("mallory", "connected"), 1u);
}

} // namespace
} // namespace presence::test
