#pragma once

// A pool of keep-alive HTTP/1.1 connections to presenced, for the admin and Web API calls of
// presence-load. Requests queue in order and go to the next idle connection. Single-threaded:
// every call and callback runs on the io_context's one thread.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace presence::load {

/// The answer to one request: HTTP status (0 = transport failure) and the body.
struct http_answer {
  unsigned status = 0;
  std::string body;
};

class http_pool {
 public:
  using callback = std::function<void(http_answer)>;

  /// `connections` sockets to `server`, each bound to one of `sources` (round robin) before
  /// connecting. Nothing connects until the first request.
  http_pool(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server,
            std::vector<boost::asio::ip::address> sources, std::size_t connections);
  ~http_pool();
  http_pool(const http_pool&) = delete;
  http_pool& operator=(const http_pool&) = delete;

  /// Queues `POST target` with a form body and `Authorization: Bearer token`; `done` runs once
  /// with the answer. A 429 is retried after its Retry-After (counted in `ratelimited`); a
  /// transport failure on a kept-alive connection is retried once on a fresh one.
  void post(std::string target, std::string form_body, std::string token, callback done);

  /// Requests queued but not yet sent.
  std::size_t queued() const noexcept { return queue_.size(); }
  /// Requests sent and not yet answered.
  std::size_t in_flight() const noexcept;
  /// 429 answers seen (and retried).
  uint64_t ratelimited() const noexcept { return ratelimited_; }

 private:
  struct request;
  class connection;
  void dispatch();
  void retry_later(std::shared_ptr<request> item, unsigned seconds);

  boost::asio::io_context& io_;
  std::deque<std::shared_ptr<request>> queue_;
  std::vector<std::shared_ptr<connection>> connections_;
  uint64_t ratelimited_ = 0;
};

/// `application/x-www-form-urlencoded` escaping of one value.
std::string form_escape(const std::string& value);

} // namespace presence::load
