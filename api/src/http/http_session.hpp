#pragma once

// One HTTP connection (Boost.Beast): reads requests one at a time with body and header limits,
// hands each to the router, writes the reply on the connection's strand, keeps the connection
// alive when asked, and hands authenticated /rtm upgrades and /websocket upgrades over to the
// real-time modules.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/api_types.hpp"
#include "http/connection_limits.hpp"
#include "http/gateway.hpp"
#include "rtm/rtm_session.hpp"

namespace presence::api::http {

class http_session;

/// The open HTTP sessions, so that `stop` can close idle keep-alive connections. Thread-safe.
class session_registry {
 public:
  uint64_t add(const std::shared_ptr<http_session>& session);
  void remove(uint64_t id);
  /// Asks every registered session to close (on its own strand).
  void close_all();

 private:
  std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::weak_ptr<http_session>> sessions_;
};

class http_session : public std::enable_shared_from_this<http_session> {
 public:
  /// `peer`: the client's IP address when the socket does not tell it (a TLS connection's
  /// plain end, tls_terminator.hpp); empty = the socket's remote address.
  /// `hold`: the connection's place in the connection caps, kept until the connection ends (by
  /// the WebSocket session after an upgrade).
  http_session(boost::asio::ip::tcp::socket&& socket, gateway& gw, rtm::session_context& rtm,
               session_registry& registry, std::string peer = {}, connection_hold hold = {});
  ~http_session();

  /// Starts reading requests (on the socket's strand).
  void run();
  /// Closes the connection if it is idle, or after the reply in flight (posted to the strand).
  void close();

 private:
  using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  /// Waits for the next request: on a kept-alive connection for its first bytes (at most
  /// `keepalive_timeout`), then reads its headers (`read_header`).
  void read_next();
  /// Reads the headers within `header_timeout` (one deadline for the whole header block), then
  /// the body within `keepalive_timeout`.
  void read_header();
  void read_body();
  void on_read(boost::beast::error_code ec);
  void dispatch_request();
  void upgrade(const api_request& req);
  /// Hands a /websocket upgrade (Rocket.Chat's DDP) to the DDP module: it logs in later.
  void ddp_upgrade();
  void write(api_reply reply, bool keep_alive);
  void on_write(bool keep_alive, boost::beast::error_code ec);
  void shutdown();
  /// A reply_fn that posts back onto this session's strand.
  reply_fn replier(bool keep_alive);

  boost::beast::tcp_stream stream_;
  std::string peer_;  ///< the client's IP address
  connection_hold hold_;
  boost::beast::flat_buffer buffer_;
  std::optional<request_parser> parser_;
  gateway& gw_;
  rtm::session_context& rtm_;
  session_registry& registry_;
  uint64_t registry_id_ = 0;
  bool busy_ = false;         ///< a request is being answered
  /// When the request being answered was read in full (for `http_request_seconds`).
  std::chrono::steady_clock::time_point request_read_{};
  bool closing_ = false;
  bool kept_alive_ = false;   ///< a request was answered on this connection already
  bool handed_over_ = false;  ///< the stream now belongs to a WebSocket session
};

} // namespace presence::api::http
