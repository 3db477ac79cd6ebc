#pragma once

// One real-time WebSocket session: one presence connection of one user (docs/design.md §5), the
// part every real-time protocol shares: the handshake, the heartbeat, the bounded send queue,
// the per-socket message rate, the engine connect/disconnect, the subscription to presence
// changes, the close (shutdown, revocation, slow consumer). A protocol (Slack's RTM:
// slack_session.hpp; Rocket.Chat's DDP: ../ddp/ddp_session.hpp) derives from it and renders and
// parses its own frames. Private to the API module.
//
// Threading: every member function runs on `strand_`, a strand over the socket's executor, so a
// session is single-threaded whatever the number of I/O threads. Engine callbacks arrive on CAF
// threads and are posted onto the strand; the engine's blocking calls (subscribe,
// set_subscription, unsubscribe, settings) run on a per-session strand of the offload pool
// (engine_offload.hpp), never on an I/O thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
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
#include "rtm_session.hpp"
#include "send_queue.hpp"
#include "token_bucket.hpp"
#include "../ws/server_stream.hpp"

namespace presence::api::rtm {

/// Whether the server closes a socket for `reason` because its credential was refused
/// (`token_revoked`, `account_inactive`).
bool is_revocation(events::disconnect_reason reason) noexcept;

class session : public std::enable_shared_from_this<session> {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;

  /// `who`: the user, token id and client address when the upgrade was authenticated, empty when the
  /// protocol logs in later (`log_in`). `reserved`: a place in the per-user cap was taken for
  /// `who.user` (reserve_user_session), given back when the session ends. `protocol` names the
  /// session in logs and prefixes its connection id (`rtm`, `ddp`); `client` is the kind
  /// recorded on connect.
  session(boost::beast::tcp_stream stream, request req, credential who, bool reserved,
          const char* protocol, std::string client, session_context& ctx,
          std::shared_ptr<void> hold);
  virtual ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Starts the handshake; the session keeps itself alive through its pending operations.
  void start();
  /// From any thread: sends the protocol's farewell, closes with 1001 and logs the disconnect
  /// with `reason`; for `token_revoked` / `account_inactive` the close is 1008 with the reason's
  /// name as its text.
  void shut_down(events::disconnect_reason reason);

  /// Who the session acts for (empty before a login); readable from any thread.
  credential who() const;

 protected:
  using clock = std::chrono::steady_clock;

  // --- what a protocol provides ---------------------------------------------------------------
  /// The handshake is done. RTM opens the presence connection at once (`connect_presence`);
  /// DDP reads and waits for a login.
  virtual void on_open() = 0;
  /// The presence connection is open and subscribed; `service` is the service's state then.
  /// Notifications that arrived meanwhile are queued right after what this queues.
  virtual void on_presence_open(const presence::engine::service_state& service) = 0;
  /// The engine refused the connect with `code` (nothing was logged).
  virtual void on_connect_refused(errc code) = 0;
  /// One admitted client message: a text frame's payload, or a binary frame (`text` false).
  virtual void on_message(const std::string& message, bool text) = 0;
  /// The answer to the first message of a burst dropped over `msg_rate_per_s` (`limit`).
  virtual std::string render_rate_limited(int limit) = 0;
  /// The frames engine notifications become (merged: notification_inbox::take_notes).
  virtual std::vector<std::string> render(const std::vector<notification>& notes) = 0;
  /// What the client is told before the server closes the socket for `reason`.
  virtual std::vector<std::string> farewell(events::disconnect_reason reason) = 0;

  // --- what a protocol uses -------------------------------------------------------------------
  /// Sets who the session acts for (a login) and the client kind its connect records. Once,
  /// before `connect_presence`.
  void set_who(credential who, bool reserved, std::string client);
  /// Opens the presence connection of the session's user: engine connect (logged), then the
  /// subscription, then `on_presence_open` (or `on_connect_refused`).
  void connect_presence();
  /// Starts the read loop (once).
  void start_reading();
  /// Replaces the subscription's subjects (at most `max_subscription_`); `done` gets the
  /// engine's answer on the strand, after the notifications of the subjects' current presences
  /// (sent at once by the engine) have been rendered. Without an open subscription nothing
  /// happens.
  void set_subjects(std::vector<std::string> ids, std::function<void(status)> done);
  /// What the person did, to the engine at most once a second.
  void note_activity();
  /// Queues frames; cuts the client off as a slow consumer when the backlog passes its bound.
  void enqueue(std::vector<std::string> frames);
  void enqueue(std::string frame);
  /// The origin of the session's commands: its connection, token id and client address.
  presence::origin from() const;
  /// Ends the presence connection at once (`why` is logged) and sends a close frame (`code`,
  /// `reason`) after the backlog, or only after the frame being written when `drop_backlog`;
  /// tears the socket down if the peer has not finished the close within `deadline`.
  void begin_close(ws::close_code code, const std::string& reason,
                   events::disconnect_reason why, bool drop_backlog,
                   std::chrono::milliseconds deadline);
  /// How long a handshake, a login or a close may take before the socket is torn down: two
  /// heartbeat intervals, within 1..10 s.
  std::chrono::milliseconds close_deadline() const;
  /// Runs `job` on this connection's offload strand, unless the pool's queue is full
  /// (`session_limits::max_offload_queue`): then returns false. A `required` job (one that
  /// releases engine state) is never refused.
  template <class Job>
  [[nodiscard]] bool offload(Job&& job, bool required = false) {
    return ctx_.offload.post(offload_strand_, std::forward<Job>(job), required);
  }
  /// Posts `job` to the session's strand.
  template <class Job>
  void on_strand(Job&& job) {
    boost::asio::post(strand_, std::forward<Job>(job));
  }

