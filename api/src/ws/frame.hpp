#pragma once

// RFC 6455 framing for the server side, as plain functions over bytes (no I/O): client frame
// headers, unmasking, server frame headers, close payloads, UTF-8 validation and the handshake's
// accept key. server_stream.hpp does the I/O with them.
//
// Errors are Beast's websocket error codes (boost/beast/websocket/error.hpp): they name each
// protocol violation precisely and the rest of the server already logs them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace presence::api::ws {

using boost::beast::websocket::close_code;
using error = boost::beast::websocket::error;

enum class opcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// True for close, ping and pong.
constexpr bool is_control(opcode op) {
  return (static_cast<uint8_t>(op) & 0x8) != 0;
}

/// A frame header sent by a client.
struct frame_header {
  bool fin = false;
  opcode op = opcode::continuation;
  uint64_t length = 0;               ///< payload bytes
  std::array<uint8_t, 4> mask{};     ///< the client's masking key
  std::size_t header_bytes = 0;      ///< 6, 8 or 14
};

/// The outcome of parsing a header at the start of a buffer.
struct header_parse {
  bool complete = false;             ///< false: more bytes are needed (and `failure` is unset)
  std::optional<error> failure;      ///< a protocol violation; the connection fails with 1002
  frame_header header;
};

/// Parses the client frame header at the start of `data`. Refuses, per RFC 6455 §5: reserved
/// bits (no extension is negotiated), unknown opcodes, unmasked frames, fragmented or >125-byte
/// control frames, lengths not in their shortest form, and 64-bit lengths with the top bit set.
header_parse parse_client_header(std::string_view data);

/// Unmasks (or masks) `n` bytes at `data` in place with `key`, starting at key offset 0.
void apply_mask(char* data, std::size_t n, const std::array<uint8_t, 4>& key);

/// The most bytes a server frame header takes.
constexpr std::size_t max_server_header = 10;

/// Writes an unmasked, final frame header for `length` payload bytes of `op` into `out`;
/// returns how many bytes it used (2, 4 or 10).
std::size_t encode_server_header(opcode op, uint64_t length,
                                 std::array<uint8_t, max_server_header>& out);

/// A close frame's payload: the code (if any) and the reason.
struct close_payload {
  std::optional<uint16_t> code;
  std::string reason;
};

/// Parses a received close payload (§5.5.1, §7.4): empty, or a 2-byte code a peer may send
/// followed by a UTF-8 reason. Returns the violation otherwise (bad_close_size,
/// bad_close_code, bad_close_payload).
std::optional<error> parse_close_payload(std::string_view payload, close_payload& out);

/// The payload of a close frame this server sends: `code`, then at most 123 bytes of `reason`
/// (cut at a UTF-8 character boundary).
std::string make_close_payload(close_code code, std::string_view reason);

/// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above
/// U+10FFFF), as §8.1 requires of text messages.
bool valid_utf8(std::string_view text);

/// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (§4.2.2): the base64 of the
/// SHA-1 of the key and the RFC's GUID.
std::string accept_key(std::string_view client_key);

/// True if `key` is a valid Sec-WebSocket-Key: the base64 of 16 bytes (24 characters).
bool valid_client_key(std::string_view key);

} // namespace presence::api::ws
