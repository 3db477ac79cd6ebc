// Bad input on Rocket.Chat's real-time stream (DDP on /websocket; api/README.md, DDP): garbage
// frames get Meteor's `error` messages and the socket stays open; a bad `connect` version gets
// `failed` and a close; methods and subscriptions before a login, a revoked or unknown token,
// and logins over the per-user cap get precise Meteor errors; a socket that never logs in is
// closed at the login deadline; a revoked token's logged-in socket is closed with 1008; messages
// over the rate are dropped with one error. None of it logs anything: the audit finds no
// connection of the refused users.

#include <chrono>
#include <string>

#include "ddp/ddp_fixture.hpp"
#include "hostile/hostile_support.hpp"

namespace presence::test {
namespace {

using namespace ddp;
using hostile::eventually;

constexpr std::size_t max_frame_bytes = 4096;

class ddp_hostile : public ::testing::Test {
 protected:
  const std::string& admin() { return server_.process().admin_token(); }

  /// `socket` still answers a DDP ping.
  static void expect_open(ws_client& socket) {
    EXPECT_TRUE(barrier(socket)) << "the socket stopped answering";
    EXPECT_FALSE(socket.closed());
  }

  /// The next message, which must be `{"msg":"error","reason":reason}`; returns it.
  static json expect_error(ws_client& socket, const std::string& reason) {
    auto answer = socket.next_json(milliseconds(5000));
    EXPECT_TRUE(answer.has_value()) << "no answer";
    EXPECT_TRUE(answer && ddp::is_error(*answer, reason)) << (answer ? answer->dump() : "");
    return answer.value_or(json());
  }