  /// The session's strand, for the protocol's own timers.
  const boost::asio::any_io_executor& strand() const { return strand_; }
  const std::string& user() const { return user_; }
  const std::string& connection_id() const { return conn_; }
  const char* protocol() const { return protocol_; }
  bool closing() const { return closing_; }
  bool presence_open() const { return presence_open_; }
  session_context& context() const { return ctx_; }
  std::size_t max_subscription() const { return max_subscription_; }

 private:
  // --- lifecycle (session.cpp; the engine side in session_engine.cpp) -----------------------
  void on_accept(boost::beast::error_code ec);
  void on_connected(status st);
  void on_subscribed(result<uint64_t> sub, std::size_t max_subscription,
                     const presence::engine::service_state& service);
  /// Reads the next message (an idle session's read holds no buffer: ws/server_stream.hpp).
  void do_read();
  /// One whole message arrived (`text`: a text frame), or the read failed with `ec`.
  void on_read(boost::beast::error_code ec, std::string message, bool text);
  void heartbeat();
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
  /// Takes a token for any client message; on refusal the message is dropped and the first
  /// refused one of a burst is answered `render_rate_limited`.
  bool admit_message();

  // --- outbound (session_write.cpp) ------------------------------------------------------------
  /// The engine subscription callback (CAF threads): adds to `inbox_`, posts one drain.
  notification_callback make_sink();
  /// Renders what the inbox holds and queues it (or keeps it until the presence opens).
  void drain_inbox();
  void do_write();
  void on_write(boost::beast::error_code ec);

  /// A strand over the socket's executor, type-erased: Boost 1.74's Beast cannot bind handlers to
  /// a `strand<any_io_executor>` directly (it asks it for the old executor interface).
  boost::asio::any_io_executor strand_;
  std::shared_ptr<ws::server_stream> ws_;
  std::shared_ptr<boost::asio::thread_pool> offload_pool_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> offload_strand_;
  request req_;
  mutable std::mutex who_mutex_;  ///< `user_`, `token_id_`, `address_`: set once, maybe after start
  std::string user_;
  std::string token_id_; ///< the token's id, re-checked on revocation and put in the audit
  std::string address_;  ///< the client's address, for the audit
  bool reserved_ = false;  ///< `user_` holds a place in the per-user cap
  std::shared_ptr<void> hold_;  ///< the connection's place in the server's connection caps
  const char* protocol_;
  std::string conn_;
  std::string client_; ///< the client kind recorded on connect
  session_context& ctx_;

  send_queue queue_;
  notification_inbox inbox_;
  token_bucket msg_limiter_;             ///< every client message
  bool msg_limited_ = false;             ///< the `ratelimited` error for this burst was sent
  clock::time_point last_activity_sent_{};  ///< activity reaches the engine at most once a second
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer close_timer_;
  clock::time_point last_seen_;

  std::size_t max_subscription_ = 500;
  std::vector<std::string> early_frames_;  ///< notifications that arrived before the presence opened
  std::optional<uint64_t> subscriber_;
  uint64_t registry_id_ = 0;
  events::disconnect_reason release_reason_ = events::disconnect_reason::closed;
  std::optional<events::disconnect_reason> close_reason_;  ///< set when the server closes
  ws::close_code close_code_ = ws::close_code::normal;  ///< the close frame we send
  std::string close_text_;
  bool accepted_ = false;
  bool connecting_ = false;  ///< connect_presence was called
  bool connected_ = false;   ///< the engine logged `connected`
  bool presence_open_ = false;  ///< subscribed, on_presence_open ran
  bool reading_ = false;     ///< the read loop runs
  bool writing_ = false;
  bool pinging_ = false;
  bool closing_ = false;     ///< no new frames; a close is under way
  bool close_sent_ = false;
  bool released_ = false;   ///< the engine side is let go (subscription, disconnect)
  bool finished_ = false;
};

} // namespace presence::api::rtm
