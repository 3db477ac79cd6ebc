// server_stream against a raw TCP client writing hand-made bytes: refused handshakes, protocol
// violations, and frames split or packed in ways a well-behaved client library rarely produces.

#include "ws/server_stream.hpp"

#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <gtest/gtest.h>

#include "ws_test_support.hpp"

namespace presence::api::ws::test {
namespace {

std::string code_bytes(uint16_t code) {
  return {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
}

/// Opens `client` on `server`; true once both sides have finished the handshake (so whatever a
/// test runs on the server's strand comes after the accept).
bool opened(echo_server& server, raw_client& client) {
  return client.open(server.port()) && server.accepted() == error_code();
}

/// Reads the next frame and expects it to be the server's close with `code`, then the end of TCP.
void expect_close(raw_client& client, uint16_t code) {
  server_frame frame;
  ASSERT_FALSE(client.read_frame(frame));
  EXPECT_EQ(frame.first, 0x88);
  EXPECT_FALSE(frame.masked);
  EXPECT_EQ(frame.close_code(), code);
  EXPECT_EQ(client.read_to_end(), error_code(asio::error::eof));
}

/// Reads the next frame and expects the echo of `text`.
void expect_text(raw_client& client, const std::string& text) {
  server_frame frame;
  ASSERT_FALSE(client.read_frame(frame));
  EXPECT_EQ(frame.first, 0x81);
  EXPECT_FALSE(frame.masked);
  EXPECT_EQ(frame.payload, text);
}

void expect_read_ended(echo_server& server, error_code expected) {
  auto ended = server.read_ended();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(*ended, expected) << ended->message() << ", expected " << expected.message();
}

TEST(server_stream_raw, handshake_answers_101_with_the_accept_key) {
  echo_server server;
  raw_client client;
  ASSERT_FALSE(client.connect(server.port()));
  ASSERT_FALSE(client.write(upgrade_request_text()));
  http::response<http::string_body> response;
  ASSERT_FALSE(client.read_response(response));
  EXPECT_EQ(response.result(), http::status::switching_protocols);
  EXPECT_TRUE(beast::iequals(response[http::field::upgrade], "websocket"));
  EXPECT_TRUE(beast::iequals(response[http::field::connection], "upgrade"));
  EXPECT_EQ(response[http::field::sec_websocket_accept], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(response[http::field::server], "ws-test");
  EXPECT_EQ(server.accepted(), error_code());
}

/// Sends an upgrade request with `headers` and returns the server's answer and its verdict.
struct refusal {
  http::response<http::string_body> response;
  std::optional<error_code> accepted;
};
refusal refused_upgrade(const std::string& headers) {
  echo_server server;
  raw_client client;
  refusal out;
  EXPECT_FALSE(client.connect(server.port()));
  EXPECT_FALSE(client.write(upgrade_request_text(headers)));
  EXPECT_FALSE(client.read_response(out.response));
  out.accepted = server.accepted();
  return out;
}

TEST(server_stream_raw, missing_key_gets_400) {
  auto r = refused_upgrade("Sec-WebSocket-Version: 13\r\n");
  EXPECT_EQ(r.response.result(), http::status::bad_request);
  EXPECT_EQ(r.accepted, error_code(error::no_sec_key));
}

TEST(server_stream_raw, malformed_key_gets_400) {
  auto r = refused_upgrade("Sec-WebSocket-Key: not-a-key\r\nSec-WebSocket-Version: 13\r\n");
  EXPECT_EQ(r.response.result(), http::status::bad_request);
  EXPECT_EQ(r.accepted, error_code(error::bad_sec_key));
}

TEST(server_stream_raw, version_8_gets_426_naming_version_13) {
  auto r = refused_upgrade("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 8\r\n");
  EXPECT_EQ(r.response.result(), http::status::upgrade_required);
  EXPECT_EQ(r.response[http::field::sec_websocket_version], "13");
  EXPECT_EQ(r.accepted, error_code(error::bad_sec_version));
}

TEST(server_stream_raw, protocol_violations_close_with_1002) {
  struct violation {
    const char* name;
    std::string bytes;
    error expected;
  };
  const std::vector<violation> cases{
    {"unmasked frame", std::string("\x81\x02hi", 4), error::bad_unmasked_frame},
    {"continuation without a start", client_frame(0x80, "x"), error::bad_continuation},
    {"reserved bit", std::string(1, '\xC1') + client_frame(0x81, "x").substr(1),
     error::bad_reserved_bits},
    {"new message inside a fragmented one", client_frame(0x01, "a") + client_frame(0x81, "b"),
     error::bad_data_frame},
    {"close code 1005 sent by the peer", client_frame(0x88, code_bytes(1005)),
     error::bad_close_code},
    {"close reason not UTF-8", client_frame(0x88, code_bytes(1000) + "\xFF"),
     error::bad_close_payload},
  };
  for (const auto& v : cases) {
    SCOPED_TRACE(v.name);
    echo_server server;
    raw_client client;
    ASSERT_TRUE(opened(server, client));
    ASSERT_FALSE(client.write(v.bytes));
    expect_close(client, 1002);
    expect_read_ended(server, v.expected);
    EXPECT_EQ(server.pending_messages(), 0u);
  }
}

TEST(server_stream_raw, header_over_max_is_refused_before_its_payload) {
  echo_server server(1024);
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  // Only the header (8 bytes) of a 1025-byte message: the server must not wait for the rest.
  ASSERT_FALSE(client.write(client_frame(0x81, std::string(1025, 'x')).substr(0, 8)));
  expect_close(client, 1009);
  expect_read_ended(server, error::message_too_big);
}

TEST(server_stream_raw, message_over_max_refused_mid_stream_still_gets_its_close) {
  echo_server server(1024);
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  // A 1 MiB message: the server refuses it from its header with most of it still unread. It
  // must read (and drop) the rest rather than close at once: closing with unread bytes sends a
  // reset, and then this write fails or the close frame is lost.
  ASSERT_FALSE(client.write(client_frame(0x82, std::string(1 << 20, 'z'))));
  expect_close(client, 1009);
  expect_read_ended(server, error::message_too_big);
}

TEST(server_stream_raw, messages_in_one_write_are_all_delivered) {
  echo_server server;
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  ASSERT_FALSE(client.write(client_frame(0x81, "one") + client_frame(0x81, "two") +
                            client_frame(0x82, "three")));
  const std::vector<std::pair<std::string, bool>> expected{
    {"one", true}, {"two", true}, {"three", false}};
  for (const auto& [payload, text] : expected) {
    auto message = server.next_message();
    ASSERT_TRUE(message.has_value()) << payload;
    EXPECT_EQ(message->payload, payload);
    EXPECT_EQ(message->text, text);
  }
  expect_text(client, "one");
  expect_text(client, "two");
}

TEST(server_stream_raw, message_written_byte_by_byte_is_delivered_whole) {
  echo_server server;
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  std::string text;
  for (int i = 0; i < 300; ++i)
    text.push_back(static_cast<char>('a' + i % 26));
  auto frame = client_frame(0x81, text); // a 16-bit length: an 8-byte header
  for (char byte : frame)
    ASSERT_FALSE(client.write(std::string(1, byte)));
  auto message = server.next_message();
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->payload, text);
  expect_text(client, text);
}

TEST(server_stream_raw, ping_flood_is_answered_with_the_latest_payload) {
  echo_server server;
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  ASSERT_FALSE(client.write(client_frame(0x89, "p1") + client_frame(0x89, "p2") +
                            client_frame(0x89, "p3") + client_frame(0x81, "msg")));
  std::vector<std::string> pongs;
  server_frame frame;
  for (;;) {
    ASSERT_FALSE(client.read_frame(frame));
    EXPECT_FALSE(frame.masked);
    if (frame.first != 0x8A)
      break;
    pongs.push_back(frame.payload);
  }
  EXPECT_EQ(frame.first, 0x81);
  EXPECT_EQ(frame.payload, "msg");
  ASSERT_FALSE(pongs.empty());
  EXPECT_LE(pongs.size(), 3u);
  EXPECT_EQ(pongs.back(), "p3");                  // the answer to the last ping comes last
  ASSERT_TRUE(server.next_message().has_value()); // after the pings, on the server's side
  EXPECT_EQ(server.control_frames(), 3);
}

TEST(server_stream_raw, control_frame_inside_a_fragmented_message) {
  echo_server server;
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  ASSERT_FALSE(client.write(client_frame(0x01, "ab") + client_frame(0x89, "x") +
                            client_frame(0x00, "") + client_frame(0x80, "cd")));
  server_frame pong;
  ASSERT_FALSE(client.read_frame(pong));
  EXPECT_EQ(pong.first, 0x8A);
  EXPECT_EQ(pong.payload, "x");
  expect_text(client, "abcd");
  auto message = server.next_message();
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->payload, "abcd");
  EXPECT_TRUE(message->text);
}

TEST(server_stream_raw, client_close_without_code_is_answered_with_1000) {
  echo_server server;
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  ASSERT_FALSE(client.write(client_frame(0x88, "")));
  expect_close(client, 1000);
  expect_read_ended(server, error::closed);
}

/// Has the server close with 1000 and reads that close frame.
void server_closes(echo_server& server, raw_client& client) {
  ASSERT_TRUE(server.run_on_strand(
    [](server_stream& s) { s.async_close(close_code::normal, "", [](error_code) {}); }));
  server_frame frame;
  ASSERT_FALSE(client.read_frame(frame));
  EXPECT_EQ(frame.first, 0x88);
  EXPECT_EQ(frame.close_code(), 1000);
}

TEST(server_stream_raw, data_after_the_servers_close_is_discarded) {
  // The client may send data after our close went out and before it saw it: whole messages...
  const std::vector<std::pair<const char*, std::string>> cases{
    {"one frame", client_frame(0x81, "late")},
    {"a fragmented message", client_frame(0x01, "la") + client_frame(0x80, "te")},
  };
  for (const auto& [name, late] : cases) {
    SCOPED_TRACE(name);
    echo_server server;
    raw_client client;
    ASSERT_TRUE(opened(server, client));
    server_closes(server, client);
    ASSERT_FALSE(client.write(late + client_frame(0x88, code_bytes(1000))));
    expect_read_ended(server, error::closed);
    // Had "late" been delivered, the server would have recorded it before its read ended.
    EXPECT_EQ(server.pending_messages(), 0u);
    EXPECT_EQ(client.read_to_end(), error_code(asio::error::eof));
  }
}

TEST(server_stream_raw, message_finished_after_the_servers_close_is_discarded) {
  // ...or the end of a message begun before it, and then another.
  echo_server server;
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  ASSERT_FALSE(client.write(client_frame(0x01, "ea") + client_frame(0x89, "sync")));
  server_frame pong; // the first fragment has been read once the ping's pong is out
  ASSERT_FALSE(client.read_frame(pong));
  EXPECT_EQ(pong.first, 0x8A);
  server_closes(server, client);
  ASSERT_FALSE(client.write(client_frame(0x80, "rly") + client_frame(0x81, "next") +
                            client_frame(0x88, code_bytes(1000))));
  expect_read_ended(server, error::closed);
  EXPECT_EQ(server.pending_messages(), 0u);
}

TEST(server_stream_raw, close_socket_aborts_a_pending_read) {
  echo_server server(64 * 1024, false);
  raw_client client;
  ASSERT_TRUE(opened(server, client));
  auto read = std::make_shared<std::promise<error_code>>();
  auto read_future = read->get_future();
  ASSERT_TRUE(server.run_on_strand([read](server_stream& s) {
    s.async_read([read](error_code ec, std::string, bool) { read->set_value(ec); });
    s.close_socket();
  }));
  auto read_result = await(read_future);
  ASSERT_TRUE(read_result.has_value());
  EXPECT_EQ(*read_result, error_code(asio::error::operation_aborted)) << read_result->message();
  EXPECT_EQ(client.read_to_end(), error_code(asio::error::eof));
}

TEST(server_stream_raw, close_socket_aborts_a_pending_write) {
  echo_server server(64 * 1024, false);
  raw_client client; // never reads: 32 MiB cannot all be written
  ASSERT_TRUE(opened(server, client));
  auto big = std::make_shared<std::string>(32 << 20, 'w');
  auto written = std::make_shared<std::promise<error_code>>();
  auto written_future = written->get_future();
  ASSERT_TRUE(server.run_on_strand([big, written](server_stream& s) {
    s.async_write_text(asio::buffer(*big),
                       [big, written](error_code ec) { written->set_value(ec); });
    s.close_socket();
  }));
  auto write_result = await(written_future);
  ASSERT_TRUE(write_result.has_value());
  EXPECT_EQ(*write_result, error_code(asio::error::operation_aborted)) << write_result->message();
}

} // namespace
} // namespace presence::api::ws::test
