#pragma once

// The server side of one WebSocket connection (RFC 6455) over a TCP socket, sized for many idle
// connections: an idle connection waits for readability with no buffer and holds a few hundred
// bytes, where Beast's websocket::stream holds ~2.5 KB (its 1.5 KB read buffer, timer and
// saved handlers) plus its pending read's handler. No extension is negotiated.
//
// Contract:
// - Every member function runs on the strand given at construction, and every completion runs
//   on it too; a completion never runs inside the call that started it.
// - At most one async_read and one async_write at a time. Pings and closes may be started while
//   a write is pending: frames go out whole, in the order they were asked for. Pongs answering
//   the peer's pings are sent by the stream.
// - A read ends with an error when the connection ends: `error::closed` after the peer's close
//   (answered by the stream), `error::message_too_big` (after sending close 1009), a protocol
//   error (after sending close 1002, or 1007 for invalid UTF-8), or the socket's error. Data
//   frames the peer sends after our close are discarded.
// - The stream keeps itself alive while an operation is pending (it is shared-owned).

#include <array>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "frame.hpp"

namespace presence::api::ws {

using error_code = boost::system::error_code;
using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

class server_stream : public std::enable_shared_from_this<server_stream> {
 public:
  using completion = std::function<void(error_code)>;
  /// (error, payload, true for a text message)
  using read_completion = std::function<void(error_code, std::string, bool)>;

  /// `strand` serialises everything (see above); messages over `max_message` bytes end the
  /// connection with 1009.
  server_stream(boost::asio::ip::tcp::socket socket, boost::asio::any_io_executor strand,
                std::size_t max_message);
  server_stream(const server_stream&) = delete;
  server_stream& operator=(const server_stream&) = delete;

  /// Answers the upgrade `req` (already read): 101 with Sec-WebSocket-Accept and a `Server:
  /// server_name` header, or 400 / 426 (and error::bad_sec_key, no_sec_key, bad_sec_version…)
  /// when it is not a valid RFC 6455 handshake.
  void async_accept(const upgrade_request& req, std::string_view server_name, completion done);
  /// Reads one whole data message (continuation frames joined, control frames handled).
  void async_read(read_completion done);
  /// Sends `payload` as one text frame; the caller keeps it alive until `done`.
  void async_write_text(boost::asio::const_buffer payload, completion done);
  /// Sends an empty ping.
  void async_ping(completion done);
  /// Sends a close frame (`reason` cut to 123 bytes); `done` once it is written. A pending read
  /// ends when the peer answers (or the caller closes the socket).
  void async_close(close_code code, std::string_view reason, completion done);
  /// Called (on the strand, inside a pending read, so whatever that read's completion holds is
  /// alive) whenever a ping or pong arrives.
  void on_control(std::function<void()> callback) { control_ = std::move(callback); }
  /// Closes the socket at once; pending operations end with operation_aborted. Once the close
  /// handshake is over (or failed), the stream closes the socket itself, after letting the peer
  /// close first for at most 2 s, and this does nothing.
  void close_socket();

 private:
  struct frame_out {
    opcode op = opcode::text;
    std::array<uint8_t, max_server_header> header{};
    std::size_t header_bytes = 0;
    std::string owned;                       ///< control payloads
    boost::asio::const_buffer payload;       ///< what is sent after the header
    completion done;                         ///< may be empty
  };

  /// Parses what has arrived and reads what the socket holds until the read is done; waits for
  /// readiness when the socket is empty.
  void read_step();
  /// Handles the whole frames in `in_`; true when the read is done (or failed).
  bool parse_frames();
  void wait_readable();
  /// Handles one whole frame whose payload (unmasked) is `payload`; true when the read is done.
  bool on_frame(const frame_header& h, std::string_view payload);
  /// The peer broke the protocol (or sent too much): close with `code`, then end the read.
  void fail(error e, close_code code);
  /// The read is over (read_error_ is set): sends close `code` unless ours is already queued,
  /// and ends the connection once our close is written.
  void send_final_close(close_code code);
  /// Our close is written and the connection is over (read_error_ says why): tears the
  /// connection down gracefully and ends the pending read.
  void end_connection();
  /// Reads and discards until the peer closes, then finish_teardown.
  void drain();
  /// Closes the socket (once).
  void finish_teardown();
  /// Ends the pending read (if any) with `ec`.
  void finish_read(error_code ec, std::string payload = {}, bool text = false);
  /// Appends a frame (`owned` if not empty, else `payload`) and starts writing if idle.
  void queue(opcode op, std::string owned, boost::asio::const_buffer payload, completion done);
  void pump();
  void on_written(error_code ec);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::any_io_executor strand_;
  std::size_t max_message_;
  std::function<void()> control_;

  std::string in_;          ///< received bytes not yet parsed (empty when idle)
  std::string message_;     ///< the data message being joined
  bool in_message_ = false;
  bool message_text_ = false;
  read_completion read_done_;
  error_code read_error_;   ///< sticky: once set every read ends with it

  std::list<frame_out> out_;
  bool writing_ = false;
  bool close_queued_ = false;    ///< our close frame is queued or written
  bool close_written_ = false;
  error_code write_error_;       ///< sticky
  bool tearing_down_ = false;
  bool closed_ = false;          ///< we closed the socket: pending operations end as aborted
  std::unique_ptr<boost::asio::steady_timer> teardown_timer_;  ///< only while tearing down
};

} // namespace presence::api::ws
