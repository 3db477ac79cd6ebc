#include "http/http_session.hpp"

#include <chrono>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "http/router.hpp"

namespace presence::api::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

// --- session_registry ------------------------------------------------------------------------

uint64_t session_registry::add(const std::shared_ptr<http_session>& session) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto id = next_id_++;
  sessions_.emplace(id, session);
  return id;
}

void session_registry::remove(uint64_t id) {
  std::lock_guard<std::mutex> guard{mutex_};
  sessions_.erase(id);
}

void session_registry::close_all() {
  std::vector<std::shared_ptr<http_session>> open;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& [id, weak] : sessions_)
      if (auto session = weak.lock())
        open.push_back(std::move(session));
  }
  for (auto& session : open)
    session->close();
}

// --- http_session ----------------------------------------------------------------------------

namespace {

std::string header(const bhttp::request<bhttp::string_body>& req, bhttp::field name) {
  auto it = req.find(name);
  return it == req.end() ? std::string{} : std::string(it->value());
}

std::string header(const bhttp::request<bhttp::string_body>& req, const char* name) {
  auto it = req.find(name);
  return it == req.end() ? std::string{} : std::string(it->value());
}

api_request to_api_request(const bhttp::request<bhttp::string_body>& req,
                           const std::string& peer) {
  api_request out;
  out.client_address = peer;
  out.method = std::string(req.method_string());
  auto target = std::string(req.target());
  auto q = target.find('?');
  out.path = target.substr(0, q);
  out.query = q == std::string::npos ? std::string{} : target.substr(q + 1);
  out.content_type = header(req, bhttp::field::content_type);
  out.authorization = header(req, bhttp::field::authorization);
  out.auth_token = header(req, "X-Auth-Token");
  out.user_id = header(req, "X-User-Id");
  out.host = header(req, bhttp::field::host);
  out.if_none_match = header(req, bhttp::field::if_none_match);
  out.body = req.body();
  return out;
}

api_reply plain_error(int status, const char* code) {
  api_reply out;
  out.status = status;
  out.body = std::string("{\"ok\":false,\"error\":\"") + code + "\"}";
  return out;
}

} // namespace

http_session::http_session(asio::ip::tcp::socket&& socket, gateway& gw, rtm::session_context& rtm,
                           session_registry& registry, std::string peer, connection_hold hold)
  : stream_(std::move(socket)), peer_(std::move(peer)), hold_(std::move(hold)), gw_(gw), rtm_(rtm),
    registry_(registry) {
  // Answers go out at once: a reply written while an earlier segment is unacknowledged would
  // otherwise wait for the peer's delayed ACK (Nagle), as WebSocket frames do (ws/server_stream).
  beast::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (peer_.empty()) {
    auto remote = stream_.socket().remote_endpoint(ignored);
    peer_ = ignored ? std::string("unknown") : remote.address().to_string();
  }
}

http_session::~http_session() {
  if (registry_id_ != 0)
    registry_.remove(registry_id_);
}

void http_session::run() {
  registry_id_ = registry_.add(shared_from_this());
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(&http_session::read_next, shared_from_this()));
}

void http_session::close() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    if (!self->busy_ && !self->handed_over_)
      self->shutdown();
  });
}

void http_session::read_next() {
  if (closing_ || gw_.stopping.load()) {
    shutdown();
    return;
  }
  parser_.emplace();
  parser_->body_limit(gw_.config.max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(gw_.config.max_header_bytes));
  if (!kept_alive_ || buffer_.size() > 0) {
    // A fresh connection has `header_timeout` from its accept for its first request's headers.
    read_header();
    return;
  }
  // Idle between requests: the header deadline starts with the next request's first bytes.
  constexpr std::size_t first_read = 4096;
  stream_.expires_after(gw_.config.keepalive_timeout);
  stream_.async_read_some(buffer_.prepare(first_read),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->buffer_.commit(n);
                            if (ec)
                              self->on_read(ec);
                            else
                              self->read_header();
                          });
}

void http_session::read_header() {
  stream_.expires_after(gw_.config.header_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec)
                               self->on_read(ec);
                             else
                               self->read_body();
                           });
}

void http_session::read_body() {
  if (parser_->is_done()) {
    on_read({});
    return;
  }
  stream_.expires_after(gw_.config.keepalive_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_read(ec);
                    });
}

void http_session::on_read(beast::error_code ec) {
  request_read_ = std::chrono::steady_clock::now();
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
      ec == asio::error::eof) {
    shutdown();
    return;
  }
  if (ec == bhttp::error::body_limit) {
    write(plain_error(413, "request_too_large"), false);
    return;
  }
  if (ec == bhttp::error::header_limit) {
    write(plain_error(431, "request_header_fields_too_large"), false);
    return;
  }
  if (ec) {
    spdlog::debug("http bad request: {}", ec.message());
    write(plain_error(400, "bad_request"), false);
    return;
  }
  // RFC 9112 §6.3: a Transfer-Encoding whose last coding is not `chunked` leaves a request's
  // length unknown; 400 and close. Beast reads such a request as bodiless, so its body would be
  // parsed as the next request on the connection (request smuggling).
  const auto& req = parser_->get();
  if (req.find(bhttp::field::transfer_encoding) != req.end() && !parser_->chunked()) {
    spdlog::debug("http bad request: Transfer-Encoding without a final chunked coding");
    write(plain_error(400, "bad_request"), false);
    return;
  }
  dispatch_request();
}

