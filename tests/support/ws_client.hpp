#pragma once

// A small WebSocket client for end-to-end tests: Beast over a private io_context, driven only
// while a call runs, so every call has a deadline and a test cannot hang. Single-threaded.
//
// After `connect`, a read is always pending: frames queue up in an inbox as the client waits,
// and WebSocket pings from the server are answered during those waits (Beast does it inside the
// read). `connect_silent` gives a peer that never reads: it answers no ping and lets the server's
// backlog grow, for the dead-peer and slow-consumer tests.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

// GoogleTest's generic printer recurses forever on a JSON value (a container of itself).
NLOHMANN_JSON_NAMESPACE_BEGIN
inline void PrintTo(const basic_json<>& value, std::ostream* out) {
  *out << value.dump();
}
NLOHMANN_JSON_NAMESPACE_END

namespace presence::test {

class ws_client {
 public:
  using json = nlohmann::json;
  using millis = std::chrono::milliseconds;
  using headers = std::vector<std::pair<std::string, std::string>>;

  ws_client() : ws_(ioc_) {}
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  /// Opens ws://127.0.0.1:`port``target` and starts reading. Empty on success, else what failed
  /// (for a refused upgrade: "handshake: … (HTTP 401)"; see `handshake_status`).
  std::string connect(uint16_t port, const std::string& target, const headers& extra = {},
                      millis timeout = millis(5000)) {
    auto err = open(port, target, extra, timeout);
    if (err.empty())
      start_read();
    return err;
  }

  /// Like `connect`, but never reads: pings go unanswered and server frames pile up.
  std::string connect_silent(uint16_t port, const std::string& target, const headers& extra = {},
                             millis timeout = millis(5000)) {
    return open(port, target, extra, timeout);
  }

  /// Starts reading after `connect_silent` (frames the server queued meanwhile arrive in order).
  void resume_reading() {
    if (!reading_ && !closed_)
      start_read();
  }

  /// The HTTP status of the upgrade response (101 when it succeeded), 0 before any.
  unsigned handshake_status() const { return response_.result_int(); }
  /// The body of the upgrade response (the server's JSON error when it refused).
  const std::string& handshake_body() const { return response_.body(); }

  /// Sends one text frame; false when the socket failed or `timeout` passed.
  bool send(const std::string& text, millis timeout = millis(5000)) {
    return write(text, false, timeout);
  }
  bool send(const char* text, millis timeout = millis(5000)) {
    return write(text, false, timeout);
  }
  bool send(const json& frame, millis timeout = millis(5000)) { return send(frame.dump(), timeout); }
  /// Sends one binary frame.
  bool send_binary(const std::string& bytes, millis timeout = millis(5000)) {
    return write(bytes, true, timeout);
  }

  /// The next text frame, or nullopt when the socket closed or `timeout` passed.
  std::optional<std::string> next(millis timeout = millis(5000)) {
    if (!run_until([&] { return !inbox_.empty() || closed_; }, timeout) || inbox_.empty())
      return std::nullopt;
    auto text = std::move(inbox_.front());
    inbox_.pop_front();
    return text;
  }

  /// The next frame parsed as JSON (a non-JSON frame reads as a string value).
  std::optional<json> next_json(millis timeout = millis(5000)) {
    auto text = next(timeout);
    if (!text)
      return std::nullopt;
    auto value = json::parse(*text, nullptr, false);
    return value.is_discarded() ? json(*text) : value;
  }

  /// Reads frames until one satisfies `match`, appending the others to `skipped` (if given).
  std::optional<json> await(const std::function<bool(const json&)>& match,
                            millis timeout = millis(5000), std::vector<json>* skipped = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<millis>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return std::nullopt;
      auto frame = next_json(left);
      if (!frame)
        return std::nullopt;
      if (match(*frame))
        return frame;
      if (skipped != nullptr)
        skipped->push_back(std::move(*frame));
    }
  }

  /// The first frame of `type`.
  std::optional<json> await_type(const std::string& type, millis timeout = millis(5000),
                                 std::vector<json>* skipped = nullptr) {
    return await([&](const json& f) { return f.value("type", "") == type; }, timeout, skipped);
  }

  /// Sends a ping with a fresh id and returns every frame received before its pong: since the
  /// server answers in order, anything it sent before handling the ping is in the result. Nullopt
  /// when the pong does not come within `timeout`.
  std::optional<std::vector<json>> barrier(millis timeout = millis(5000)) {
    auto id = next_ping_id_++;
    if (!send(json{{"type", "ping"}, {"id", id}}))
      return std::nullopt;
    std::vector<json> before;
    auto pong = await(
      [&](const json& f) { return f.value("type", "") == "pong" && f.value("reply_to", -1) == id; },
      timeout, &before);
    if (!pong)
      return std::nullopt;
    return before;
  }

  /// Every frame up to and including the first that satisfies `match`, then every frame the
  /// server sent before answering a ping (`barrier`): all the socket received so far. Nullopt when
  /// the match or the pong does not come within `timeout` each.
  std::optional<std::vector<json>> frames_through(const std::function<bool(const json&)>& match,
                                                  millis timeout = millis(5000)) {
    std::vector<json> frames;
    auto hit = await(match, timeout, &frames);
    if (!hit)
      return std::nullopt;
    frames.push_back(std::move(*hit));
    auto rest = barrier(timeout);
    if (!rest)
      return std::nullopt;
    frames.insert(frames.end(), rest->begin(), rest->end());
    return frames;
  }

