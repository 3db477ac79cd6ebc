// End-to-end: presenced stopping with sockets open. Each socket is told `goodbye`, closed with
// 1001, and its disconnect is logged before the process exits: after a restart nobody is online.

#include <string>

#include "rtm_fixture.hpp"

namespace presence::test {
namespace {

TEST(rtm_shutdown, sigterm_says_goodbye_closes_with_1001_and_logs_the_disconnects) {
  rtm_server server;
  auto token = server.create_user("bye_a");
  auto first = server.open(token);
  auto second = server.open(token);
  auto view = server.call("users.getPresence", token, {{"user", "bye_a"}});
  ASSERT_EQ(view.value("connection_count", -1), 2) << view.dump();

  EXPECT_EQ(server.process().stop(), 0) << server.process().stderr_text();
  for (auto* client : {first.get(), second.get()}) {
    auto goodbye = client->await_type("goodbye");
    ASSERT_TRUE(goodbye.has_value()) << "no goodbye before the close";
    EXPECT_TRUE(client->await_close());
    EXPECT_EQ(client->close_reason().code, 1001u);
  }
  auto logs = server.process().stderr_text();
  EXPECT_NE(logs.find("(server_restart)"), std::string::npos) << logs;

  // Same data directory, new process: the user has no connection left.
  presenced_process again(server.process().data_dir());
  http_client http(again.host(), again.port());
  auto after = http.post_json("/api/users.getPresence", {{"user", "bye_a"}},
                              {{"Authorization", "Bearer " + token}})
                 .json();
  EXPECT_EQ(after.value("presence", ""), "away") << after.dump();
  EXPECT_EQ(after.value("connection_count", -1), 0) << after.dump();
}

} // namespace
} // namespace presence::test
