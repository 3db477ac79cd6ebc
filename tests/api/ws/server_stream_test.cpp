// server_stream against Beast's WebSocket client, over real sockets on 127.0.0.1.
// server_stream_raw_test.cpp sends hand-made bytes for what a well-behaved client never does.

#include "ws/server_stream.hpp"

#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "ws_test_support.hpp"

namespace presence::api::ws::test {
namespace {

namespace websocket = boost::beast::websocket;

/// A connected client and the server it talks to.
struct connection {
  echo_server server;
  beast_client client;

  explicit connection(std::size_t max_message = 64 * 1024) : server(max_message) {}

  /// Handshakes; true when both sides agree the connection is open.
  bool open() {
    if (auto ec = client.connect(server.port())) {
      ADD_FAILURE() << "handshake: " << ec.message();
      return false;
    }
    auto accepted = server.accepted();
    if (!accepted || *accepted) {
      ADD_FAILURE() << "accept: " << (accepted ? accepted->message() : "timed out");
      return false;
    }
    return true;
  }

  /// Sends `text` and expects it back, read by the server as one text message.
  void expect_echo(const std::string& text) {
    ASSERT_FALSE(client.write(text));
    std::string echo;
    ASSERT_FALSE(client.read(echo));
    EXPECT_TRUE(client.ws.got_text());
    EXPECT_EQ(echo, text);
    auto message = server.next_message();
    ASSERT_TRUE(message.has_value());
    EXPECT_EQ(message->payload, text);
    EXPECT_TRUE(message->text);
  }

  /// Reads until the server's close frame; its code and reason. The close handshake must end
  /// cleanly for Beast (its answer is read, TCP ends without a reset), after a failure too.
  websocket::close_reason read_close() {
    std::string ignored;
    auto ec = client.read(ignored);
    EXPECT_EQ(ec, error_code(websocket::error::closed)) << ec.message();
    return client.ws.reason();
  }

