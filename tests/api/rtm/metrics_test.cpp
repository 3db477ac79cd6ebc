// End-to-end: the real-time counters on /metrics follow what the sockets do.

#include <chrono>
#include <string>

#include "rtm_fixture.hpp"

namespace presence::test {
namespace {

TEST(rtm_metrics, counts_sessions_messages_and_deliveries) {
  rtm_server server;
  auto a_token = server.create_user("met_a");
  auto b_token = server.create_user("met_b");
  EXPECT_EQ(server.metric("presence_ws_connections"), 0);

  auto a = server.open(a_token);
  ASSERT_TRUE(a->send(json{{"type", "presence_sub"}, {"ids", {"met_b"}}}));
  ASSERT_TRUE(a->await([](const json& f) { return is_change(f, "met_b", "away"); }));
  auto b = server.open(b_token);
  ASSERT_TRUE(a->await([](const json& f) { return is_change(f, "met_b", "active"); }));
  ASSERT_TRUE(a->barrier().has_value());

  EXPECT_EQ(server.metric("presence_ws_connections"), 2);
  EXPECT_GE(server.metric("presence_ws_messages_in_total"), 2) << "presence_sub and ping";
  // hello twice, two presence_change frames, one pong.
  EXPECT_GE(server.metric("presence_ws_messages_out_total"), 5);
  EXPECT_GE(server.metric("presence_broadcast_deliveries_total"), 2);

  a->close();
  b->close();
  // The gauge drops when each session has finished: await it, bounded.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.metric("presence_ws_connections") != 0 &&
         std::chrono::steady_clock::now() < deadline) {
  }
  EXPECT_EQ(server.metric("presence_ws_connections"), 0);
}

} // namespace
} // namespace presence::test
