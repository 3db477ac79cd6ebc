// The end-to-end tests' WebSocket client (ws_client.hpp) over Boost.Beast.
#include "support/ws_client.hpp"

#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace presence::test {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using millis = ws_client::millis;

struct ws_client::impl {
  boost::asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  websocket::response_type response;
  beast::flat_buffer buffer;
  std::deque<std::string> inbox;
  websocket::close_reason close_reason;
  beast::error_code read_error;
  int64_t next_ping_id = 1'000'000;
  bool reading = false;
  bool closed = false;
  bool write_failed = false;

  /// Runs handlers until `done()` or `timeout`; true when `done()`.
  template <class Pred>
  bool run_until(Pred done, millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline)
        return false;
      if (ioc.stopped())
        ioc.restart();
      if (ioc.run_one_for(deadline - now) == 0 && ioc.stopped())
        return done();  // no work left: nothing can change any more
    }
    return true;
  }

  bool write(const std::string& data, bool binary, millis timeout) {
    bool done = false;
    beast::error_code result;
    auto payload = std::make_shared<std::string>(data);
    ws.binary(binary);
    ws.async_write(boost::asio::buffer(*payload), [&, payload](beast::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    if (!run_until([&] { return done; }, timeout)) {
      write_failed = true;
      return false;
    }
    if (result)
      write_failed = true;
    return !result;
  }

  std::string open(uint16_t port, const std::string& target, const headers& extra,
                   millis timeout) {
    boost::asio::ip::tcp::endpoint endpoint{boost::asio::ip::make_address("127.0.0.1"), port};
    beast::error_code result;
    bool done = false;
    beast::get_lowest_layer(ws).async_connect(endpoint, [&](beast::error_code ec) {
      result = ec;
      done = true;
    });
    if (!run_until([&] { return done; }, timeout))
      return "connect: timed out";
    if (result)
      return "connect: " + result.message();
    ws.set_option(websocket::stream_base::decorator([extra](websocket::request_type& req) {
      for (const auto& [name, value] : extra)
        req.set(name, value);
    }));
    done = false;
    ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), target,
                       [&](beast::error_code ec) {
                         result = ec;
                         done = true;
                       });
    if (!run_until([&] { return done; }, timeout))
      return "handshake: timed out";
    if (result)
      return "handshake: " + result.message() + " (HTTP " +
             std::to_string(response.result_int()) + ")";
    return {};
  }

  void start_read() {
    reading = true;
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t bytes) {
      if (ec) {
        read_error = ec;
        close_reason = ws.reason();
        closed = true;
        reading = false;
        return;
      }
      inbox.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(bytes);
      start_read();
    });
  }
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}
ws_client::~ws_client() = default;

std::string ws_client::connect(uint16_t port, const std::string& target, const headers& extra,
                               millis timeout) {
  auto err = impl_->open(port, target, extra, timeout);
  if (err.empty())
    impl_->start_read();
  return err;
}

std::string ws_client::connect_silent(uint16_t port, const std::string& target,
                                      const headers& extra, millis timeout) {
  return impl_->open(port, target, extra, timeout);
}

void ws_client::resume_reading() {
  if (!impl_->reading && !impl_->closed)
    impl_->start_read();
}

unsigned ws_client::handshake_status() const { return impl_->response.result_int(); }
const std::string& ws_client::handshake_body() const { return impl_->response.body(); }

bool ws_client::send(const std::string& text, millis timeout) {
  return impl_->write(text, false, timeout);
}
bool ws_client::send_binary(const std::string& bytes, millis timeout) {
  return impl_->write(bytes, true, timeout);
}

std::optional<std::string> ws_client::next(millis timeout) {
  auto& s = *impl_;
  if (!s.run_until([&] { return !s.inbox.empty() || s.closed; }, timeout) || s.inbox.empty())
    return std::nullopt;
  auto text = std::move(s.inbox.front());
  s.inbox.pop_front();
  return text;
}

std::optional<ws_client::json> ws_client::next_json(millis timeout) {
  auto text = next(timeout);
  if (!text)
    return std::nullopt;
  auto value = json::parse(*text, nullptr, false);
  return value.is_discarded() ? json(*text) : value;
}

std::optional<ws_client::json> ws_client::await(const std::function<bool(const json&)>& match,
                                                millis timeout, std::vector<json>* skipped) {
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

std::optional<ws_client::json> ws_client::await_type(const std::string& type, millis timeout,
                                                     std::vector<json>* skipped) {
  return await([&](const json& f) { return f.value("type", "") == type; }, timeout, skipped);
}

std::optional<std::vector<ws_client::json>> ws_client::barrier(millis timeout) {
  auto id = impl_->next_ping_id++;
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

std::optional<std::vector<ws_client::json>> ws_client::frames_through(
  const std::function<bool(const json&)>& match, millis timeout) {
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

bool ws_client::await_close(millis timeout) {
  auto& s = *impl_;
  if (!s.reading)
    return await_tcp_close(timeout);
  return s.run_until(
    [&] {
      s.inbox.clear();
      return s.closed;
    },
    timeout);
}

bool ws_client::await_tcp_close(millis timeout) {
  auto& s = *impl_;
  bool done = false;
  auto buffer = std::make_shared<std::vector<char>>(64 * 1024);
  std::function<void()> read_raw = [&, buffer] {
    beast::get_lowest_layer(s.ws).socket().async_read_some(
      boost::asio::buffer(*buffer), [&](beast::error_code ec, std::size_t) {
        if (ec)
          done = true;
        else
          read_raw();
      });
  };
  read_raw();
  bool ok = s.run_until([&] { return done; }, timeout);
  if (!ok)
    beast::get_lowest_layer(s.ws).socket().cancel();
  s.run_until([&] { return done; }, millis(1000));
  s.closed = true;
  return ok;
}

bool ws_client::closed() const { return impl_->closed; }

ws_close ws_client::close_reason() const {
  const auto& reason = impl_->close_reason;
  return {static_cast<unsigned>(reason.code), std::string(reason.reason.c_str())};
}

std::string ws_client::read_error() const {
  return impl_->read_error ? impl_->read_error.message() : std::string{};
}

bool ws_client::write_failed() const { return impl_->write_failed; }

void ws_client::close(millis timeout) {
  auto& s = *impl_;
  if (s.closed)
    return;
  bool done = false;
  s.ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  s.run_until([&] { return done && (s.closed || !s.reading); }, timeout);
  s.closed = true;
}

void ws_client::drop() {
  auto& s = *impl_;
  beast::error_code ignored;
  beast::get_lowest_layer(s.ws).socket().close(ignored);
  s.run_until([&] { return s.closed || !s.reading; }, millis(1000));
  s.closed = true;
}

} // namespace presence::test
