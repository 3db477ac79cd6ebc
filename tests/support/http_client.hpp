#pragma once

// A tiny blocking HTTP/1.1 client over Boost.Beast for end-to-end tests: one keep-alive
// connection to HOST:PORT, reopened when the server closed it.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace presence::test {

/// A response: status, body and headers (names lowercased).
struct http_response {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;

  /// The body as JSON; a JSON null when it is not JSON.
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  /// A header's value, or "" when absent. `name` is matched case-insensitively.
  std::string header(std::string name) const {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class http_client {
 public:
  http_client(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}

  /// Sends one request and waits for the whole response. Throws std::runtime_error when the
  /// server cannot be reached or the connection breaks on a fresh connection too.
  http_response request(const std::string& method, const std::string& target,
                        const std::string& body = {}, const header_list& headers = {},
                        const std::string& content_type = {}) {
    for (int attempt = 0;; ++attempt) {
      bool fresh = !stream_;
      try {
        return exchange(method, target, body, headers, content_type);
      } catch (const boost::system::system_error& e) {
        stream_.reset();
        // A kept-alive connection the server closed meanwhile is retried once on a new one.
        if (fresh || attempt > 0)
          throw std::runtime_error("http " + method + " " + target + ": " + e.what());
      }
    }
  }

  http_response get(const std::string& target, const header_list& headers = {}) {
    return request("GET", target, {}, headers);
  }
  /// POST with an application/x-www-form-urlencoded body (already encoded).
  http_response post_form(const std::string& target, const std::string& form,
                          const header_list& headers = {}) {
    return request("POST", target, form, headers, "application/x-www-form-urlencoded");
  }
  /// POST with an application/json body.
  http_response post_json(const std::string& target, const nlohmann::json& body,
                          const header_list& headers = {}) {
    return request("POST", target, body.dump(), headers, "application/json; charset=utf-8");
  }

  /// Closes the connection (the next request opens a new one).
  void disconnect() { stream_.reset(); }

 private:
  http_response exchange(const std::string& method, const std::string& target,
                         const std::string& body, const header_list& headers,
                         const std::string& content_type) {
    namespace http = boost::beast::http;
    if (!stream_) {
      stream_ = std::make_unique<boost::beast::tcp_stream>(ioc_);
      boost::asio::ip::tcp::endpoint endpoint{boost::asio::ip::make_address(host_), port_};
      stream_->connect(endpoint);
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host_ + ":" + std::to_string(port_));
    req.keep_alive(true);
    if (!content_type.empty())
      req.set(http::field::content_type, content_type);
    for (const auto& [name, value] : headers)
      req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    http::write(*stream_, req);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(*stream_, buffer, parser);
    auto res = parser.release();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.headers[name] = std::string(field.value());
    }
    if (!res.keep_alive())
      stream_.reset();
    return out;
  }

  std::string host_;
  uint16_t port_;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;
};

} // namespace presence::test