  // Heartbeat 500 ms: the login deadline is 1 s (two intervals, at least 1 s).
  rtm_server server_{{"--ping-interval-ms", "500", "--max-connections-per-user", "2",
                      "--max-frame-bytes", std::to_string(max_frame_bytes)}};
};

TEST_F(ddp_hostile, garbage_frames_get_meteor_errors_and_the_socket_stays_open) {
  auto socket = open_socket(server_);
  // Before connect: parse errors first, then everything else must connect first.
  ASSERT_TRUE(socket->send("{not json"));
  expect_error(*socket, "Parse error");
  ASSERT_TRUE(socket->send(R"({"msg":"method","id":"1","method":"login","params":[]})"));
  auto early = expect_error(*socket, "Must connect first");
  EXPECT_EQ(early.value("offendingMessage", json()).value("method", ""), "login") << early.dump();
  connect(*socket);

  ASSERT_TRUE(socket->send("[1,2,3]"));
  auto bad = expect_error(*socket, "Bad request");
  EXPECT_EQ(bad.value("offendingMessage", json()), json::array({1, 2, 3}));
  ASSERT_TRUE(socket->send(R"({"msg":"teleport"})"));
  expect_error(*socket, "Bad request");
  ASSERT_TRUE(socket->send(R"({"msg":42})"));
  expect_error(*socket, "Bad request");
  ASSERT_TRUE(socket->send(R"({"msg":"method","id":7,"method":"login"})"));
  expect_error(*socket, "Malformed method invocation");
  ASSERT_TRUE(socket->send(R"({"msg":"method","id":"7","method":"login","params":{}})"));
  expect_error(*socket, "Malformed method invocation");
  ASSERT_TRUE(socket->send(R"({"msg":"sub","id":"s","params":[]})"));
  expect_error(*socket, "Malformed subscription");
  ASSERT_TRUE(socket->send(std::string(100, '[') + std::string(100, ']')));
  expect_error(*socket, "Parse error");
  ASSERT_TRUE(socket->send_binary("\x01\x02"));
  expect_error(*socket, "Bad request");
  ASSERT_TRUE(socket->send(R"({"msg":"connect","version":"1","support":["1"]})"));
  expect_error(*socket, "Already connected");
  expect_open(*socket);
}

TEST_F(ddp_hostile, an_unsupported_version_is_answered_failed_and_closed) {
  auto socket = open_socket(server_);
  ASSERT_TRUE(socket->send(R"({"msg":"connect","version":"2","support":["2"]})"));
  auto failed = socket->next_json(milliseconds(5000));
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(*failed, (json{{"msg", "failed"}, {"version", "1"}}));
  ASSERT_TRUE(socket->await_close(milliseconds(5000))) << "still open after failed";
  EXPECT_EQ(socket->close_reason().code, 1000u);
}

TEST_F(ddp_hostile, methods_and_subscriptions_before_login_are_refused) {
  auto socket = open_socket(server_);
  connect(*socket);
  auto online = call(*socket, "1", "UserPresence:online");
  ASSERT_TRUE(online.contains("error")) << online.dump();
  EXPECT_EQ(online["error"],
            (json{{"isClientSafe", true},
                  {"error", "error-invalid-user"},
                  {"reason", "Invalid user"},
                  {"message", "Invalid user [error-invalid-user]"},
                  {"errorType", "Meteor.Error"},
                  {"details", {{"method", "UserPresence:online"}}}}));
  auto unknown = call(*socket, "2", "sendMessage");
  ASSERT_TRUE(unknown.contains("error")) << unknown.dump();
  EXPECT_EQ(unknown["error"].value("error", json()), 404);
  EXPECT_EQ(unknown["error"].value("reason", ""), "Method 'sendMessage' not found");

  auto nosub = subscribe(*socket, "s1", "user-status");
  EXPECT_EQ(nosub.value("msg", ""), "nosub") << nosub.dump();
  EXPECT_EQ(nosub["error"].value("error", ""), "not-allowed") << nosub.dump();
  json other{{"msg", "sub"}, {"id", "s2"}, {"name", "stream-room-messages"}, {"params", {"x"}}};
  ASSERT_TRUE(socket->send(other.dump()));
  auto missing = socket->await([](const json& m) { return m.value("msg", "") == "nosub"; });
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ((*missing)["error"].value("error", json()), 404) << missing->dump();

  auto no_resume = call(*socket, "3", "login", json::array({{{"user", "x"}, {"password", "y"}}}));
  ASSERT_TRUE(no_resume.contains("error")) << no_resume.dump();
  EXPECT_EQ(no_resume["error"].value("reason", ""), "Unrecognized options for login request");
  expect_open(*socket);
}

TEST_F(ddp_hostile, a_revoked_or_unknown_token_is_refused_and_nothing_is_logged) {
  auto made = server_.call("admin.users.create", admin(), {{"id", "mallory"}, {"name", "m"}});
  ASSERT_EQ(made.value("ok", false), true) << made.dump();
  auto revoke = server_.call("admin.tokens.revoke", admin(),
                             {{"token_id", made.value("token_id", "")}});
  ASSERT_EQ(revoke.value("ok", false), true) << revoke.dump();

  auto socket = open_socket(server_);
  connect(*socket);
  auto revoked = login(*socket, made.value("token", ""));
  ASSERT_TRUE(revoked.contains("error")) << revoked.dump();
  EXPECT_EQ(revoked["error"].value("error", json()), 403);
  EXPECT_EQ(revoked["error"].value("reason", ""),
            "You've been logged out by the server. Please log in again.");
  EXPECT_EQ(revoked["error"]["details"].value("code", ""), "token_revoked");
  auto unknown = login(*socket, "xoxp-not-a-token", "l2");
  ASSERT_TRUE(unknown.contains("error")) << unknown.dump();
  EXPECT_EQ(unknown["error"]["details"].value("code", ""), "invalid_auth");

  // Refused logins leave the socket unauthenticated: closed at the login deadline (1 s).
  ASSERT_TRUE(socket->await_close(milliseconds(5000))) << "open past the login deadline";
  EXPECT_EQ(socket->close_reason().code, 1008u);
  EXPECT_EQ(socket->close_reason().reason, "login timeout");

  auto audit = hostile::stop_and_audit(server_.process());
  EXPECT_EQ(audit.count("mallory", "connected"), 0u) << audit.export_text;
}

TEST_F(ddp_hostile, a_socket_that_never_logs_in_is_closed_at_the_deadline) {
  auto socket = open_socket(server_);
  connect(*socket);
  ASSERT_TRUE(socket->await_close(milliseconds(5000))) << "open past the login deadline";
  EXPECT_EQ(socket->close_reason().code, 1008u);
  EXPECT_EQ(socket->close_reason().reason, "login timeout");
}

TEST_F(ddp_hostile, oversize_frames_are_refused_with_1009) {
  auto socket = open_socket(server_);
  ASSERT_TRUE(socket->send(std::string(max_frame_bytes + 1, ' ')));
  ASSERT_TRUE(socket->await_close(milliseconds(5000)));
  EXPECT_EQ(socket->close_reason().code, 1009u);
}

TEST(ddp_rate, messages_over_the_rate_are_dropped_with_one_error_before_login_too) {
  rtm_server server({"--msg-rate-per-s", "5"});
  auto socket = open_socket(server);
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(socket->send(R"({"msg":"ping","id":"flood"})"));
  std::vector<json> skipped;
  auto limited = socket->await(
    [](const json& m) {
      return m.value("msg", "") == "error" &&
             m.value("reason", "").rfind("Too many messages", 0) == 0;
    },
    milliseconds(5000), &skipped);
  ASSERT_TRUE(limited.has_value()) << "no rate-limit error";
  // Before connect, the admitted pings were answered "Must connect first": the burst (5) and
  // what refilled while the flood was being sent, far from all 20.
  EXPECT_LE(skipped.size(), 10u);
  for (const auto& m : skipped)
    EXPECT_TRUE(ddp::is_error(m, "Must connect first")) << m.dump();
  EXPECT_FALSE(socket->closed());
}

TEST_F(ddp_hostile, logins_over_the_per_user_cap_are_refused) {
  auto token = server_.create_user("olga");
  auto first = logged_in(server_, token);
  auto second = logged_in(server_, token);
  auto third = open_socket(server_);
  connect(*third);
  auto refused = login(*third, token);
  ASSERT_TRUE(refused.contains("error")) << refused.dump();
  EXPECT_EQ(refused["error"].value("error", ""), "error-too-many-connections");
  expect_open(*first);

  auto audit = hostile::stop_and_audit(server_.process());
  EXPECT_EQ(audit.count("olga", "connected"), 2u) << audit.export_text;
}

TEST_F(ddp_hostile, revoking_a_logged_in_token_closes_its_socket_with_1008) {
  auto made = server_.call("admin.users.create", admin(), {{"id", "trent"}, {"name", "t"}});
  ASSERT_EQ(made.value("ok", false), true) << made.dump();
  auto socket = logged_in(server_, made.value("token", ""));
  auto second = login(*socket, made.value("token", ""), "again");
  EXPECT_EQ(second["error"].value("reason", ""), "Already logged in") << second.dump();

  auto revoke = server_.call("admin.tokens.revoke", admin(),
                             {{"token_id", made.value("token_id", "")}});
  ASSERT_EQ(revoke.value("ok", false), true) << revoke.dump();
  ASSERT_TRUE(socket->await_close(milliseconds(2000))) << "still open 2 s after the revocation";
  EXPECT_EQ(socket->close_reason().code, 1008u);
  EXPECT_EQ(socket->close_reason().reason, "token_revoked");

  auto audit = hostile::stop_and_audit(server_.process());
  EXPECT_EQ(audit.fields("trent", "disconnected", "reason"),
            std::vector<std::string>{"token_revoked"});
}

TEST_F(ddp_hostile, deactivating_a_logged_in_user_closes_their_socket_with_1008) {
  auto token = server_.create_user("uma");
  auto socket = logged_in(server_, token);
  auto answer = server_.call("admin.users.deactivate", admin(), {{"user", "uma"}});
  ASSERT_EQ(answer.value("ok", false), true) << answer.dump();
  ASSERT_TRUE(socket->await_close(milliseconds(2000))) << "still open 2 s after the deactivation";
  EXPECT_EQ(socket->close_reason().code, 1008u);
  EXPECT_EQ(socket->close_reason().reason, "account_inactive");

  // The deactivated user's token no longer logs in.
  auto again = open_socket(server_);
  connect(*again);
  auto refused = login(*again, token);
  ASSERT_TRUE(refused.contains("error")) << refused.dump();
  EXPECT_EQ(refused["error"].value("error", ""), "error-user-is-not-activated");

  auto audit = hostile::stop_and_audit(server_.process());
  EXPECT_EQ(audit.fields("uma", "disconnected", "reason"),
            std::vector<std::string>{"account_inactive"});
  EXPECT_EQ(audit.count("uma", "connected"), 1u);
}

} // namespace
} // namespace presence::test
