#pragma once

// Fixtures for the server_stream tests, all over real sockets on 127.0.0.1:
// - `echo_server`: accepts one connection, reads the upgrade request with Beast's HTTP reader (as
//   the real server does), hands the socket to a server_stream and echoes every text message;
//   it records what it read and how its read ended.
// - `beast_client`: Beast's websocket::stream client; `raw_client`: hand-made bytes and frames.
// Every wait is bounded by `patience`: a test that misses an event fails, it never hangs.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "ws/server_stream.hpp"

namespace presence::api::ws::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

/// How long any wait lasts before the test counts the event as missing.
inline constexpr std::chrono::seconds patience{5};

/// The value of `f`, or nullopt when it is not ready within `patience`.
template <class T>
std::optional<T> await(std::future<T>& f) {
  if (f.wait_for(patience) != std::future_status::ready)
    return std::nullopt;
  return f.get();
}

/// One message the echo server read.
struct received {
  std::string payload;
  bool text = false;
};

class echo_server {
 public:
  /// Listens on 127.0.0.1, port 0; the stream refuses messages over `max_message` bytes. With
  /// `echo` false the server starts no read: the test drives the stream through run_on_strand.
  explicit echo_server(std::size_t max_message = 64 * 1024, bool echo = true)
    : max_message_(max_message), echo_(echo) {
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acceptor_.listen();
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec)
        return;
      socket_ = std::move(socket);
      http::async_read(socket_, buffer_, request_,
                       [this](error_code ec, std::size_t) { on_request(ec); });
    });
    thread_ = std::thread([this] { ioc_.run(); });
  }
  echo_server(const echo_server&) = delete;
  echo_server& operator=(const echo_server&) = delete;

  ~echo_server() {
    ioc_.stop();
    thread_.join();
    stream_.reset(); // pending handlers still hold it until the io_context is destroyed
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  /// The accept's outcome (empty: the 101 was written), nullopt on timeout.
  std::optional<error_code> accepted() { return await(accepted_future_); }

  /// The next message the server read, nullopt when none comes within `patience`.
  std::optional<received> next_message() {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, patience, [this] { return !messages_.empty(); }))
      return std::nullopt;
    auto next = std::move(messages_.front());
    messages_.pop_front();
    return next;
  }

  /// Messages read and not yet taken by next_message.
  std::size_t pending_messages() {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }

  /// The error that ended the server's read, nullopt when it does not end within `patience`.
  std::optional<error_code> read_ended() { return await(read_ended_future_); }

  /// How many pings and pongs the stream reported through on_control.
  int control_frames() const { return control_frames_.load(); }

  /// Runs `f` on the stream's strand (once the stream exists) and waits until it returned.
  bool run_on_strand(std::function<void(server_stream&)> f) {
    std::shared_ptr<server_stream> stream;
    {
      std::lock_guard lock(mutex_);
      stream = stream_;
    }
    if (!stream)
      return false;
    auto ran = std::make_shared<std::promise<void>>();
    auto future = ran->get_future();
    asio::post(strand_, [stream, ran, f = std::move(f)] {
      f(*stream);
      ran->set_value();
    });
    return future.wait_for(patience) == std::future_status::ready;
  }

 private:
  void on_request(error_code ec) {
    if (ec) {
      accepted_.set_value(ec);
      return;
    }
    auto stream = std::make_shared<server_stream>(std::move(socket_), strand_, max_message_);
    {
      std::lock_guard lock(mutex_);
      stream_ = stream;
    }
    // The stream's functions run on its strand; its completions may capture it by pointer
    // because the fixture owns it until the io_context has stopped.
    asio::post(strand_, [this, s = stream.get()] {
      s->on_control([this] { ++control_frames_; });
      s->async_accept(request_, "ws-test", [this, s](error_code ec) {
        if (ec)
          s->close_socket();
        else if (echo_)
          read_next(*s);
        // Only now: whatever a test then runs on the strand comes after the read has started.
        accepted_.set_value(ec);
      });
    });
  }

  void read_next(server_stream& s) {
    s.async_read([this, &s](error_code ec, std::string payload, bool text) {
      if (ec) {
        read_ended_.set_value(ec);
        return;
      }
      auto echo = text ? std::make_shared<std::string>(payload) : nullptr;
      {
        std::lock_guard lock(mutex_);
        messages_.push_back({std::move(payload), text});
      }
      arrived_.notify_all();
      if (!echo) {
        read_next(s);
        return;
      }
      // A failed echo (say after our close) leaves the read to report how the connection ended.
      s.async_write_text(asio::buffer(*echo), [this, &s, echo](error_code) { read_next(s); });
    });
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  asio::any_io_executor strand_{asio::make_strand(ioc_)};
  tcp::acceptor acceptor_{ioc_};
  tcp::socket socket_{ioc_};
  beast::flat_buffer buffer_;
  upgrade_request request_;
  std::size_t max_message_;
  bool echo_;

  std::promise<error_code> accepted_;
  std::future<error_code> accepted_future_ = accepted_.get_future();
  std::promise<error_code> read_ended_;
  std::future<error_code> read_ended_future_ = read_ended_.get_future();
  std::atomic<int> control_frames_{0};

  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<received> messages_;
  std::shared_ptr<server_stream> stream_;
  std::thread thread_;
};

