#include "server_stream.hpp"

#include <array>
#include <chrono>
#include <utility>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

namespace presence::api::ws {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// One readiness event reads at most this much; what a message does not use waits in `in_`.
constexpr std::size_t read_chunk = 8192;
// Reads without a readiness wait in between, at most (read_step).
constexpr std::size_t max_reads_in_a_row = 8;
// How long a closing connection waits for the peer to close its side (end_connection).
constexpr std::chrono::seconds teardown_deadline{2};

/// The handshake's verdict on `req`: empty, or why it is not an RFC 6455 upgrade.
error_code check_upgrade(const upgrade_request& req) {
  if (!boost::beast::websocket::is_upgrade(req))
    return error::no_upgrade_websocket;
  auto key = req[http::field::sec_websocket_key];
  if (key.empty())
    return error::no_sec_key;
  if (!valid_client_key(std::string_view(key.data(), key.size())))
    return error::bad_sec_key;
  auto version = req[http::field::sec_websocket_version];
  if (version.empty())
    return error::no_sec_version;
  if (version != "13")
    return error::bad_sec_version;
  return {};
}

} // namespace

server_stream::server_stream(asio::ip::tcp::socket socket, asio::any_io_executor strand,
                             std::size_t max_message)
  : socket_(std::move(socket)), strand_(std::move(strand)), max_message_(max_message) {
  // Reads happen after a readiness wait; a spurious wake-up must not block the I/O thread.
  error_code ignored;
  socket_.non_blocking(true, ignored);
  // Frames are written whole, each as soon as it is ready: Nagle would hold a small frame
  // back until the previous one is acknowledged (≈ 40 ms with delayed ACKs).
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
}

void server_stream::async_accept(const upgrade_request& req, std::string_view server_name,
                                 completion done) {
  auto res = std::make_shared<http::response<http::string_body>>();
  res->version(11);
  res->set(http::field::server,
           boost::beast::string_view(server_name.data(), server_name.size()));
  error_code failure = check_upgrade(req);
  if (failure) {
    bool version = failure == error::bad_sec_version;
    res->result(version ? http::status::upgrade_required : http::status::bad_request);
    if (version)
      res->set(http::field::sec_websocket_version, "13");
    res->set(http::field::content_type, "text/plain");
    res->body() = failure.message();
    res->keep_alive(false);
    res->prepare_payload();
  } else {
    auto key = req[http::field::sec_websocket_key];
    res->result(http::status::switching_protocols);
    res->set(http::field::upgrade, "websocket");
    res->set(http::field::connection, "upgrade");
    res->set(http::field::sec_websocket_accept,
             accept_key(std::string_view(key.data(), key.size())));
  }
  http::async_write(socket_, *res,
                    asio::bind_executor(strand_, [self = shared_from_this(), res, failure,
                                                  done = std::move(done)](error_code ec,
                                                                          std::size_t) {
                      done(ec ? ec : failure);
                    }));
}

void server_stream::async_read(read_completion done) {
  read_done_ = std::move(done);
  asio::post(strand_, [self = shared_from_this()] { self->read_step(); });
}

void server_stream::read_step() {
  if (closed_ && !read_error_)
    read_error_ = asio::error::operation_aborted;
  if (read_error_) {
    // A close under way ends the read once it is written (on_written); otherwise now.
    if (!close_queued_ || close_written_ || write_error_)
      finish_read(read_error_);
    return;
  }
  for (std::size_t reads = 0;; ++reads) {
    if (parse_frames())
      return;
    if (in_.empty())
      std::string().swap(in_);  // an idle connection holds no buffer
    // Bytes may already be waiting (a busy peer): read them now, as Asio's own reads do, but
    // only a few times in a row, so one peer cannot keep this I/O thread to itself.
    if (reads == max_reads_in_a_row) {
      wait_readable();
      return;
    }
    std::array<char, read_chunk> chunk;
    error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      wait_readable();
      return;
    }
    if (ec) {
      read_error_ = ec;
      finish_read(read_error_);
      return;
    }
    in_.append(chunk.data(), n);
  }
}

