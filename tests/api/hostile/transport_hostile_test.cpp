// End-to-end catalogue of credentials in URLs and the URLs handed out (api/README.md, Web API and
// Behind a proxy): a `token` in the query string of /api is ignored (`not_authed`) and /rtm takes
// no token parameter, unless --allow-query-token; --public-url is what auth.test and rtm.connect
// hand out.

#include <string>

#include "hostile/hostile_support.hpp"
#include "rtm/rtm_fixture.hpp"
#include "support/http_client.hpp"

namespace presence::test {
namespace {

TEST(transport, a_token_in_the_query_string_is_ignored) {
  rtm_server server;
  auto token = server.create_user("quentin");
  http_client http{"127.0.0.1", server.port()};

  auto by_query = http.get("/api/auth.test?token=" + token);
  EXPECT_EQ(by_query.json().value("error", ""), "not_authed") << by_query.body;
  auto set = http.get("/api/users.setPresence?presence=away&token=" + token);
  EXPECT_EQ(set.json().value("error", ""), "not_authed") << set.body;
  // A form body still carries it, as Slack allows.
  auto by_form = http.post_form("/api/auth.test", "token=" + token);
  EXPECT_EQ(by_form.json().value("user_id", ""), "quentin") << by_form.body;

  ws_client socket;
  EXPECT_NE(socket.connect(server.port(), "/rtm?token=" + token), "");
  EXPECT_EQ(socket.handshake_status(), 401u);
  EXPECT_NE(socket.handshake_body().find("not_authed"), std::string::npos)
    << socket.handshake_body();

  auto audit = hostile::stop_and_audit(server.process());
  EXPECT_EQ(audit.count("quentin", "connected"), 0u);
  EXPECT_EQ(audit.count("quentin", "presence_set"), 0u);
}

TEST(transport, allow_query_token_brings_the_old_behaviour_back) {
  rtm_server server({"--allow-query-token"});
  auto token = server.create_user("quentin");
  http_client http{"127.0.0.1", server.port()};
  auto by_query = http.get("/api/auth.test?token=" + token);
  EXPECT_EQ(by_query.json().value("user_id", ""), "quentin") << by_query.body;
  ws_client socket;
  EXPECT_EQ(socket.connect(server.port(), "/rtm?token=" + token), "");
  EXPECT_TRUE(socket.await_type("hello").has_value());
}

TEST(transport, public_url_is_what_clients_are_given) {
  rtm_server server({"--public-url", "https://presence.example.com/"});
  auto token = server.create_user("pat");
  auto test = server.call("auth.test", token);
  EXPECT_EQ(test.value("url", ""), "https://presence.example.com/") << test.dump();
  auto connect = server.call("rtm.connect", token);
  EXPECT_EQ(connect.value("url", "").rfind("wss://presence.example.com/rtm?ticket=", 0), 0u)
    << connect.dump();

  rtm_server plain;
  auto plain_token = plain.create_user("pat");
  auto plain_test = plain.call("auth.test", plain_token);
  EXPECT_EQ(plain_test.value("url", ""),
            "http://127.0.0.1:" + std::to_string(plain.port()) + "/")
    << plain_test.dump();
}

} // namespace
} // namespace presence::test
