#include "session.hpp"

#include <algorithm>
#include <atomic>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "../metrics.hpp"
#include "engine_offload.hpp"
#include "session_registry.hpp"
#include "ticket_store.hpp"

namespace presence::api::rtm {

namespace net = boost::asio;
namespace beast = boost::beast;

namespace {

// At server shutdown the process is waiting: peers get less time to answer the close.
constexpr std::chrono::milliseconds shutdown_close_deadline{1000};

bool is_revocation(events::disconnect_reason reason) {
  return reason == events::disconnect_reason::token_revoked ||
         reason == events::disconnect_reason::account_inactive;
}

std::string new_connection_id() {
  auto token = random_url_token(9);
  if (token.empty()) {
    // RAND_bytes failing is exotic; a process-unique counter still keeps ids distinct.
    static std::atomic<uint64_t> counter{0};
    token = "n" + std::to_string(++counter);
  }
  return "rtm_" + token;
}

} // namespace

session::session(beast::tcp_stream stream, request req, credential who, bool batch_presence_aware,
                 std::string client, session_context& ctx, std::shared_ptr<void> hold)
  : strand_(net::make_strand(stream.get_executor())),
    ws_(std::make_shared<ws::server_stream>(stream.release_socket(), strand_,
                                            ctx.limits.max_frame_bytes)),
    offload_pool_(offload_pool()),
    offload_strand_(net::make_strand(offload_pool_->get_executor())),
    req_(std::move(req)),
    user_(std::move(who.user)),
    secret_(std::move(who.secret)),
    hold_(std::move(hold)),
    conn_(new_connection_id()),
    batched_(batch_presence_aware),
    client_(std::move(client)),
    ctx_(ctx),
    queue_(ctx.limits.max_backlog_bytes),
    sub_limiter_(ctx.limits.sub_rate_per_s),
    msg_limiter_(ctx.limits.msg_rate_per_s),
    heartbeat_timer_(strand_),
    close_timer_(strand_),
    last_seen_(clock::now()) {}

session::~session() {
  // Every engine call a session makes (connect, subscribe, unsubscribe, disconnect) holds the
  // session until it has answered, so leaving the registry here means all of them are done:
  // wait_sessions_finished really waits for the logged disconnects. A session destroyed without
  // finishing (its I/O context went away) is closed by the engine at the next start.
  if (registry_id_ != 0)
    session_registry::instance().remove(registry_id_);
  session_registry::instance().release(user_);  // the place reserved before start_session
}

std::chrono::milliseconds session::close_deadline() const {
  auto twice = 2 * ctx_.limits.ping_interval;
  return std::clamp(twice, std::chrono::milliseconds(1000), std::chrono::milliseconds(10000));
}

void session::start() {
  registry_id_ = session_registry::instance().add(weak_from_this());
  net::dispatch(strand_, [self = shared_from_this()] {
    self->ws_->on_control([raw = self.get()] {
      raw->last_seen_ = clock::now(); // runs inside our read (which holds the session)
    });
    self->close_timer_.expires_after(self->close_deadline());
    self->close_timer_.async_wait([self](beast::error_code ec) {
      if (!ec && !self->accepted_)
        self->abort_socket();
    });
    self->ws_->async_accept(self->req_, "presenced",
                            [self](beast::error_code ec) { self->on_accept(ec); });
  });
}

void session::shut_down(events::disconnect_reason reason) {
  net::post(strand_, [self = shared_from_this(), reason] {
    if (self->closing_ || self->finished_)
      return;
    if (!self->accepted_) {
      self->closing_ = true;
      self->close_reason_ = reason;
      self->abort_socket();
      return;
    }
    if (is_revocation(reason)) {
      auto name = std::string(events::to_string(reason));
      spdlog::info("rtm {}: closing {}: {}", self->user_, self->conn_, name);
      if (self->open_)
        self->enqueue(render_goodbye(name));
      self->begin_close(ws::close_code::policy_error, name, reason, false,
                        self->close_deadline());
      return;
    }
    if (self->open_)
      self->enqueue(render_goodbye());
    // The server is stopping: a peer gets a short while to answer the close.
    self->begin_close(ws::close_code::going_away, "server shutting down", reason, false,
                      std::min(self->close_deadline(), shutdown_close_deadline));
  });
}

void session::on_accept(beast::error_code ec) {
  close_timer_.cancel();
  if (ec || closing_) {
    if (ec)
      spdlog::debug("rtm {}: handshake failed: {}", user_, ec.message());
    finish(close_reason_.value_or(events::disconnect_reason::closed));
    return;
  }
  accepted_ = true;
  req_ = {}; // the handshake request is no longer needed (its headers are ~0.5 KiB)
  ++ctx_.stats.ws_connections;
  ctx_.engine.run_async(command::connect{user_, conn_, client_, origin{{}, conn_}},
                        [self = shared_from_this()](status st) {
                          net::post(self->strand_, [self, st = std::move(st)]() mutable {
                            self->on_connected(std::move(st));
                          });
                        });
}

void session::on_connected(status st) {
  if (!st.ok()) {
    spdlog::warn("rtm {}: connect refused: {}", user_, describe(st.error()));
    if (finished_)
      return;
    begin_close(ws::close_code::policy_error,
                std::string("connect refused: ") + presence::to_string(st.error().code),
                events::disconnect_reason::closed, true, close_deadline());
    return;
  }
  connected_ = true;
  spdlog::info("rtm {}: connected as {}", user_, conn_);
  if (released_) {
    log_disconnect();
    return;
  }
  if (closing_)
    return;
  bool queued = offload([self = shared_from_this()] {
    auto& engine = self->ctx_.engine;
    auto sub = engine.subscribe(self->make_sink(), self->user_);
    std::size_t max_subscription = self->max_subscription_;
    if (auto settings = engine.settings(); settings.ok())
      max_subscription = static_cast<std::size_t>(settings->max_subscription);
    bool enabled = true;
    std::string reason;
    if (auto service = engine.service(); service.ok()) {
      enabled = service->enabled;
      reason = service->reason;
    }
    net::post(self->strand_, [self, sub = std::move(sub), max_subscription, enabled,
                              reason = std::move(reason)]() mutable {
      self->on_subscribed(std::move(sub), max_subscription, enabled, reason);
    });
  });
  if (!queued) {
    // The engine-call queue is full: the client retries later rather than waiting in it.
    spdlog::warn("rtm {}: engine-call queue full, closing {}", user_, conn_);
    begin_close(ws::close_code::try_again_later, "server busy",
                events::disconnect_reason::closed, true, close_deadline());
  }
}

void session::on_subscribed(result<uint64_t> sub, std::size_t max_subscription,
                            bool service_enabled, const std::string& disabled_reason) {
  if (!sub.ok()) {
    spdlog::warn("rtm {}: subscribe failed: {}", user_, describe(sub.error()));
    begin_close(ws::close_code::internal_error, "subscribe failed",
                events::disconnect_reason::closed, true, close_deadline());
    return;
  }
  subscriber_ = *sub;
  if (released_) {
    drop_subscription();
    return;
  }
  if (closing_)
    return;
  max_subscription_ = max_subscription;
  open_ = true;
  enqueue(render_hello());
  if (!service_enabled)
    enqueue(render_service_status(false, disabled_reason));
  enqueue(std::exchange(early_frames_, {}));
  last_seen_ = clock::now();
  heartbeat();
  do_read();
}

void session::do_read() {
  ws_->async_read(
    [self = shared_from_this()](beast::error_code ec, std::string message, bool text) {
      self->on_read(ec, std::move(message), text);
    });
}

void session::on_read(beast::error_code ec, std::string message, bool text) {
  if (ec) {
    auto reason = events::disconnect_reason::closed;
    if (close_reason_) {
      reason = *close_reason_;
    } else if (ec == ws::error::message_too_big) {
      // The stream has already sent close 1009; the server ended this connection.
      reason = events::disconnect_reason::kicked;
      spdlog::info("rtm {}: frame over {} bytes refused", user_, ctx_.limits.max_frame_bytes);
    }
    finish(reason);
    return;
  }
  ++ctx_.stats.ws_messages_in;
  last_seen_ = clock::now();
  if (!closing_ && admit_message()) {
    // Keep-alives and subscriptions are not activity: only `tickle` is (session_requests.cpp).
    if (text)
      handle_text(message);
    else
      enqueue(render_error(protocol_error::invalid_message, "binary frames are not accepted"));
  }
  do_read();
}

void session::heartbeat() {
  auto interval = ctx_.limits.ping_interval;
  if (interval.count() <= 0)
    return;
  heartbeat_timer_.expires_after(interval);
  heartbeat_timer_.async_wait([self = shared_from_this(), interval](beast::error_code ec) {
    if (ec || self->closing_ || self->finished_)
      return;
    if (clock::now() - self->last_seen_ >= 2 * interval) {
      // Nothing, not even a pong, for two intervals: the peer is gone.
      spdlog::info("rtm {}: no pong for {} ms, closing {}", self->user_, 2 * interval.count(),
                   self->conn_);
      ++self->ctx_.stats.ws_closed_dead_peer;
      self->closing_ = true;
      self->close_reason_ = events::disconnect_reason::timeout;
      self->abort_socket();
      return;
    }
    if (!self->pinging_) {
      self->pinging_ = true;
      self->ws_->async_ping([self](beast::error_code) {
        self->pinging_ = false;
        self->maybe_send_close(); // a close waits for our ping (see maybe_send_close)
      });
    }
    self->heartbeat();
  });
}

void session::begin_close(ws::close_code code, const std::string& reason,
                          events::disconnect_reason why, bool drop_backlog,
                          std::chrono::milliseconds deadline) {
  if (closing_ || finished_)
    return;
  closing_ = true;
  close_reason_ = why;
  // For presence the connection ends now, not when the peer finishes the close handshake.
  release_engine(why);
  close_code_ = code;
  close_text_ = reason; // the stream cuts it to the 123 bytes a control frame has room for
  if (drop_backlog)
    queue_.drop_unsent(writing_);
  close_timer_.expires_after(deadline);
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && !self->finished_) {
      spdlog::info("rtm {}: close handshake timed out, dropping {}", self->user_, self->conn_);
      self->abort_socket();
    }
  });
  maybe_send_close();
}