bool server_stream::parse_frames() {
  for (;;) {
    auto parsed = parse_client_header(in_);
    if (parsed.failure) {
      fail(*parsed.failure, close_code::protocol_error);
      return true;
    }
    if (!parsed.complete)
      return false;
    const auto& h = parsed.header;
    if (!is_control(h.op)) {
      if (h.op == opcode::continuation && !in_message_) {
        fail(error::bad_continuation, close_code::protocol_error);
        return true;
      }
      if (h.op != opcode::continuation && in_message_) {
        fail(error::bad_data_frame, close_code::protocol_error);
        return true;
      }
      // Refused before its payload is read: the buffer never holds more than one message.
      if (h.length > max_message_ - message_.size()) {
        fail(error::message_too_big, close_code::too_big);
        return true;
      }
    }
    if (in_.size() - h.header_bytes < h.length)
      return false;  // the payload is not all here yet
    auto length = static_cast<std::size_t>(h.length);
    apply_mask(in_.data() + h.header_bytes, length, h.mask);
    bool ended = on_frame(h, std::string_view(in_.data() + h.header_bytes, length));
    in_.erase(0, h.header_bytes + length);
    if (ended)
      return true;
  }
}

bool server_stream::on_frame(const frame_header& h, std::string_view payload) {
  switch (h.op) {
    case opcode::ping:
      if (control_ && read_done_)
        control_();
      if (!close_queued_) {
        // Only the latest ping needs an answer (§5.5.3): a flood of pings queues one pong.
        for (auto it = out_.begin(); it != out_.end(); ++it) {
          if (it->op == opcode::pong && !(writing_ && it == out_.begin())) {
            it->owned.assign(payload);
            it->payload = asio::buffer(it->owned);
            it->header_bytes = encode_server_header(opcode::pong, payload.size(), it->header);
            return false;
          }
        }
        queue(opcode::pong, std::string(payload), {}, {});
      }
      return false;
    case opcode::pong:
      if (control_ && read_done_)
        control_();
      return false;
    case opcode::close: {
      close_payload parsed;
      if (auto bad = parse_close_payload(payload, parsed)) {
        fail(*bad, close_code::protocol_error);
        return true;
      }
      read_error_ = error::closed;
      // Echo the peer's code (§5.5.1).
      send_final_close(static_cast<close_code>(parsed.code.value_or(close_code::normal)));
      return true;
    }
    default:
      break;
  }
  if (!in_message_) {
    in_message_ = true;
    message_text_ = h.op == opcode::text;
  }
  // Data after our close is discarded (§1.4), but its frames still delimit messages.
  if (!close_queued_)
    message_.append(payload);
  if (!h.fin)
    return false;
  in_message_ = false;
  if (close_queued_) {
    std::string().swap(message_);
    return false;
  }
  if (message_text_ && !valid_utf8(message_)) {
    fail(error::bad_frame_payload, close_code::bad_payload);
    return true;
  }
  finish_read({}, std::exchange(message_, {}), message_text_);
  return true;
}

void server_stream::wait_readable() {
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     asio::bind_executor(strand_, [self = shared_from_this()](error_code ec) {
                       if (!ec || self->closed_) {
                         self->read_step();  // which reports a closed socket as aborted
                         return;
                       }
                       if (!self->read_error_)
                         self->read_error_ = ec;
                       self->finish_read(self->read_error_);
                     }));
}

void server_stream::fail(error e, close_code code) {
  read_error_ = e;
  std::string().swap(in_);
  std::string().swap(message_);
  in_message_ = false;
  send_final_close(code);
}

void server_stream::send_final_close(close_code code) {
  if (!close_queued_) {
    close_queued_ = true;
    queue(opcode::close, make_close_payload(code, {}), {}, {});  // on_written ends the read
  } else if (close_written_ || write_error_) {
    end_connection();
  }
  // else: our close is on its way; on_written ends the connection.
}

void server_stream::finish_read(error_code ec, std::string payload, bool text) {
  if (!read_done_)
    return;
  auto done = std::exchange(read_done_, nullptr);
  done(ec, std::move(payload), text);
}

