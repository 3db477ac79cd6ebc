#pragma once

// A small WebSocket client for end-to-end tests: Beast over a private io_context, driven only
// while a call runs, so every call has a deadline and a test cannot hang. Single-threaded.
//
// After `connect`, a read is always pending: frames queue up in an inbox as the client waits,
// and WebSocket pings from the server are answered during those waits (Beast does it inside the
// read). `connect_silent` gives a peer that never reads: it answers no ping and lets the server's
// backlog grow, for the dead-peer and slow-consumer tests.
//
// The Beast code lives in ws_client.cpp (library presence_test_net), compiled once: this header
// names no Boost type, so a test file that includes it stays cheap to compile.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

// GoogleTest's generic printer recurses forever on a JSON value (a container of itself).
NLOHMANN_JSON_NAMESPACE_BEGIN
inline void PrintTo(const basic_json<>& value, std::ostream* out) {
  *out << value.dump();
}
NLOHMANN_JSON_NAMESPACE_END

namespace presence::test {

/// The close frame a server sent: its code (0 when none came) and reason text.
struct ws_close {
  unsigned code = 0;
  std::string reason;
};

class ws_client {
 public:
  using json = nlohmann::json;
  using millis = std::chrono::milliseconds;
  using headers = std::vector<std::pair<std::string, std::string>>;

  ws_client();
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  /// Opens ws://127.0.0.1:`port``target` and starts reading. Empty on success, else what failed
  /// (for a refused upgrade: "handshake: … (HTTP 401)"; see `handshake_status`).
  std::string connect(uint16_t port, const std::string& target, const headers& extra = {},
                      millis timeout = millis(5000));

  /// Like `connect`, but never reads: pings go unanswered and server frames pile up.
  std::string connect_silent(uint16_t port, const std::string& target, const headers& extra = {},
                             millis timeout = millis(5000));

  /// Starts reading after `connect_silent` (frames the server queued meanwhile arrive in order).
  void resume_reading();

  /// The HTTP status of the upgrade response (101 when it succeeded), 0 before any.
  unsigned handshake_status() const;
  /// The body of the upgrade response (the server's JSON error when it refused).
  const std::string& handshake_body() const;

  /// Sends one text frame; false when the socket failed or `timeout` passed.
  bool send(const std::string& text, millis timeout = millis(5000));
  bool send(const char* text, millis timeout = millis(5000)) {
    return send(std::string(text), timeout);
  }
  bool send(const json& frame, millis timeout = millis(5000)) { return send(frame.dump(), timeout); }
  /// Sends one binary frame.
  bool send_binary(const std::string& bytes, millis timeout = millis(5000));

  /// The next text frame, or nullopt when the socket closed or `timeout` passed.
  std::optional<std::string> next(millis timeout = millis(5000));

  /// The next frame parsed as JSON (a non-JSON frame reads as a string value).
  std::optional<json> next_json(millis timeout = millis(5000));

  /// Reads frames until one satisfies `match`, appending the others to `skipped` (if given).
  std::optional<json> await(const std::function<bool(const json&)>& match,
                            millis timeout = millis(5000), std::vector<json>* skipped = nullptr);

  /// The first frame of `type`.
  std::optional<json> await_type(const std::string& type, millis timeout = millis(5000),
                                 std::vector<json>* skipped = nullptr);

  /// Sends a ping with a fresh id and returns every frame received before its pong: since the
  /// server answers in order, anything it sent before handling the ping is in the result. Nullopt
  /// when the pong does not come within `timeout`.
  std::optional<std::vector<json>> barrier(millis timeout = millis(5000));

  /// Every frame up to and including the first that satisfies `match`, then every frame the
  /// server sent before answering a ping (`barrier`): all the socket received so far. Nullopt when
  /// the match or the pong does not come within `timeout` each.
  std::optional<std::vector<json>> frames_through(const std::function<bool(const json&)>& match,
                                                  millis timeout = millis(5000));

  /// Waits until the server closes the socket, discarding frames; false on `timeout`.
  bool await_close(millis timeout = millis(5000));

  /// For a silent client: waits until the server drops the TCP connection, reading and discarding
  /// raw bytes (so the server's frames, pings included, are never answered).
  bool await_tcp_close(millis timeout = millis(5000));

  /// Whether the socket is closed, and the close frame the server sent (code 0 when none).
  bool closed() const;
  ws_close close_reason() const;
  /// What ended reading ("The WebSocket stream was gracefully closed…" after a close handshake),
  /// empty while reading goes on.
  std::string read_error() const;
  /// Whether a `send` failed (the server dropped the connection).
  bool write_failed() const;

  /// Closes politely (code 1000) and waits for the server's answer.
  void close(millis timeout = millis(5000));

  /// Drops the TCP connection without a close frame (a vanished peer).
  void drop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace presence::test
