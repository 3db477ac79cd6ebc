#pragma once

// The HTTP side of the etcd client: one kept-alive HTTP/1.1 connection to etcd's v3 JSON gateway,
// a deadline per request, etcd's error answers turned into presence errors. Private to cluster.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "presence/events/result.hpp"

namespace presence::cluster {

/// Where an etcd member listens, from a URL `http://HOST:PORT`.
struct etcd_endpoint {
  std::string host;  ///< an IPv4 address or a host name
  uint16_t port = 0; ///< 1..65535
  std::string url;   ///< the URL as given (without a trailing '/'), for messages
};

/// Parses `http://HOST:PORT`, optionally with a trailing '/'. HOST is an IPv4 address or a name
/// of letters, digits, '.', '-' and '_'. Errors: invalid_setting (another scheme, a path, an
/// IPv6 literal, a missing or out-of-range port), naming the URL and what is wrong with it.
result<etcd_endpoint> parse_etcd_url(const std::string& url);

/// The gRPC status code etcd reports for a missing lease or key ("not found").
inline constexpr int grpc_not_found = 5;

/// Sends JSON requests to one etcd member. Not thread-safe: one request at a time (etcd_client
/// holds a mutex around it).
class etcd_transport {
 public:
  /// No network traffic: the first request opens the connection. An answer whose body is over
  /// `max_body_bytes` is not read (storage_failure).
  etcd_transport(etcd_endpoint endpoint, std::chrono::milliseconds timeout,
                 std::size_t max_body_bytes);
  ~etcd_transport();
  etcd_transport(const etcd_transport&) = delete;
  etcd_transport& operator=(const etcd_transport&) = delete;

  const etcd_endpoint& endpoint() const noexcept;

  /// POSTs `body` to `path` (e.g. "/v3/kv/put") and returns etcd's JSON answer, all within the
  /// timeout (name resolution of a host name excepted: the system resolver is not bounded).
  /// A connection etcd closed since the last request is replaced first. When `repeatable`, a
  /// request that failed on a reused connection before any byte of the answer came is sent once
  /// more on a new one (never for transactions: their outcome is then unknown to the caller).
  /// An etcd error whose gRPC code is `tolerated_code` is returned as an answer (the JSON with
  /// its "code"), not as an error.
  /// Errors: timeout (etcd unreachable, the connection broke, no complete answer in time, or
  /// etcd itself reports a deadline or unavailability: gRPC codes 4 and 14); storage_failure
  /// (any other etcd error, an HTTP status other than 200, a body that is not JSON or is over
  /// the limit). Messages name the URL, the path, the HTTP status and etcd's text.
  result<nlohmann::json> post(const std::string& path, const nlohmann::json& body, bool repeatable,
                              int tolerated_code = -1);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace presence::cluster