void http_session::dispatch_request() {
  busy_ = true;
  const auto& req = parser_->get();
  bool keep_alive = req.keep_alive();
  auto api_req = to_api_request(req, peer_);
  if (api_req.path == "/rtm" && beast::websocket::is_upgrade(req)) {
    upgrade(api_req);
    return;
  }
  if (api_req.path == "/websocket" && beast::websocket::is_upgrade(req)) {
    ddp_upgrade();
    return;
  }
  route(gw_, api_req, replier(keep_alive));
}

void http_session::upgrade(const api_request& req) {
  authenticate_upgrade(gw_, req, [self = shared_from_this()](upgrade_auth auth) {
    asio::post(self->stream_.get_executor(), [self, auth = std::move(auth)]() mutable {
      if (!auth.ok) {
        self->write(std::move(auth.refusal), false);
        return;
      }
      if (self->closing_ || self->gw_.stopping.load()) {
        self->write(plain_error(503, "service_unavailable"), false);
        return;
      }
      // Over the per-user cap nothing starts: no handshake, nothing logged.
      if (!rtm::reserve_user_session(auth.who.user, self->gw_.config.max_connections_per_user)) {
        self->gw_.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
        self->write(plain_error(429, "too_many_connections"), false);
        return;
      }
      self->handed_over_ = true;
      self->stream_.expires_never();
      spdlog::debug("rtm upgrade user={} client={}", auth.who.user, auth.client);
      rtm::start_session(std::move(self->stream_), self->parser_->release(), std::move(auth.who),
                         auth.batch_presence_aware, std::move(auth.client), self->rtm_,
                         std::move(self->hold_));
    });
  });
}

void http_session::ddp_upgrade() {
  // Not authenticated here: the client logs in over the socket (ddp/ddp_session.hpp), within
  // the login deadline and the socket's frame and message limits.
  gw_.stats.http_requests.fetch_add(1, std::memory_order_relaxed);
  if (closing_ || gw_.stopping.load()) {
    write(plain_error(503, "service_unavailable"), false);
    return;
  }
  handed_over_ = true;
  stream_.expires_never();
  spdlog::debug("ddp upgrade from {}", peer_);
  ddp::start_session(std::move(stream_), parser_->release(), ddp_login(gw_, peer_), rtm_,
                     std::move(hold_));
}

reply_fn http_session::replier(bool keep_alive) {
  return [self = shared_from_this(), keep_alive](api_reply reply) {
    asio::post(self->stream_.get_executor(), [self, keep_alive, reply = std::move(reply)]() mutable {
      self->write(std::move(reply), keep_alive);
    });
  };
}

void http_session::write(api_reply reply, bool keep_alive) {
  busy_ = true;
  keep_alive = keep_alive && !closing_ && !gw_.stopping.load();
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
    static_cast<bhttp::status>(reply.status), parser_ ? parser_->get().version() : 11);
  res->set(bhttp::field::server, "presenced");
  res->set(bhttp::field::content_type, reply.content_type);
  for (const auto& [name, value] : reply.headers)
    res->set(name, value);
  res->keep_alive(keep_alive);
  if (spdlog::should_log(spdlog::level::debug) && parser_ && parser_->is_header_done()) {
    // The path only: query strings may carry tokens and tickets.
    auto target = std::string(parser_->get().target());
    spdlog::debug("http method={} path={} status={} bytes={}",
                  std::string(parser_->get().method_string()), target.substr(0, target.find('?')),
                  reply.status, reply.body.size());
  }
  res->body() = std::move(reply.body);
  res->prepare_payload();
  stream_.expires_after(std::chrono::seconds(30));
  auto send = [this, keep_alive](auto message) {
    bhttp::async_write(stream_, *message, [self = shared_from_this(), message,
                                           keep_alive](beast::error_code ec, std::size_t) {
      self->on_write(keep_alive, ec);
    });
  };
  // A HEAD answer has GET's headers, Content-Length included, and no body (RFC 9110 §9.3.2).
  if (parser_ && parser_->is_header_done() && parser_->get().method() == bhttp::verb::head)
    send(std::make_shared<bhttp::response<bhttp::empty_body>>(std::move(res->base())));
  else
    send(std::move(res));
}

void http_session::on_write(bool keep_alive, beast::error_code ec) {
  busy_ = false;
  if (!ec)
    gw_.stats.http_request_us.observe(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                            request_read_)
        .count()));
  if (ec || !keep_alive) {
    shutdown();
    return;
  }
  kept_alive_ = true;
  read_next();
}

void http_session::shutdown() {
  if (handed_over_)
    return;
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();
}

} // namespace presence::api::http
