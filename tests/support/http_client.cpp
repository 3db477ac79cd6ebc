// The end-to-end tests' HTTP client (http_client.hpp) over Boost.Beast.
#include "support/http_client.hpp"

#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace presence::test {

namespace http = boost::beast::http;

struct http_client::impl {
  std::string host;
  uint16_t port;
  boost::asio::io_context ioc;
  std::unique_ptr<boost::beast::tcp_stream> stream;

  http_response exchange(const std::string& method, const std::string& target,
                         const std::string& body, const header_list& headers,
                         const std::string& content_type) {
    if (!stream) {
      stream = std::make_unique<boost::beast::tcp_stream>(ioc);
      boost::asio::ip::tcp::endpoint endpoint{boost::asio::ip::make_address(host), port};
      stream->connect(endpoint);
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host + ":" + std::to_string(port));
    req.keep_alive(true);
    if (!content_type.empty())
      req.set(http::field::content_type, content_type);
    for (const auto& [name, value] : headers)
      req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    http::write(*stream, req);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(*stream, buffer, parser);
    auto res = parser.release();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res)
      out.headers[lowercase(std::string(field.name_string()))] = std::string(field.value());
    if (!res.keep_alive())
      stream.reset();
    return out;
  }
};

http_client::http_client(std::string host, uint16_t port)
  : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

http_client::~http_client() = default;

http_response http_client::request(const std::string& method, const std::string& target,
                                   const std::string& body, const header_list& headers,
                                   const std::string& content_type) {
  for (int attempt = 0;; ++attempt) {
    bool fresh = !impl_->stream;
    try {
      return impl_->exchange(method, target, body, headers, content_type);
    } catch (const boost::system::system_error& e) {
      impl_->stream.reset();
      // A kept-alive connection the server closed meanwhile is retried once on a new one.
      if (fresh || attempt > 0)
        throw std::runtime_error("http " + method + " " + target + ": " + e.what());
    }
  }
}

void http_client::disconnect() { impl_->stream.reset(); }

} // namespace presence::test