  /// Waits until the server closes the socket, discarding frames; false on `timeout`.
  bool await_close(millis timeout = millis(5000)) {
    if (!reading_)
      return await_tcp_close(timeout);
    return run_until(
      [&] {
        inbox_.clear();
        return closed_;
      },
      timeout);
  }

  /// For a silent client: waits until the server drops the TCP connection, reading and discarding
  /// raw bytes (so the server's frames, pings included, are never answered).
  bool await_tcp_close(millis timeout = millis(5000)) {
    bool done = false;
    auto buffer = std::make_shared<std::vector<char>>(64 * 1024);
    std::function<void()> read_raw = [&, buffer] {
      boost::beast::get_lowest_layer(ws_).socket().async_read_some(
        boost::asio::buffer(*buffer), [&](boost::beast::error_code ec, std::size_t) {
          if (ec)
            done = true;
          else
            read_raw();
        });
    };
    read_raw();
    bool ok = run_until([&] { return done; }, timeout);
    if (!ok)
      boost::beast::get_lowest_layer(ws_).socket().cancel();
    run_until([&] { return done; }, millis(1000));
    closed_ = true;
    return ok;
  }

  /// Whether the socket is closed, and the close frame the server sent (code 0 when none).
  bool closed() const { return closed_; }
  boost::beast::websocket::close_reason close_reason() const { return close_reason_; }
  /// The error that ended reading (websocket::error::closed after a close handshake).
  boost::beast::error_code read_error() const { return read_error_; }
  /// Whether a `send` failed (the server dropped the connection).
  bool write_failed() const { return write_failed_; }

  /// Closes politely (code 1000) and waits for the server's answer.
  void close(millis timeout = millis(5000)) {
    if (closed_)
      return;
    bool done = false;
    ws_.async_close(boost::beast::websocket::close_code::normal,
                    [&](boost::beast::error_code) { done = true; });
    run_until([&] { return done && (closed_ || !reading_); }, timeout);
    closed_ = true;
  }

  /// Drops the TCP connection without a close frame (a vanished peer).
  void drop() {
    boost::beast::error_code ignored;
    boost::beast::get_lowest_layer(ws_).socket().close(ignored);
    run_until([&] { return closed_ || !reading_; }, millis(1000));
    closed_ = true;
  }

 private:
  bool write(const std::string& data, bool binary, millis timeout) {
    bool done = false;
    boost::beast::error_code result;
    auto payload = std::make_shared<std::string>(data);
    ws_.binary(binary);
    ws_.async_write(boost::asio::buffer(*payload),
                    [&, payload](boost::beast::error_code ec, std::size_t) {
                      result = ec;
                      done = true;
                    });
    if (!run_until([&] { return done; }, timeout)) {
      write_failed_ = true;
      return false;
    }
    if (result)
      write_failed_ = true;
    return !result;
  }

  std::string open(uint16_t port, const std::string& target, const headers& extra,
                   millis timeout) {
    boost::asio::ip::tcp::endpoint endpoint{boost::asio::ip::make_address("127.0.0.1"), port};
    boost::beast::error_code result;
    bool done = false;
    boost::beast::get_lowest_layer(ws_).async_connect(endpoint, [&](boost::beast::error_code ec) {
      result = ec;
      done = true;
    });
    if (!run_until([&] { return done; }, timeout))
      return "connect: timed out";
    if (result)
      return "connect: " + result.message();
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
      [extra](boost::beast::websocket::request_type& req) {
        for (const auto& [name, value] : extra)
          req.set(name, value);
      }));
    done = false;
    ws_.async_handshake(response_, "127.0.0.1:" + std::to_string(port), target,
                        [&](boost::beast::error_code ec) {
                          result = ec;
                          done = true;
                        });
    if (!run_until([&] { return done; }, timeout))
      return "handshake: timed out";
    if (result)
      return "handshake: " + result.message() + " (HTTP " +
             std::to_string(response_.result_int()) + ")";
    return {};
  }

  void start_read() {
    reading_ = true;
    ws_.async_read(buffer_, [this](boost::beast::error_code ec, std::size_t bytes) {
      if (ec) {
        read_error_ = ec;
        close_reason_ = ws_.reason();
        closed_ = true;
        reading_ = false;
        return;
      }
      inbox_.push_back(boost::beast::buffers_to_string(buffer_.data()));
      buffer_.consume(bytes);
      start_read();
    });
  }

  /// Runs handlers until `done()` or `timeout`; true when `done()`.
  template <class Pred>
  bool run_until(Pred done, millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline)
        return false;
      if (ioc_.stopped())
        ioc_.restart();
      if (ioc_.run_one_for(deadline - now) == 0 && ioc_.stopped())
        return done();  // no work left: nothing can change any more
    }
    return true;
  }

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::websocket::response_type response_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> inbox_;
  boost::beast::websocket::close_reason close_reason_;
  boost::beast::error_code read_error_;
  int64_t next_ping_id_ = 1'000'000;
  bool reading_ = false;
  bool closed_ = false;
  bool write_failed_ = false;
};

} // namespace presence::test
