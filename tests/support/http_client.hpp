#pragma once

// A tiny blocking HTTP/1.1 client over Boost.Beast for end-to-end tests: one keep-alive
// connection to HOST:PORT, reopened when the server closed it. The Beast code lives in
// http_client.cpp (library presence_test_net): this header names no Boost type.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace presence::test {

/// `text` with ASCII letters lowercased (header names compare case-insensitively).
inline std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// A response: status, body and headers (names lowercased).
struct http_response {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;

  /// The body as JSON; a JSON null when it is not JSON.
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  /// A header's value, or "" when absent. `name` is matched case-insensitively.
  std::string header(const std::string& name) const {
    auto it = headers.find(lowercase(name));
    return it == headers.end() ? std::string{} : it->second;
  }
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class http_client {
 public:
  http_client(std::string host, uint16_t port);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Sends one request and waits for the whole response. Throws std::runtime_error when the
  /// server cannot be reached or the connection breaks on a fresh connection too.
  http_response request(const std::string& method, const std::string& target,
                        const std::string& body = {}, const header_list& headers = {},
                        const std::string& content_type = {});

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
  void disconnect();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace presence::test
