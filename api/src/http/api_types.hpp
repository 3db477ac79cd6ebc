#pragma once

// The gateway's own view of an HTTP exchange: plain structs, so the Web API and REST handlers
// never see Beast types and can be driven by tests without a socket.

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace presence::api::http {

/// One HTTP request as the API handlers need it (headers already picked out).
struct api_request {
  std::string method;         ///< "GET", "POST", …
  std::string path;           ///< target before '?', not decoded
  std::string query;          ///< target after '?', not decoded
  std::string content_type;
  std::string authorization;  ///< `Authorization` header
  std::string auth_token;     ///< `X-Auth-Token` header (Rocket.Chat)
  std::string user_id;        ///< `X-User-Id` header (Rocket.Chat)
  std::string host;           ///< `Host` header
  std::string client_address; ///< the peer's IP address (per-address limits, logs)
  std::string if_none_match;  ///< `If-None-Match` header (static files)
  std::string body;
};

/// One HTTP response. JSON unless `content_type` says otherwise.
struct api_reply {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers (Retry-After…)
};

/// Delivers the reply of one request. Thread-safe: handlers call it exactly once, from any thread
/// (an engine callback on a CAF worker, the blocking pool…); it posts back to the connection.
using reply_fn = std::function<void(api_reply)>;

} // namespace presence::api::http
