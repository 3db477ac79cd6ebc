#pragma once

// Process-wide counters for /metrics (Prometheus text format). Lock-free; any thread may bump them.

#include <atomic>
#include <cstdint>
#include <string>

#include "presence/actors/engine.hpp"
#include "presence/actors/histogram.hpp"

namespace presence::api {

struct metrics {
  std::atomic<uint64_t> http_requests{0};
  std::atomic<uint64_t> http_errors{0};            ///< responses with ok=false / success=false
  std::atomic<uint64_t> connections_refused{0};    ///< closed at accept: over a connection cap
  std::atomic<uint64_t> ratelimited{0};            ///< HTTP 429 and WebSocket rate-limit errors
  std::atomic<int64_t> ws_connections{0};          ///< open WebSocket sessions (gauge)
  std::atomic<uint64_t> ws_messages_in{0};
  std::atomic<uint64_t> ws_messages_out{0};
  std::atomic<uint64_t> ws_activity_forwarded{0};  ///< socket activity handed to the engine
  std::atomic<uint64_t> ws_closed_slow_consumer{0};
  std::atomic<uint64_t> ws_closed_dead_peer{0};
  std::atomic<uint64_t> broadcast_deliveries{0};   ///< users delivered in presence_change frames
  /// From an HTTP request read in full to its answer written to the socket (µs); a WebSocket
  /// upgrade handed over is not counted (a refused one is).
  atomic_histogram http_request_us{latency_bounds_us()};

  /// The Prometheus text exposition of every counter, names prefixed `presence_`.
  std::string render() const;
};

/// The Prometheus text of the engine's own figures: resident user actors, events appended,
/// journal requests/writes/failures, the journal's batch-size, write-latency and commit-latency
/// histograms, and, when `service` is given, the workspace's connections, limit and switch.
std::string render_engine(const engine_stats& stats, const engine::service_state* service);

} // namespace presence::api