  /// Writes one frame of a fragmented message.
  error_code write_piece(bool fin, std::string_view piece) {
    return client.run(
      [&](auto done) { client.ws.async_write_some(fin, asio::buffer(piece), done); });
  }
};

TEST(server_stream, handshake_and_text_round_trips) {
  connection c(256 * 1024);
  ASSERT_TRUE(c.open());
  c.expect_echo("hello");
  c.expect_echo("");
  c.expect_echo(std::string(126, 'm'));   // 16-bit length both ways
  c.expect_echo(std::string(70000, 'L')); // 64-bit length both ways
  c.expect_echo("caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(server_stream, fragmented_message_is_joined) {
  connection c;
  ASSERT_TRUE(c.open());
  c.client.ws.text(true);
  ASSERT_FALSE(c.write_piece(false, "hel"));
  ASSERT_FALSE(c.write_piece(false, "lo "));
  ASSERT_FALSE(c.write_piece(true, "world"));
  auto message = c.server.next_message();
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->payload, "hello world");
  EXPECT_TRUE(message->text);
  std::string echo;
  ASSERT_FALSE(c.client.read(echo));
  EXPECT_EQ(echo, "hello world");
}

TEST(server_stream, utf8_character_split_across_fragments_is_valid) {
  connection c;
  ASSERT_TRUE(c.open());
  c.client.ws.text(true);
  ASSERT_FALSE(c.write_piece(false, "euro \xE2"));
  ASSERT_FALSE(c.write_piece(false, "\x82"));
  ASSERT_FALSE(c.write_piece(true, "\xAC!"));
  std::string echo;
  ASSERT_FALSE(c.client.read(echo));
  EXPECT_EQ(echo, "euro \xE2\x82\xAC!");
}

TEST(server_stream, client_ping_gets_a_pong_and_reaches_on_control) {
  connection c;
  ASSERT_TRUE(c.open());
  std::vector<std::pair<websocket::frame_type, std::string>> controls;
  c.client.ws.control_callback([&](websocket::frame_type kind, beast::string_view payload) {
    controls.emplace_back(kind, std::string(payload));
  });
  ASSERT_FALSE(c.client.run([&](auto done) { c.client.ws.async_ping("probe", done); }));
  // The server answers the ping before it reads the next message, so the pong comes first.
  c.expect_echo("after the ping");
  ASSERT_EQ(controls.size(), 1u);
  EXPECT_EQ(controls[0].first, websocket::frame_type::pong);
  EXPECT_EQ(controls[0].second, "probe");
  EXPECT_EQ(c.server.control_frames(), 1);
}

TEST(server_stream, client_pong_reaches_on_control) {
  connection c;
  ASSERT_TRUE(c.open());
  ASSERT_FALSE(c.client.run([&](auto done) { c.client.ws.async_pong("unsolicited", done); }));
  c.expect_echo("after the pong");
  EXPECT_EQ(c.server.control_frames(), 1);
}

TEST(server_stream, client_close_is_echoed_and_ends_the_read) {
  connection c;
  ASSERT_TRUE(c.open());
  c.expect_echo("before closing");
  ASSERT_FALSE(c.client.run([&](auto done) {
    c.client.ws.async_close(
      websocket::close_reason(static_cast<websocket::close_code>(4321), "done here"), done);
  }));
  EXPECT_EQ(c.client.ws.reason().code, 4321); // the server echoes the client's code
  auto ended = c.server.read_ended();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(*ended, error_code(error::closed));
}

TEST(server_stream, server_close_reaches_the_client_and_later_writes_fail) {
  connection c;
  ASSERT_TRUE(c.open());
  // Completions must not run inside the call that started them: each records whether the
  // function that made the calls had returned.
  auto returned = std::make_shared<bool>(false);
  auto close_done = std::make_shared<std::promise<std::pair<error_code, bool>>>();
  auto write_done = std::make_shared<std::promise<std::pair<error_code, bool>>>();
  auto ping_done = std::make_shared<std::promise<std::pair<error_code, bool>>>();
  auto close_future = close_done->get_future();
  auto write_future = write_done->get_future();
  auto ping_future = ping_done->get_future();
  auto record = [returned](auto promise) {
    return [returned, promise](error_code ec) { promise->set_value({ec, *returned}); };
  };
  ASSERT_TRUE(c.server.run_on_strand([&](server_stream& s) {
    static const std::string late = "too late";
    s.async_close(close_code::going_away, "bye", record(close_done));
    s.async_write_text(asio::buffer(late), record(write_done));
    s.async_ping(record(ping_done));
    *returned = true;
  }));

  auto reason = c.read_close();
  EXPECT_EQ(reason.code, 1001);
  EXPECT_EQ(std::string(reason.reason.data(), reason.reason.size()), "bye");

  auto closed = await(close_future);
  ASSERT_TRUE(closed.has_value());
  EXPECT_FALSE(closed->first) << closed->first.message();
  EXPECT_TRUE(closed->second);
  auto written = await(write_future);
  ASSERT_TRUE(written.has_value());
  EXPECT_EQ(written->first, error_code(error::closed));
  EXPECT_TRUE(written->second);
  auto pinged = await(ping_future);
  ASSERT_TRUE(pinged.has_value());
  EXPECT_EQ(pinged->first, error_code(error::closed));
  EXPECT_TRUE(pinged->second);

  auto ended = c.server.read_ended();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(*ended, error_code(error::closed));
}

TEST(server_stream, server_ping_is_answered_by_the_client) {
  connection c;
  ASSERT_TRUE(c.open());
  auto ping_done = std::make_shared<std::promise<error_code>>();
  auto ping_future = ping_done->get_future();
  ASSERT_TRUE(c.server.run_on_strand([&](server_stream& s) {
    s.async_ping([ping_done](error_code ec) { ping_done->set_value(ec); });
  }));
  auto pinged = await(ping_future);
  ASSERT_TRUE(pinged.has_value());
  EXPECT_FALSE(*pinged);
  // Beast answers the ping inside the read of this echo; the server takes the pong before the
  // next message, so after a second echo on_control must have seen it.
  c.expect_echo("after the server's ping");
  c.expect_echo("after the pong");
  EXPECT_EQ(c.server.control_frames(), 1);
}

TEST(server_stream, message_of_max_size_passes_and_one_byte_more_closes_with_1009) {
  connection c(1024);
  ASSERT_TRUE(c.open());
  c.expect_echo(std::string(1024, 'a'));
  ASSERT_FALSE(c.client.write(std::string(1025, 'b')));
  EXPECT_EQ(c.read_close().code, 1009);
  auto ended = c.server.read_ended();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(*ended, error_code(error::message_too_big));
  EXPECT_EQ(c.server.pending_messages(), 0u);
}

TEST(server_stream, fragments_adding_up_to_more_than_max_close_with_1009) {
  connection c(1024);
  ASSERT_TRUE(c.open());
  c.client.ws.text(true);
  ASSERT_FALSE(c.write_piece(false, std::string(600, 'a')));
  ASSERT_FALSE(c.write_piece(true, std::string(600, 'b')));
  EXPECT_EQ(c.read_close().code, 1009);
  auto ended = c.server.read_ended();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(*ended, error_code(error::message_too_big));
}

TEST(server_stream, invalid_utf8_text_closes_with_1007) {
  connection c;
  ASSERT_TRUE(c.open());
  ASSERT_FALSE(c.client.write("bad \xC0\x80"));
  EXPECT_EQ(c.read_close().code, 1007);
  auto ended = c.server.read_ended();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(*ended, error_code(error::bad_frame_payload));
  EXPECT_EQ(c.server.pending_messages(), 0u);
}

TEST(server_stream, binary_message_is_delivered_as_binary) {
  connection c;
  ASSERT_TRUE(c.open());
  const std::string bytes("\x00\xFF\xC0\x80 binary", 10);
  ASSERT_FALSE(c.client.write(bytes, false));
  auto message = c.server.next_message();
  ASSERT_TRUE(message.has_value());
  EXPECT_FALSE(message->text);
  EXPECT_EQ(message->payload, bytes);
  c.expect_echo("text after binary"); // the echo server does not echo binary
}

} // namespace
} // namespace presence::api::ws::test
