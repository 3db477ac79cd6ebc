// End-to-end catalogue of revocation reaching what a credential already opened (api/README.md,
// Revocation): a revoked token's real-time sockets and a deactivated user's are closed with a
// `goodbye` naming the reason and close code 1008, within 2 s, and their disconnects are logged
// with that reason (the deactivated user's too, so the workspace's connection count drops); a
// ticket handed out before the revocation is refused when redeemed; other tokens' sockets stay.

#include <chrono>
#include <memory>
#include <string>

#include "hostile/hostile_support.hpp"
#include "rtm/rtm_fixture.hpp"

namespace presence::test {
namespace {

using hostile::eventually;
using std::chrono::milliseconds;

/// Closing after a revocation may take at most this long.
constexpr milliseconds revocation_bound{2000};

struct issued {
  std::string token;
  std::string token_id;
};

class revocation : public ::testing::Test {
 protected:
  /// Creates `id` and returns its first token and that token's id.
  issued create(const std::string& id) {
    auto answer = server_.call("admin.users.create", admin(), {{"id", id}, {"name", id}});
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
    return {answer.value("token", ""), answer.value("token_id", "")};
  }

  /// A further token of `user`.
  issued issue(const std::string& user) {
    auto answer = server_.call("admin.tokens.issue", admin(), {{"user", user}});
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
    return {answer.value("token", ""), answer.value("token_id", "")};
  }

  const std::string& admin() { return server_.process().admin_token(); }

  /// Expects `socket` to be told goodbye with `reason`, then closed with 1008, within the bound.
  static void expect_revoked(ws_client& socket, const std::string& reason) {
    auto goodbye = socket.await_type("goodbye", revocation_bound);
    ASSERT_TRUE(goodbye.has_value()) << "no goodbye within 2 s";
    EXPECT_EQ(goodbye->value("reason", ""), reason) << goodbye->dump();
    ASSERT_TRUE(socket.await_close(revocation_bound)) << "socket still open 2 s after goodbye";
    EXPECT_EQ(socket.close_reason().code, 1008u);
    EXPECT_EQ(socket.close_reason().reason, reason);
  }

  /// Expects `socket` to still answer a ping.
  static void expect_open(ws_client& socket) {
    EXPECT_TRUE(socket.barrier(milliseconds(5000)).has_value()) << "the socket stopped answering";
    EXPECT_FALSE(socket.closed());
  }

  double connections() { return server_.metric("presence_connections"); }

  rtm_server server_;
};

TEST_F(revocation, revoking_a_token_closes_its_sockets_and_only_those) {
  auto first = create("bob");
  auto second = issue("bob");
  auto revoked_socket = server_.open(first.token);
  auto other_socket = server_.open(second.token);

  auto answer = server_.call("admin.tokens.revoke", admin(), {{"token_id", first.token_id}});
  ASSERT_EQ(answer.value("ok", false), true) << answer.dump();

  expect_revoked(*revoked_socket, "token_revoked");
  expect_open(*other_socket);
  EXPECT_TRUE(server_.logged("disconnected", "(token_revoked)")) << server_.process().stderr_text();

  auto audit = hostile::stop_and_audit(server_.process());
  auto reasons = audit.fields("bob", "disconnected", "reason");
  ASSERT_EQ(reasons.size(), 2u) << audit.export_text;  // the revoked socket, then shutdown's
  EXPECT_EQ(reasons[0], "token_revoked");
  EXPECT_EQ(reasons[1], "server_restart");
}

TEST_F(revocation, a_ticket_of_a_token_revoked_since_is_refused) {
  auto carol = create("carol");
  auto target = server_.rtm_target(carol.token);
  auto answer = server_.call("admin.tokens.revoke", admin(), {{"token_id", carol.token_id}});
  ASSERT_EQ(answer.value("ok", false), true) << answer.dump();

  ws_client socket;
  EXPECT_NE(socket.connect(server_.port(), target), "") << "the stale ticket was accepted";
  EXPECT_EQ(socket.handshake_status(), 401u);
  EXPECT_NE(socket.handshake_body().find("token_revoked"), std::string::npos)
    << socket.handshake_body();
}

TEST_F(revocation, deactivating_a_user_closes_their_sockets_and_the_count_drops) {
  auto dave = create("dave");
  auto erin = create("erin");
  auto dave_web = server_.open(dave.token);
  auto dave_second = issue("dave");
  auto dave_phone = server_.open(dave_second.token);
  auto erin_socket = server_.open(erin.token);
  ASSERT_TRUE(eventually([&] { return connections() == 3; })) << connections();

  auto answer = server_.call("admin.users.deactivate", admin(), {{"user", "dave"}});
  ASSERT_EQ(answer.value("ok", false), true) << answer.dump();

  expect_revoked(*dave_web, "account_inactive");
  expect_revoked(*dave_phone, "account_inactive");
  expect_open(*erin_socket);
  EXPECT_TRUE(eventually([&] { return connections() == 1; }))
    << "the deactivated user's connections still count: " << connections();

  auto audit = hostile::stop_and_audit(server_.process());
  auto reasons = audit.fields("dave", "disconnected", "reason");
  ASSERT_EQ(reasons.size(), 2u) << audit.export_text;
  EXPECT_EQ(reasons[0], "account_inactive");
  EXPECT_EQ(reasons[1], "account_inactive");
}

} // namespace
} // namespace presence::test