/// Runs the operation `start` begins (given a completion handler) on `ioc` for at most
/// `patience`; its error, or timed_out after closing `socket` (which ends the operation).
template <class Start>
error_code drive(asio::io_context& ioc, tcp::socket& socket, Start start) {
  std::optional<error_code> result;
  start([&result](error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (!result && ioc.run_one_until(deadline) != 0) {
  }
  if (result)
    return *result;
  error_code ignored;
  socket.close(ignored);
  ioc.restart();
  ioc.run(); // the aborted operation completes here, while `result` is still alive
  return asio::error::timed_out;
}

/// A Beast WebSocket client on its own io_context, run only inside its calls.
class beast_client {
  asio::io_context ioc_; // before `ws`, which is built on it

 public:
  beast::websocket::stream<beast::tcp_stream> ws{ioc_};

  /// Connects to 127.0.0.1:`port` and performs the handshake.
  error_code connect(uint16_t port) {
    auto ec = run([&](auto done) {
      beast::get_lowest_layer(ws).async_connect(
        tcp::endpoint(asio::ip::address_v4::loopback(), port), done);
    });
    if (ec)
      return ec;
    return run([&](auto done) { ws.async_handshake("127.0.0.1", "/", done); });
  }

  /// Runs one operation on `ws` (see `drive`).
  template <class Start>
  error_code run(Start start) {
    return drive(ioc_, beast::get_lowest_layer(ws).socket(), start);
  }

  error_code write(std::string_view payload, bool text = true) {
    ws.text(text);
    return run([&](auto done) { ws.async_write(asio::buffer(payload), done); });
  }

  /// Reads one message into `message`.
  error_code read(std::string& message) {
    beast::flat_buffer buffer;
    auto ec = run([&](auto done) { ws.async_read(buffer, done); });
    message = beast::buffers_to_string(buffer.data());
    return ec;
  }
};

/// One frame the server sent.
struct server_frame {
  uint8_t first = 0; ///< FIN, RSV and opcode bits
  bool masked = false;
  std::string payload;

  uint8_t op() const { return first & 0x0F; }
  /// The close code of a close frame's payload (0 when it has none).
  uint16_t close_code() const {
    if (payload.size() < 2)
      return 0;
    return static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                 static_cast<uint8_t>(payload[1]));
  }
};

/// A masked client frame built by hand (masking key 12 34 56 78): `first` holds FIN and opcode.
inline std::string client_frame(uint8_t first, std::string_view payload) {
  static constexpr uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
  std::string out(1, static_cast<char>(first));
  uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
  out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(static_cast<uint8_t>(payload[i]) ^ key[i % 4]));
  return out;
}

/// An upgrade request for "/" with the RFC 6455 example key; `extra` lines end in "\r\n".
inline std::string upgrade_request_text(std::string_view extra = "Sec-WebSocket-Key: "
                                                                 "dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                                                 "Sec-WebSocket-Version: 13\r\n") {
  return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
         std::string(extra) + "\r\n";
}

/// A TCP client that writes exact bytes and parses what the server answers.
class raw_client {
 public:
  error_code connect(uint16_t port) {
    auto ec = drive(ioc_, socket_, [&](auto done) {
      socket_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), done);
    });
    if (!ec)
      socket_.set_option(tcp::no_delay(true), ec);
    return ec;
  }

  error_code write(std::string_view bytes) {
    return drive(ioc_, socket_,
                 [&](auto done) { asio::async_write(socket_, asio::buffer(bytes), done); });
  }

  /// Reads one HTTP response; bytes after it stay for read_frame.
  error_code read_response(http::response<http::string_body>& response) {
    beast::flat_buffer buffer;
    auto ec =
      drive(ioc_, socket_, [&](auto done) { http::async_read(socket_, buffer, response, done); });
    in_ += beast::buffers_to_string(buffer.data());
    return ec;
  }

  /// Connects, sends the standard upgrade request and reads a 101; false on any other outcome.
  bool open(uint16_t port) {
    http::response<http::string_body> response;
    return !connect(port) && !write(upgrade_request_text()) && !read_response(response) &&
           response.result() == http::status::switching_protocols;
  }

  /// Reads the next frame into `frame`.
  error_code read_frame(server_frame& frame) {
    if (auto ec = fill(2))
      return ec;
    frame.first = static_cast<uint8_t>(in_[0]);
    frame.masked = (static_cast<uint8_t>(in_[1]) & 0x80) != 0;
    uint64_t length = static_cast<uint8_t>(in_[1]) & 0x7F;
    std::size_t header = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0);
    if (auto ec = fill(header))
      return ec;
    if (header > 2) {
      length = 0;
      for (std::size_t i = 2; i < header; ++i)
        length = (length << 8) | static_cast<uint8_t>(in_[i]);
    }
    if (auto ec = fill(header + length))
      return ec;
    frame.payload = in_.substr(header, length);
    in_.erase(0, header + length);
    return {};
  }

  /// Reads until the server ends the TCP connection; its error (eof for a clean end).
  error_code read_to_end() {
    in_.clear();
    for (;;) {
      if (auto ec = fill(1))
        return ec;
      in_.clear();
    }
  }

 private:
  /// Reads until `in_` holds at least `n` bytes.
  error_code fill(std::size_t n) {
    while (in_.size() < n) {
      std::array<char, 4096> chunk;
      std::size_t got = 0;
      auto ec = drive(ioc_, socket_, [&](auto done) {
        socket_.async_read_some(asio::buffer(chunk), [&got, done](error_code ec, std::size_t n) {
          got = n;
          done(ec);
        });
      });
      in_.append(chunk.data(), got);
      if (ec)
        return ec;
    }
    return {};
  }

  asio::io_context ioc_;
  tcp::socket socket_{ioc_};
  std::string in_;
};

} // namespace presence::api::ws::test
