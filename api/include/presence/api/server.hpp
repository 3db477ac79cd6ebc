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
  std::size_t admin_threads = 2;         ///< threads for blocking engine calls (admin, auth misses)
  std::size_t max_body_bytes = 1 << 20;  ///< larger request bodies get HTTP 413
  std::size_t max_header_bytes = 16 * 1024;  ///< larger header blocks get HTTP 431
  std::chrono::seconds keepalive_timeout{60};  ///< idle keep-alive connections close after this
  double rate_limit_per_s = 20;          ///< Web/REST API requests per second per token; 0 = off
  double rate_limit_burst = 100;         ///< bucket size of the per-token rate limit
  /// The admin token given on the command line / config / environment (kept in memory only), or
  /// empty. Requests bearing it act as the admin user `admin_user`.
  std::string admin_token;
  std::string admin_user = "admin";
  std::string team_id = "T00000001";     ///< `team.id` in auth.test / rtm.connect
  std::string team_name = "presence";
  /// The web console: empty = the files compiled into the binary, else a folder to serve instead.
  std::string web_dir;
  // Real-time sessions (see api/src/rtm/rtm_session.hpp).
  std::size_t max_frame_bytes = 64 * 1024;
  std::size_t max_backlog_bytes = 1 << 20;
  std::chrono::milliseconds ping_interval{30'000};  ///< WebSocket heartbeat
  int sub_rate_per_s = 5;
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
  /// not a numeric address or an address that cannot be bound (naming the socket error). Call once.
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
