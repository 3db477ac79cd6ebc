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

std::string new_connection_id(const char* protocol) {
  auto token = random_url_token(9);
  if (token.empty()) {
    // RAND_bytes failing is exotic; a process-unique counter still keeps ids distinct.
    static std::atomic<uint64_t> counter{0};
    token = "n" + std::to_string(++counter);
  }
  return std::string(protocol) + "_" + token;
}

} // namespace

bool is_revocation(events::disconnect_reason reason) noexcept {
  return reason == events::disconnect_reason::token_revoked ||
         reason == events::disconnect_reason::account_inactive;
}

session::session(beast::tcp_stream stream, request req, credential who, bool reserved,
                 const char* protocol, std::string client, session_context& ctx,
                 std::shared_ptr<void> hold)
  : strand_(net::make_strand(stream.get_executor())),
    ws_(std::make_shared<ws::server_stream>(stream.release_socket(), strand_,
                                            ctx.limits.max_frame_bytes)),
    offload_pool_(offload_pool()),
    offload_strand_(net::make_strand(offload_pool_->get_executor())),
    req_(std::move(req)),
    user_(std::move(who.user)),
    token_id_(std::move(who.token_id)),
    address_(std::move(who.address)),
    reserved_(reserved),
    hold_(std::move(hold)),
    protocol_(protocol),
    conn_(new_connection_id(protocol)),
    client_(std::move(client)),
    ctx_(ctx),
    queue_(ctx.limits.max_backlog_bytes),
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
  if (reserved_)
    session_registry::instance().release(user_);  // the per-user place this connection held
}

credential session::who() const {
  std::lock_guard<std::mutex> guard{who_mutex_};
  return credential{user_, token_id_, address_};
}

void session::set_who(credential who, bool reserved, std::string client) {
  client_ = std::move(client);
  std::lock_guard<std::mutex> guard{who_mutex_};
  user_ = std::move(who.user);
  token_id_ = std::move(who.token_id);
  if (!who.address.empty())
    address_ = std::move(who.address);
  reserved_ = reserved;
}

presence::origin session::from() const {
  std::lock_guard<std::mutex> guard{who_mutex_};
  return {{}, conn_, token_id_, address_};
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
    if (self->reading_ || self->presence_open_)
      self->enqueue(self->farewell(reason));
    if (is_revocation(reason)) {
      auto name = std::string(events::to_string(reason));
      spdlog::info("{} {}: closing {}: {}", self->protocol_, self->user_, self->conn_, name);
      self->begin_close(ws::close_code::policy_error, name, reason, false,
                        self->close_deadline());
      return;
    }
    if (reason == events::disconnect_reason::node_lost) {
      // The user's cluster node was lost: 1012 asks the client to reconnect.
      spdlog::info("{} {}: closing {}: node_lost", self->protocol_, self->user_, self->conn_);
      self->begin_close(ws::close_code::service_restart, "node_lost", reason, false,
                        std::min(self->close_deadline(), shutdown_close_deadline));
      return;
    }
    // The server is stopping: a peer gets a short while to answer the close.
    self->begin_close(ws::close_code::going_away, "server shutting down", reason, false,
                      std::min(self->close_deadline(), shutdown_close_deadline));
  });
}

void session::on_accept(beast::error_code ec) {
  close_timer_.cancel();
  if (ec || closing_) {
    if (ec)
      spdlog::debug("{} {}: handshake failed: {}", protocol_, user_, ec.message());
    finish(close_reason_.value_or(events::disconnect_reason::closed));
    return;
  }
  accepted_ = true;
  req_ = {}; // the handshake request is no longer needed (its headers are ~0.5 KiB)
  ++ctx_.stats.ws_connections;
  on_open();
}

void session::start_reading() {
  if (reading_ || closing_)
    return;
  reading_ = true;
  // The heartbeat starts with the reads: a pong is only seen by a pending read.
  last_seen_ = clock::now();
  heartbeat();
  do_read();
}

bool session::admit_message() {
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
               clock::now().time_since_epoch())
               .count();
  if (msg_limiter_.try_take(now)) {
    msg_limited_ = false;
    return true;
  }
  ++ctx_.stats.ratelimited;
  // One error per burst: answering every dropped message would let a flood drive the server's
  // output.
  if (!std::exchange(msg_limited_, true))
    enqueue(render_rate_limited(ctx_.limits.msg_rate_per_s));
  return false;
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
      spdlog::info("{} {}: frame over {} bytes refused", protocol_, user_,
                   ctx_.limits.max_frame_bytes);
    }
    finish(reason);
    return;
  }
  ++ctx_.stats.ws_messages_in;
  last_seen_ = clock::now();
  // Keep-alives and subscriptions are not activity: the protocol says what is (note_activity).
  if (!closing_ && admit_message())
    on_message(message, text);
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
      spdlog::info("{} {}: no pong for {} ms, closing {}", self->protocol_, self->user_,
                   2 * interval.count(), self->conn_);
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
      spdlog::info("{} {}: close handshake timed out, dropping {}", self->protocol_,
                   self->user_, self->conn_);
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
    if (!self->reading_)
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
  reading_ = false;
  presence_open_ = false;
  heartbeat_timer_.cancel();
  close_timer_.cancel();
  abort_socket();
  queue_.drop_unsent(writing_);
  early_frames_.clear();
  if (accepted_)
    --ctx_.stats.ws_connections;
  release_engine(reason);
}

} // namespace presence::api::rtm
