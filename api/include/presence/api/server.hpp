#pragma once

// presenced's network face: the Slack-compatible Web API (/api/<method>), the Rocket.Chat
// compatible REST API (/api/v1/<method>), the real-time WebSocket (/rtm), and /healthz, /readyz,
// /metrics, all on one port. No Beast, Asio or JSON type appears here.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "presence/actors/engine.hpp"
#include "presence/events/result.hpp"

namespace presence::api {

/// Everything the gateway needs to know; `presenced` fills it from its config file and command line
/// (see api/src/config/options.hpp for the names and ranges of each field).
struct server_config {
  std::string host = "127.0.0.1";        ///< address to bind (numeric IPv4 or IPv6)
  uint16_t port = 8080;                  ///< 0 = any free port (`server::start` returns the real one)
  std::size_t threads = 0;               ///< event-loop threads; 0 = hardware threads
  /// Open TCP connections (HTTP, WebSocket, TLS) at most; more are closed at accept. 0 = the
  /// process's descriptor limit (RLIMIT_NOFILE) less 512 for the database and the rest.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 4096;  ///< per client IP address; 0 = no cap
  std::size_t admin_threads = 2;         ///< threads for blocking engine calls (admin, auth misses)
  /// Tasks waiting for those threads (admin calls, authentication-cache misses) at most; more
  /// are answered HTTP 503 with Retry-After instead of queueing. The WebSocket sessions' engine
  /// calls (subscribe, presence_sub) have their own pool with the same bound: past it a
  /// presence_sub is answered `busy`, a new socket closed with 1013.
  std::size_t max_blocking_queue = 1024;
  std::size_t max_body_bytes = 64 * 1024;  ///< larger request bodies get HTTP 413
  std::size_t max_header_bytes = 16 * 1024;  ///< larger header blocks get HTTP 431
  std::chrono::seconds keepalive_timeout{60};  ///< idle keep-alive connections close after this
  /// From a connection's accept (or a kept-alive connection's first byte of the next request) to
  /// the end of the request's headers; then the body gets `keepalive_timeout`. Not renewed by
  /// each byte: a trickle is cut at the deadline.
  std::chrono::milliseconds header_timeout{10'000};
  double rate_limit_per_s = 20;          ///< Web/REST API requests per second per token; 0 = off
  double rate_limit_burst = 100;         ///< bucket size of the per-token rate limit
  /// Open /rtm sockets per user; more: rtm.connect answers `too_many_connections`, an upgrade
  /// gets HTTP 429. 0 = no cap.
  std::size_t max_connections_per_user = 10;
  double connect_rate_per_s = 2;         ///< rtm.connect calls + token upgrades per s per token; 0 = off
  double connect_rate_burst = 20;        ///< bucket size of that rate limit
  /// Failed authentications per second per client address; past the burst every request from
  /// that address gets HTTP 429 before any token is looked up. 0 = off.
  double failed_auth_per_s = 1;
  double failed_auth_burst = 20;
  /// The admin token given on the command line / config / environment (kept in memory only), or
  /// empty. Requests bearing it act as the admin user `admin_user`.
  std::string admin_token;
  std::string admin_user = "admin";
  /// PEM certificate chain and private key: when set, the port serves https:// and wss:// only.
  std::string tls_cert;
  std::string tls_key;
  /// Accept `token` in the query string of /api and /rtm (tokens in URLs leak into logs).
  bool allow_query_token = false;
  /// The base URL clients use (e.g. https://presence.example.com behind a TLS-terminating proxy):
  /// auth.test's `url` and rtm.connect's WebSocket URL are built from it. Empty: from the request's
  /// Host header and the scheme served.
  std::string public_url;
  std::string team_id = "T00000001";     ///< `team.id` in auth.test / rtm.connect
  std::string team_name = "presence";
  /// Where `admin.backups.create` puts online backups and `admin.backups.list` reads them;
  /// empty = backups are refused (`invalid_argument`). presenced sets DATA_DIR/backups.
  std::string backup_dir;
  /// The web console: empty = the files compiled into the binary, else a folder to serve instead.
  std::string web_dir;
  // Real-time sessions (see api/src/rtm/rtm_session.hpp).
  std::size_t max_frame_bytes = 64 * 1024;
  std::size_t max_backlog_bytes = 1 << 20;
  std::chrono::milliseconds ping_interval{30'000};  ///< WebSocket heartbeat
  int sub_rate_per_s = 5;
  int msg_rate_per_s = 50;  ///< WebSocket messages of any kind per second per socket (burst the same)
  std::size_t max_query_ids = 500;
};

/// The HTTP/WebSocket server. Owns its Asio event loop threads and a small thread pool for the
/// engine's blocking calls. The engine must outlive the server.
class server {
 public:
  server();
  /// Stops the server (see `stop`).
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds `config.host:config.port`, starts the event-loop threads and returns the bound port.
  /// `/readyz` answers 503 until `set_ready(true)`. Errors: `invalid_setting` for a host that is
  /// not a numeric address, an address that cannot be bound (naming the socket error), or a TLS
  /// certificate or key that cannot be loaded. Call once.
  [[nodiscard]] result<uint16_t> start(presence::engine& engine, server_config config);

  /// Marks start-up work (recovery, bootstrap) done: `/readyz` answers 200 from now on.
  void set_ready(bool ready);

  /// Stops accepting, answers the requests in flight, closes every HTTP and WebSocket session
  /// (WebSocket sessions log their disconnects through the engine), waits up to `grace` for
  /// them, then stops the threads. Idempotent; blocking; call it from a non-event-loop thread
  /// before shutting the engine down. Destroy the server only after the engine has shut down:
  /// engine callbacks still in flight answer through the server's state.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds{5});

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace presence::api
