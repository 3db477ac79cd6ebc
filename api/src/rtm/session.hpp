#pragma once

// One real-time WebSocket session: one presence connection of one user (docs/design.md §5).
// Private to the RTM module; the HTTP layer reaches it through rtm_session.hpp.
//
// Threading: every member function runs on `strand_`, a strand over the socket's executor, so a
// session is single-threaded whatever the number of I/O threads. Engine callbacks arrive on CAF
// threads and are posted onto the strand; the engine's blocking calls (subscribe,
// set_subscription, unsubscribe, settings) run on a per-session strand of the offload pool
// (engine_offload.hpp), never on an I/O thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "notification_inbox.hpp"
#include "rtm_protocol.hpp"
#include "rtm_session.hpp"
#include "send_queue.hpp"
#include "token_bucket.hpp"
#include "../ws/server_stream.hpp"

namespace presence::api::rtm {

class session : public std::enable_shared_from_this<session> {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;

  session(boost::beast::tcp_stream stream, request req, credential who, bool batch_presence_aware,
          std::string client, session_context& ctx, std::shared_ptr<void> hold);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Starts the handshake; the session keeps itself alive through its pending operations.
  void start();
  /// From any thread: says `goodbye`, closes with 1001 and logs the disconnect with `reason`;
  /// for `token_revoked` / `account_inactive` the goodbye names the reason and the close is 1008.
  void shut_down(events::disconnect_reason reason);

  /// Who the session acts for; immutable, readable from any thread.
  const std::string& user() const { return user_; }
  const std::string& secret() const { return secret_; }

 private:
  using clock = std::chrono::steady_clock;

  // --- lifecycle (session.cpp) ---------------------------------------------------------------
  void on_accept(boost::beast::error_code ec);
  void on_connected(status st);
  void on_subscribed(result<uint64_t> sub, std::size_t max_subscription, bool service_enabled,
                     const std::string& disabled_reason);
  /// Reads the next message (an idle session's read holds no buffer: ws/server_stream.hpp).
  void do_read();
  /// One whole message arrived (`text`: a text frame), or the read failed with `ec`.
  void on_read(boost::beast::error_code ec, std::string message, bool text);
  void heartbeat();
  /// Ends the presence connection at once (`why` is logged) and sends a close frame (`code`,
  /// `reason`) after the backlog, or only after the frame being written when `drop_backlog`;
  /// tears the socket down if the peer has not finished the close within `deadline`.
  void begin_close(ws::close_code code, const std::string& reason,
                   events::disconnect_reason why, bool drop_backlog,
                   std::chrono::milliseconds deadline);
  /// How long a handshake or close may take before the socket is torn down: two heartbeat
  /// intervals, within 1..10 s.
  std::chrono::milliseconds close_deadline() const;
  /// Sends the pending close frame once nothing else may be written before it.
  void maybe_send_close();
  /// Closes the TCP socket at once (dead peer, close deadline passed).
  void abort_socket();
  /// Once per session, after the socket is done: updates the gauge, releases the engine side.
  void finish(events::disconnect_reason reason);
  /// Once per session, when the connection ends for presence: drops the subscription and logs
  /// the disconnect with `reason` (at once, or when a pending connect succeeds).
  void release_engine(events::disconnect_reason reason);
  /// Offloads the engine unsubscribe of this session's subscriber, if any.
  void drop_subscription();
  /// Logs the disconnect with `release_reason_` (the callback holds the session until answered).
  void log_disconnect();

  // --- outbound (session_write.cpp) ------------------------------------------------------------
  /// Queues frames; cuts the client off as a slow consumer when the backlog passes its bound.
  void enqueue(std::vector<std::string> frames);
  void enqueue(std::string frame);
  /// The engine subscription callback (CAF threads): adds to `inbox_`, posts one drain.
  notification_callback make_sink();
  /// Renders what the inbox holds and queues it (or keeps it until hello).
  void drain_inbox();
  void do_write();
  void on_write(boost::beast::error_code ec);

  // --- inbound requests (session_requests.cpp) ------------------------------------------------
  void handle_text(const std::string& text);
  void handle(presence_sub_message msg);
  void handle(presence_query_message msg);
  void handle(const ping_message& msg);
  void handle(const tickle_message&);
  void handle(const bad_message& msg);
  /// Takes a presence_sub / presence_query token; on refusal answers `ratelimited`.
  bool admit(const nlohmann::json& reply_to);
  /// Takes a token for any client message; on refusal the message is dropped and the first
  /// refused one of a burst is answered `ratelimited`.
  bool admit_message();
  /// Runs `job` on this session's offload strand, unless the pool's queue is full
  /// (`session_limits::max_offload_queue`): then returns false. A `required` job (one that
  /// releases engine state) is never refused.
  template <class Job>
  [[nodiscard]] bool offload(Job&& job, bool required = false) {
    return ctx_.offload.post(offload_strand_, std::forward<Job>(job), required);
  }

  /// A strand over the socket's executor, type-erased: Boost 1.74's Beast cannot bind handlers to
  /// a `strand<any_io_executor>` directly (it asks it for the old executor interface).
  boost::asio::any_io_executor strand_;
  std::shared_ptr<ws::server_stream> ws_;
  std::shared_ptr<boost::asio::thread_pool> offload_pool_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> offload_strand_;
  request req_;
  std::string user_;
  std::string secret_;  ///< the token secret, re-checked on revocation (memory only)
  std::shared_ptr<void> hold_;  ///< the connection's place in the server's connection caps
  std::string conn_;
  bool batched_;
  std::string client_; ///< the client kind recorded on connect
  session_context& ctx_;

  send_queue queue_;
  notification_inbox inbox_;
  token_bucket sub_limiter_;
  token_bucket msg_limiter_;             ///< every client message
  bool msg_limited_ = false;             ///< the `ratelimited` error for this burst was sent
  clock::time_point last_activity_sent_{};  ///< activity reaches the engine at most once a second
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer close_timer_;
  clock::time_point last_seen_;

  std::size_t max_subscription_ = 500;
  std::vector<std::string> early_frames_;  ///< notifications that arrived before hello
  std::optional<uint64_t> subscriber_;
  uint64_t registry_id_ = 0;
  events::disconnect_reason release_reason_ = events::disconnect_reason::closed;
  std::optional<events::disconnect_reason> close_reason_;  ///< set when the server closes
  ws::close_code close_code_ = ws::close_code::normal;  ///< the close frame we send
  std::string close_text_;
  bool accepted_ = false;
  bool connected_ = false;   ///< the engine logged `connected`
  bool open_ = false;        ///< hello sent, reading
  bool writing_ = false;
  bool pinging_ = false;
  bool closing_ = false;     ///< no new frames; a close is under way
  bool close_sent_ = false;
  bool released_ = false;   ///< the engine side is let go (subscription, disconnect)
  bool finished_ = false;
};

} // namespace presence::api::rtm