void server_stream::async_write_text(asio::const_buffer payload, completion done) {
  if (close_queued_ || write_error_) {
    asio::post(strand_, [done = std::move(done), ec = write_error_ ? write_error_
                                                                   : error_code(error::closed)] {
      done(ec);
    });
    return;
  }
  queue(opcode::text, {}, payload, std::move(done));
}

void server_stream::async_ping(completion done) {
  if (close_queued_ || write_error_) {
    asio::post(strand_, [done = std::move(done)] { done(error::closed); });
    return;
  }
  queue(opcode::ping, {}, {}, std::move(done));
}

void server_stream::async_close(close_code code, std::string_view reason, completion done) {
  if (close_queued_ || write_error_) {
    asio::post(strand_, [done = std::move(done)] { done(error::closed); });
    return;
  }
  close_queued_ = true;
  queue(opcode::close, make_close_payload(code, reason), {}, std::move(done));
}

void server_stream::close_socket() {
  if (tearing_down_)
    return;  // the teardown closes it, within its deadline
  closed_ = true;
  error_code ignored;
  socket_.close(ignored);
}

void server_stream::end_connection() {
  if (!tearing_down_) {
    tearing_down_ = true;
    // Closing with unread bytes would send a reset, and a reset can destroy our close frame
    // before the peer reads it: say we are done sending, read until the peer closes (or the
    // deadline), then close.
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    teardown_timer_ = std::make_unique<asio::steady_timer>(strand_, teardown_deadline);
    teardown_timer_->async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->finish_teardown();
    });
    drain();
  }
  finish_read(read_error_);
}

void server_stream::drain() {
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     asio::bind_executor(strand_, [self = shared_from_this()](error_code ec) {
                       std::array<char, read_chunk> discard;
                       // A few reads per wake-up: a peer that keeps sending cannot hold the
                       // I/O thread (the deadline ends it).
                       for (std::size_t i = 0; !ec && i < max_reads_in_a_row; ++i)
                         self->socket_.read_some(asio::buffer(discard), ec);
                       if (!ec || ec == asio::error::would_block || ec == asio::error::try_again)
                         self->drain();
                       else
                         self->finish_teardown();  // end of stream, or an error
                     }));
}

void server_stream::finish_teardown() {
  if (!teardown_timer_)
    return;
  teardown_timer_->cancel();
  teardown_timer_.reset();
  closed_ = true;
  error_code ignored;
  socket_.close(ignored);
}

void server_stream::queue(opcode op, std::string owned, asio::const_buffer payload,
                          completion done) {
  auto& f = out_.emplace_back();
  f.op = op;
  f.owned = std::move(owned);
  // Point at the string only once it sits in the list: moving a short string moves its bytes.
  f.payload = f.owned.empty() ? payload : asio::buffer(f.owned);
  f.header_bytes = encode_server_header(op, f.payload.size(), f.header);
  f.done = std::move(done);
  pump();
}

void server_stream::pump() {
  if (writing_ || out_.empty())
    return;
  writing_ = true;
  auto& f = out_.front();
  std::array<asio::const_buffer, 2> buffers{asio::buffer(f.header.data(), f.header_bytes),
                                            f.payload};
  asio::async_write(socket_, buffers,
                    asio::bind_executor(strand_, [self = shared_from_this()](error_code ec,
                                                                             std::size_t) {
                      self->on_written(ec);
                    }));
}

void server_stream::on_written(error_code ec) {
  writing_ = false;
  if (ec && closed_)
    ec = asio::error::operation_aborted;  // not the closed descriptor's EBADF
  auto written = std::move(out_.front());
  out_.pop_front();
  if (ec) {
    write_error_ = ec;
    auto rest = std::exchange(out_, {});
    if (written.done)
      written.done(ec);
    for (auto& f : rest)
      if (f.done)
        f.done(ec);
    if (read_error_) {
      end_connection();
    }
    return;
  }
  if (written.op == opcode::close) {
    close_written_ = true;
    // After a protocol failure or the peer's close, the connection is over once ours is out.
    if (read_error_)
      end_connection();
  }
  if (written.done)
    written.done(ec);
  pump();
}

} // namespace presence::api::ws
