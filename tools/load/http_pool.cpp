// Keep-alive HTTP/1.1 connections for presence-load (Beast, asynchronous, one thread).
#include "http_pool.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace presence::load {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct http_pool::request {
  http::request<http::string_body> message;
  callback done;
  bool retried = false;  ///< already sent again after a stale keep-alive connection failed
};

/// One keep-alive socket: connects on first use, sends one request at a time, reconnects after
/// a failure. A request that fails on a connection kept alive from an earlier request (the
/// server may have closed it as idle: a race every keep-alive client meets) is sent once more
/// on a fresh connection, as HTTP clients do; any other failure fails the request.
class http_pool::connection : public std::enable_shared_from_this<connection> {
 public:
  connection(http_pool& pool, tcp::endpoint server, asio::ip::address source)
    : pool_(pool), server_(server), source_(source), stream_(pool.io_) {}

  bool idle() const noexcept { return !current_; }
  void close() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  void send(std::shared_ptr<request> item) {
    current_ = std::move(item);
    reused_ = connected_;
    if (connected_) {
      write();
      return;
    }
    beast::error_code ec;
    stream_.socket().open(tcp::v4(), ec);
    if (!ec)
      stream_.socket().bind(tcp::endpoint{source_, 0}, ec);
    if (!ec)
      stream_.socket().set_option(tcp::no_delay(true), ec);  // as interactive clients do
    if (ec) {
      fail();
      return;
    }
    stream_.expires_after(std::chrono::seconds(30));
    stream_.async_connect(server_, [self = shared_from_this()](beast::error_code error) {
      if (error) {
        self->fail();
        return;
      }
      self->connected_ = true;
      self->write();
    });
  }

 private:
  void write() {
    stream_.expires_after(std::chrono::seconds(60));
    http::async_write(stream_, current_->message,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error)
                          self->fail();
                        else
                          self->read();
                      });
  }

  void read() {
    response_ = {};
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       if (error) {
                         self->fail();
                         return;
                       }
                       self->finish();
                     });
  }

  void finish() {
    auto item = std::move(current_);
    current_.reset();
    const unsigned status = response_.result_int();
    if (!response_.keep_alive())
      reset();
    if (status == 429) {
      ++pool_.ratelimited_;
      unsigned wait = 1;
      if (auto it = response_.find(http::field::retry_after); it != response_.end())
        wait = std::max(1, std::atoi(std::string(it->value()).c_str()));
      pool_.retry_later(std::move(item), wait);
    } else {
      item->done(http_answer{status, std::move(response_.body())});
    }
    pool_.dispatch();
  }

  void fail() {
    auto item = std::move(current_);
    current_.reset();
    reset();
    if (item && reused_ && !item->retried) {
      item->retried = true;
      pool_.queue_.push_front(std::move(item));
    } else if (item) {
      item->done(http_answer{0, {}});
    }
    pool_.dispatch();
  }

  void reset() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    connected_ = false;
    buffer_.clear();
  }

  http_pool& pool_;
  tcp::endpoint server_;
  asio::ip::address source_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  std::shared_ptr<request> current_;
  bool connected_ = false;
  bool reused_ = false;  ///< the current request went out on a connection kept alive
};

http_pool::http_pool(asio::io_context& io, tcp::endpoint server,
                     std::vector<asio::ip::address> sources, std::size_t connections)
  : io_(io) {
  for (std::size_t i = 0; i < connections; ++i)
    connections_.push_back(
      std::make_shared<connection>(*this, server, sources[i % sources.size()]));
}

http_pool::~http_pool() {
  for (auto& conn : connections_)
    conn->close();
}

std::size_t http_pool::in_flight() const noexcept {
  std::size_t busy = 0;
  for (const auto& conn : connections_)
    busy += conn->idle() ? 0 : 1;
  return busy;
}

void http_pool::post(std::string target, std::string form_body, std::string token,
                     callback done) {
  auto item = std::make_shared<request>();
  item->message = {http::verb::post, target, 11};
  item->message.set(http::field::host, "127.0.0.1");
  item->message.set(http::field::content_type, "application/x-www-form-urlencoded");
  item->message.set(http::field::authorization, "Bearer " + token);
  item->message.keep_alive(true);
  item->message.body() = std::move(form_body);
  item->message.prepare_payload();
  item->done = std::move(done);
  queue_.push_back(std::move(item));
  dispatch();
}

void http_pool::dispatch() {
  for (auto& conn : connections_) {
    if (queue_.empty())
      return;
    if (conn->idle()) {
      auto item = std::move(queue_.front());
      queue_.pop_front();
      conn->send(std::move(item));
    }
  }
}

void http_pool::retry_later(std::shared_ptr<request> item, unsigned seconds) {
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(seconds));
  timer->async_wait([this, timer, item = std::move(item)](beast::error_code) mutable {
    queue_.push_back(std::move(item));
    dispatch();
  });
}

std::string form_escape(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace presence::load
