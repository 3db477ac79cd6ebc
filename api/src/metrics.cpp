#include "metrics.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace presence::api {

namespace {

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP presence_";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE presence_";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

template <class T>
void add(std::string& out, const char* name, const char* type, const char* help, T value) {
  header(out, name, type, help);
  out += "presence_";
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

template <class T>
void add(std::string& out, const char* name, const char* type, const char* help,
         const std::atomic<T>& value) {
  add(out, name, type, help, value.load(std::memory_order_relaxed));
}

/// A number as Prometheus writes it: shortest round-trip form.
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  // Prefer the short form when it reads back the same.
  for (int precision = 1; precision < 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, value);
    if (std::strtod(shorter, nullptr) == value)
      return shorter;
  }
  return text;
}

/// A histogram: cumulative `_bucket{le=…}` lines ending with `+Inf`, then `_sum` and `_count`.
void add_histogram(std::string& out, const char* name, const char* help, const histogram& h) {
  header(out, name, "histogram", help);
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    out += "presence_";
    out += name;
    out += "_bucket{le=\"";
    out += i < h.bounds.size() ? number(h.bounds[i]) : std::string{"+Inf"};
    out += "\"} ";
    out += std::to_string(cumulative);
    out += '\n';
  }
  out += "presence_";
  out += name;
  out += "_sum ";
  out += number(h.sum);
  out += "\npresence_";
  out += name;
  out += "_count ";
  out += std::to_string(h.count);
  out += '\n';
}

} // namespace

std::string metrics::render() const {
  std::string out;
  out.reserve(2048);
  add(out, "http_requests_total", "counter", "HTTP requests answered.", http_requests);
  add(out, "http_errors_total", "counter", "Web/REST API answers with ok=false or success=false.",
      http_errors);
  add(out, "connections_refused_total", "counter",
      "Connections closed at accept because a connection cap was reached.", connections_refused);
  add(out, "ratelimited_total", "counter",
      "Requests refused by a rate limit (HTTP 429 and WebSocket rate-limit errors).", ratelimited);
  add(out, "ws_connections", "gauge", "Open WebSocket sessions.", ws_connections);
  add(out, "ws_messages_in_total", "counter", "WebSocket messages received.", ws_messages_in);
  add(out, "ws_messages_out_total", "counter", "WebSocket messages sent.", ws_messages_out);
  add(out, "ws_activity_forwarded_total", "counter",
      "Socket activity (tickle) handed to the engine: at most one a second per socket.",
      ws_activity_forwarded);
  add(out, "ws_closed_slow_consumer_total", "counter",
      "WebSocket sessions closed because their unsent backlog passed the bound.",
      ws_closed_slow_consumer);
  add(out, "ws_closed_dead_peer_total", "counter",
      "WebSocket sessions closed because the peer stopped answering pings.", ws_closed_dead_peer);
  add(out, "broadcast_deliveries_total", "counter",
      "Users delivered in presence_change frames.", broadcast_deliveries);
  add_histogram(out, "http_request_seconds",
                "From an HTTP request read in full to its answer written to the socket.",
                http_request_us.snapshot(1e-6));
  return out;
}

std::string render_engine(const engine_stats& stats, const engine::service_state* service) {
  std::string out;
  out.reserve(4096);
  if (service != nullptr) {
    add(out, "connections", "gauge", "Open presence connections in the workspace.",
        service->connections);
    add(out, "connection_limit", "gauge", "The workspace connection limit (0 = none).",
        service->limit);
    add(out, "service_enabled", "gauge", "1 while the presence service is on.",
        service->enabled ? 1 : 0);
  }
  add(out, "users_resident", "gauge", "User actors resident in memory.", stats.users_resident);
  add(out, "cluster_requests_sent_total", "counter",
      "Commands and reads sent to other cluster nodes.", stats.cluster_requests_sent);
  add(out, "cluster_requests_served_total", "counter",
      "Commands and reads other cluster nodes sent here.", stats.cluster_requests_served);
  add(out, "cluster_relays_sent_total", "counter",
      "Notifications relayed to the cluster nodes that watch this node's users.",
      stats.cluster_relays_sent);
  add(out, "cluster_relays_received_total", "counter",
      "Notifications relayed here by other cluster nodes.", stats.cluster_relays_received);
  add(out, "user_actor_restarts_total", "counter",
      "User actors rebuilt from the log after a crash.", stats.user_actor_restarts);
  add(out, "user_timers_armed_total", "counter",
      "Deadline timers (idle, expiry) the user actors started.", stats.user_timers_armed);
  add(out, "events_appended_total", "counter", "Events written to the log by the journal.",
      stats.events_appended);
  add(out, "journal_requests_total", "counter", "Append requests the journal received.",
      stats.journal_requests);
  add(out, "journal_writes_total", "counter", "Journal group commits (log writes).",
      stats.journal_writes);
  add(out, "journal_failed_writes_total", "counter",
      "Journal writes that failed (every requester of the batch got the error).",
      stats.journal_failed_writes);
  add_histogram(out, "journal_batch_events", "Events per journal write.",
                stats.journal_batch_events);
  add_histogram(out, "journal_write_seconds", "Duration of each journal write.",
                stats.journal_write_seconds);
  add_histogram(out, "journal_commit_seconds",
                "From an append request's arrival at the journal to its write's end.",
                stats.journal_commit_seconds);
  add_histogram(out, "broadcast_tick_late_seconds",
                "How long after its due time each broadcaster flush tick ran.",
                stats.broadcast_tick_late_seconds);
  add_histogram(out, "broadcast_flush_seconds",
                "Duration of each broadcaster tick's flush (batches handed to the sessions).",
                stats.broadcast_flush_seconds);
  return out;
}

} // namespace presence::api
