#pragma once

// One RTM WebSocket client connection of presence-load: connects from a chosen 127.0.0.x source
// address, reports `hello`, sends frames on request, and reports every user of every
// presence_change.
// Single-threaded (the io_context's thread).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace presence::load {

/// What the connection tells its owner.
struct ws_events {
  /// The socket is open and `hello` arrived (or it failed: `ok` false, `what` says where).
  std::function<void(bool ok, const std::string& what)> ready;
  /// One user of a presence_change frame and its `presence_detail` ("online", "away"…).
  std::function<void(std::string_view user, std::string_view presence)> presence;
  /// A frame arrived (before it is parsed).
  std::function<void()> frame;
  /// A presence_change frame was read (after `presence` was called for each of its users).
  std::function<void()> presence_frame;
  /// An `error` frame arrived (e.g. `busy` for a presence_sub the server could not queue);
  /// `frame` is its start.
  std::function<void(const std::string& frame)> rtm_error;
  /// The connection closed or failed after it was ready.
  std::function<void(const std::string& what)> closed;
};

class ws_connection : public std::enable_shared_from_this<ws_connection> {
 public:
  /// `target` is the request path with its query (`/rtm`, or the ticket URL's path); `bearer`,
  /// when not empty, goes in an `Authorization: Bearer` header of the upgrade.
  ws_connection(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server,
                boost::asio::ip::address source, std::string target, ws_events* events,
                std::string bearer = {});
  ~ws_connection();

  void start();
  /// Sends a text frame after the ones already queued (call after `ready`). A failed write is
  /// reported through `closed`.
  void send(std::string frame);
  /// Sends a close frame and stops reading.
  void close();

 private:
  void handshake();
  void read_next();
  void on_read(const boost::system::error_code& error);
  void write_next();

  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Calls `each(user, presence)` for every user of a presence_change frame (batched `users` or the
/// single `user` form), reading `presence_detail` when present, else `presence`; for a
/// `user_change` frame, `each(user id, status_text)`. Returns false for frames of other types.
/// `type` receives the frame's type.
bool parse_presence_change(std::string_view frame, std::string& type,
                           const std::function<void(std::string_view, std::string_view)>& each);

} // namespace presence::load