void session::maybe_send_close() {
  // The close frame goes after the backlog (nothing may be written after a close) and after
  // our own ping, whose completion would otherwise report the close as its error.
  if (!closing_ || close_sent_ || finished_ || pinging_ || writing_ || !queue_.empty())
    return;
  close_sent_ = true;
  ws_->async_close(close_code_, close_text_, [self = shared_from_this()](beast::error_code) {
    // With a read pending, that read reports the end; otherwise we do.
    if (!self->open_)
      self->finish(self->close_reason_.value_or(events::disconnect_reason::closed));
  });
}

void session::abort_socket() {
  ws_->close_socket();
}

void session::finish(events::disconnect_reason reason) {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  open_ = false;
  heartbeat_timer_.cancel();
  close_timer_.cancel();
  abort_socket();
  queue_.drop_unsent(writing_);
  early_frames_.clear();
  if (accepted_)
    --ctx_.stats.ws_connections;
  release_engine(reason);
}

void session::release_engine(events::disconnect_reason reason) {
  if (released_)
    return;
  released_ = true;
  release_reason_ = reason;
  drop_subscription();
  // With the connect still pending, on_connected logs the disconnect when it succeeds.
  if (connected_)
    log_disconnect();
}

void session::drop_subscription() {
  if (!subscriber_)
    return;
  // Required: a refused unsubscribe would leave the subscription in the engine.
  (void)offload([self = shared_from_this(), id = *subscriber_] {
    if (auto st = self->ctx_.engine.unsubscribe(id); !st.ok())
      spdlog::warn("rtm {}: unsubscribe failed: {}", self->user_, describe(st.error()));
  }, true);
  subscriber_.reset();
}

void session::log_disconnect() {
  spdlog::info("rtm {}: disconnected {} ({})", user_, conn_, events::to_string(release_reason_));
  // The callback holds the session until the engine has logged the disconnect.
  ctx_.engine.run_async(command::disconnect{user_, conn_, release_reason_, origin{{}, conn_}},
                        [self = shared_from_this()](status st) {
                          if (!st.ok())
                            spdlog::warn("rtm {}: disconnect failed: {}", self->user_,
                                         describe(st.error()));
                        });
}

void start_session(beast::tcp_stream stream,
                   beast::http::request<beast::http::string_body> req, credential who,
                   bool batch_presence_aware, std::string client, session_context& ctx,
                   std::shared_ptr<void> hold) {
  std::make_shared<session>(std::move(stream), std::move(req), std::move(who),
                            batch_presence_aware, std::move(client), ctx, std::move(hold))
    ->start();
}

} // namespace presence::api::rtm
