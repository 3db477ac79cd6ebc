// End-to-end: the server protects itself from clients that stop reading. A peer that answers no
// ping is closed as dead; a client whose backlog passes the bound is cut off as a slow consumer;
// a live client is kept.

#include <chrono>
#include <string>
#include <vector>

#include "rtm_fixture.hpp"

namespace presence::test {
namespace {

// Test clients answer pings only while they wait for frames: two intervals leave them slack for
// the HTTP calls in between, even on a loaded machine.
constexpr milliseconds ping_interval{1000};

class rtm_heartbeat : public rtm_suite<rtm_heartbeat> {
 public:
  static std::vector<std::string> server_args() {
    return {"--ping-interval-ms", std::to_string(ping_interval.count()), "--max-backlog-bytes",
            "65536"};
  }
};

TEST_F(rtm_heartbeat, dead_peer_is_closed_and_goes_offline) {
  auto token = server().create_user("dead_a");
  auto watcher = server().open(server().create_user("dead_w"));
  const double before = server().metric("presence_ws_closed_dead_peer_total");

  ws_client silent;
  ASSERT_EQ(silent.connect_silent(server().port(), server().rtm_target(token)), "");
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"dead_a"}}}));
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "dead_a", "active"); }));

  // The watcher waits (and so answers its own pings) while the silent peer dies.
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "dead_a", "away"); },
                             20 * ping_interval))
    << "a peer that answers no ping is not closed\n" << server().process().stderr_text();
  ASSERT_TRUE(silent.await_tcp_close(milliseconds(5000))) << "the server dropped the socket";
  EXPECT_GT(server().metric("presence_ws_closed_dead_peer_total"), before);
  EXPECT_TRUE(server().logged("rtm dead_a: disconnected", "(timeout)"));
}

TEST_F(rtm_heartbeat, live_peer_that_answers_pings_is_kept) {
  auto client = server().open(server().create_user("live_a"));
  // Read (and so answer pings) for three heartbeat intervals: no frame is expected meanwhile.
  EXPECT_FALSE(client->await_type("none", 3 * ping_interval).has_value());
  EXPECT_FALSE(client->closed()) << client->close_reason().reason;
  EXPECT_TRUE(client->barrier().has_value()) << "the socket still works";
}

TEST_F(rtm_heartbeat, slow_consumer_is_cut_off) {
  auto token = server().create_user("slow_a");
  auto watcher_token = server().create_user("slow_w");
  const double before = server().metric("presence_ws_closed_slow_consumer_total");
  ws_client silent;
  ASSERT_EQ(silent.connect_silent(server().port(), server().rtm_target(token)), "");
  // Each ping is echoed in its pong: never reading them makes the server's backlog grow past
  // the bound once the kernel buffers are full. Stop when the server drops the connection.
  const std::string ping =
    R"({"type":"ping","id":1,"pad":")" + std::string(30000, 'x') + "\"}";
  int sent = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && silent.send(ping, milliseconds(5000)))
    ++sent;
  EXPECT_TRUE(silent.write_failed()) << "still connected after " << sent << " pings";
  EXPECT_GT(server().metric("presence_ws_closed_slow_consumer_total"), before);
  // Opened only now: a socket nobody reads during the flood would itself die as a dead peer.
  auto watcher = server().open(watcher_token);
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"slow_a"}}}));
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "slow_a", "away"); }))
    << "the cut-off connection's disconnect is logged";
  EXPECT_TRUE(server().logged("rtm slow_a: disconnected", "(kicked)"));
}

TEST_F(rtm_heartbeat, slow_consumer_that_reads_late_sees_the_close_reason) {
  auto token = server().create_user("late_a");
  ws_client client;
  ASSERT_EQ(client.connect_silent(server().port(), server().rtm_target(token)), "");
  const double before = server().metric("presence_ws_closed_slow_consumer_total");
  const std::string ping =
    R"({"type":"ping","id":1,"pad":")" + std::string(30000, 'x') + "\"}";
  // Flood without reading until the server has cut the client off, then read everything: the
  // frames already sent, then the close frame (the server waits one close deadline for that).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool cut = false;
  for (int sent = 0; !cut && std::chrono::steady_clock::now() < deadline; ++sent) {
    ASSERT_TRUE(client.send(ping, milliseconds(5000))) << "dropped before the close, at " << sent;
    if (sent % 20 == 19)
      cut = server().metric("presence_ws_closed_slow_consumer_total") > before;
  }
  ASSERT_TRUE(cut) << "the server never cut the client off";
  client.resume_reading();
  ASSERT_TRUE(client.await_close(milliseconds(5000)));
  EXPECT_EQ(client.close_reason().code, 1008u) << client.read_error();
  EXPECT_EQ(std::string(client.close_reason().reason.c_str()), "slow consumer");
}

} // namespace
} // namespace presence::test
